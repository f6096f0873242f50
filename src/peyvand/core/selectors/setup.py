"""The administrator's first-run set-up: each app's steps (hooks), done or still to do."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from .. import hooks
from ..models import AuditEvent, User
from ..services.site import site_flag
from .company import company_profile

DISMISSED_FLAG = "setup_dismissed"


@dataclass(frozen=True)
class StepState:
    step: hooks.SetupStep
    done: bool


@dataclass(frozen=True)
class SetupState:
    steps: list[StepState]
    demo_loaded: bool
    dismissed: bool

    @property
    def done_count(self) -> int:
        return sum(state.done for state in self.steps)

    @property
    def finished(self) -> bool:
        return all(state.done for state in self.steps)


def setup_state() -> SetupState:
    return SetupState(
        steps=[StepState(step, step.done()) for step in hooks.setup_steps()],
        demo_loaded=bool(site_flag("demo_loaded")),
        dismissed=bool(site_flag(DISMISSED_FLAG)),
    )


def company_described() -> bool:
    profile = company_profile()
    return bool(profile.legal_name_fa or profile.legal_name_en)


def colleagues_invited() -> bool:
    """Someone besides the first administrator was invited, or given an account, by a person
    (the demo company's users are made by no one)."""
    return AuditEvent.objects.filter(
        Q(changes__has_key="invitation_sent") | Q(kind=AuditEvent.Kind.CREATE),
        model=User._meta.label_lower,
        actor__isnull=False,
    ).exists()


def changed_by_someone(model_label: str) -> bool:
    """Whether a person has changed a record of this kind (a pipeline, a business calendar)
    since set-up made it."""
    return AuditEvent.objects.filter(
        model=model_label, kind=AuditEvent.Kind.UPDATE, actor__isnull=False
    ).exists()
