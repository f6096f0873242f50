from .imports import ImportChange, ImportIssue, ImportJob, ImportMapping
from .insights import PHASE_OF_STAGE, CustomerInsight, LifecyclePhase, LifecycleStage, RfmCell
from .parties import ALIVE, ContactPoint, Kind, Membership, Note, Party, PartyTag, Source, Stage, Tag

__all__ = [
    "ALIVE",
    "PHASE_OF_STAGE",
    "ContactPoint",
    "CustomerInsight",
    "ImportChange",
    "ImportIssue",
    "ImportJob",
    "ImportMapping",
    "Kind",
    "LifecyclePhase",
    "LifecycleStage",
    "Membership",
    "Note",
    "Party",
    "PartyTag",
    "RfmCell",
    "Source",
    "Stage",
    "Tag",
]
