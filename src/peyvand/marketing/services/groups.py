"""Who of a campaign's eligible customers is held out (the control group) and who gets which
variant of an A/B test: chosen by a seeded hash of the campaign and the customer, so the same
audience always splits the same way (a restart, a second run), and in exact shares.

The eligible customers (consent and an address on the channel, as the send checks them) are
ordered by ``party_hash``; the first ``control_percent`` of them (rounded half up) are the
control group, the next ``ab_sample_percent`` of the others the test's sample, alternately A
and B (so the halves differ by one at most, A the larger), and the rest wait for the winner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

SEED = 0x5EED_C0DE_2026
MASK = (1 << 64) - 1


def party_hash(campaign_id: int, party_id: int) -> int:
    """A stable 64-bit number for (campaign, customer), the same on every machine and run:
    SplitMix64's finaliser over the seeded pair (twice as fast as a keyed BLAKE2 in Python,
    which counts at a million customers, and as evenly spread for this use)."""
    z = (party_id * 0x9E3779B97F4A7C15 + campaign_id * 0xD1B54A32D192ED03 + SEED) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def share(count: int, percent: int) -> int:
    """``percent`` % of ``count``, rounded half up."""
    return (count * percent * 2 + 100) // 200


@dataclass
class Groups:
    control: list[int] = field(default_factory=list)
    a: list[int] = field(default_factory=list)
    b: list[int] = field(default_factory=list)
    rest: list[int] = field(default_factory=list)  # sent at once (no test) or after the test


def split(
    campaign_id: int,
    eligible: Sequence[tuple[int, int]],
    *,
    control_percent: int,
    sample_percent: int | None,
) -> Groups:
    """Split ``eligible`` (recipient id, party id) pairs; ``sample_percent`` None: no A/B test."""
    ordered = sorted((party_hash(campaign_id, party), party, recipient) for recipient, party in eligible)
    ids = [recipient_id for _hash, _party, recipient_id in ordered]
    held = share(len(ids), control_percent)
    groups = Groups(control=ids[:held])
    others = ids[held:]
    if sample_percent is None:
        groups.rest = others
        return groups
    sample = share(len(others), sample_percent)
    groups.a, groups.b = others[:sample:2], others[1:sample:2]
    groups.rest = others[sample:]
    return groups
