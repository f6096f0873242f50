"""Every non-trivial read of the customer database, always through the permission policy.
Import the area's module: ``selectors.parties.party_get``."""

from . import duplicates, exports, identity, parties, trash

__all__ = ["duplicates", "exports", "identity", "parties", "trash"]
