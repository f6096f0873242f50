from .imports import ImportChange, ImportIssue, ImportJob, ImportMapping
from .insights import CustomerInsight, RfmCell
from .parties import ALIVE, ContactPoint, Kind, Membership, Note, Party, PartyTag, Source, Stage, Tag

__all__ = [
    "ALIVE",
    "ContactPoint",
    "CustomerInsight",
    "ImportChange",
    "ImportIssue",
    "ImportJob",
    "ImportMapping",
    "Kind",
    "Membership",
    "Note",
    "Party",
    "PartyTag",
    "RfmCell",
    "Source",
    "Stage",
    "Tag",
]
