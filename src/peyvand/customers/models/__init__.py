from .imports import ImportChange, ImportIssue, ImportJob, ImportMapping
from .parties import ALIVE, ContactPoint, Kind, Membership, Note, Party, PartyTag, Source, Stage, Tag

__all__ = [
    "ALIVE",
    "ContactPoint",
    "ImportChange",
    "ImportIssue",
    "ImportJob",
    "ImportMapping",
    "Kind",
    "Membership",
    "Note",
    "Party",
    "PartyTag",
    "Source",
    "Stage",
    "Tag",
]
