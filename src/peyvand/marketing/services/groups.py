"""Who of a campaign's eligible customers is held out (the control group) and who gets which
variant of an A/B test: chosen by a seeded hash of the campaign and the customer, so the same
audience always splits the same way (a restart, a second run), and in exact shares.

The eligible customers (consent and an address on the channel, as the send checks them) are
ordered by ``party_hash``; the first ``control_percent`` of them (rounded half up) are the
control group, the next ``ab_sample_percent`` of the others the test's sample, alternately A
and B (so the halves differ by one at most, A the larger), and the rest wait for the winner.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

SEED = b"peyvand-campaign-groups-v1"


def party_hash(campaign_id: int, party_id: int) -> int:
    """A stable 64-bit number for (campaign, customer): the same on every machine and run."""
    digest = hashlib.blake2b(f"{campaign_id}:{party_id}".encode(), digest_size=8, key=SEED).digest()
    return int.from_bytes(digest, "big")


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
    ordered = sorted(eligible, key=lambda pair: (party_hash(campaign_id, pair[1]), pair[1]))
    ids = [recipient_id for recipient_id, _party in ordered]
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
