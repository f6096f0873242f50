"""Pipelines and their ordered stages: an administrator's configuration."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log

from ..models import Outcome, Pipeline, Stage
from .common import text_field


@transaction.atomic
def pipeline_save(
    *,
    actor: User,
    name: str,
    stages: Sequence[Mapping[str, Any]],
    pipeline: Pipeline | None = None,
    is_default: bool = False,
) -> Pipeline:
    """Create or rename a pipeline and set its stages in order: ``[{"id"?, "name", "probability",
    "outcome"}]``. A stage left out is retired (kept for the deals and history that use it)."""
    policy.require_admin(actor)
    errors: dict[str, list[str]] = {}
    name = text_field(errors, "name", name, 100, required=True)
    clash = Pipeline.objects.filter(name__iexact=name)
    if pipeline is not None:
        clash = clash.exclude(pk=pipeline.pk)
    if name and clash.exists():
        errors["name"] = [_("A pipeline with this name already exists.")]
    cleaned = []
    for index, raw in enumerate(stages):
        stage_name = text_field(errors, f"stages.{index}.name", raw.get("name"), 100, required=True)
        probability = raw.get("probability", 0)
        outcome = raw.get("outcome", Outcome.OPEN)
        if isinstance(probability, bool) or not isinstance(probability, int) or not 0 <= probability <= 100:
            errors[f"stages.{index}.probability"] = [_("Enter a whole percentage between 0 and 100.")]
        if outcome not in Outcome.values:
            errors[f"stages.{index}.outcome"] = [_("Choose open, won or lost.")]
        cleaned.append((raw.get("id"), stage_name, probability, outcome))
    outcomes = {c[3] for c in cleaned}
    if not {Outcome.OPEN, Outcome.WON, Outcome.LOST} <= outcomes:
        errors["stages"] = [_("A pipeline needs at least one open, one won and one lost stage.")]
    if errors:
        raise ValidationError(errors)
    created = pipeline is None
    pipeline = pipeline or Pipeline()
    pipeline.name = name
    if is_default or not Pipeline.objects.filter(is_default=True).exclude(pk=pipeline.pk or 0).exists():
        Pipeline.objects.filter(is_default=True).update(is_default=False)
        pipeline.is_default = True
    pipeline.save()
    kept = []
    for order, (pk, stage_name, probability, outcome) in enumerate(cleaned):
        stage = pipeline.stages.filter(pk=pk).first() if pk else None
        stage = stage or Stage(pipeline=pipeline)
        stage.name, stage.order, stage.probability, stage.outcome, stage.active = (
            stage_name,
            order,
            probability,
            outcome,
            True,
        )
        stage.save()
        kept.append(stage.pk)
    pipeline.stages.exclude(pk__in=kept).update(active=False)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE if created else AuditEvent.Kind.UPDATE,
        obj=pipeline,
        changes={"name": [None, name], "stages": [None, [c[1] for c in cleaned]]},
    )
    return pipeline


def pipeline_ensure_default() -> Pipeline:
    """A first pipeline with the usual stages, so a fresh installation can take deals at once."""
    pipeline = Pipeline.objects.filter(active=True).order_by("-is_default", "order", "id").first()
    if pipeline is not None:
        return pipeline
    # Stored as data, so in the installation's language, whoever happens to ask first.
    with translation.override(settings.LANGUAGE_CODE):
        pipeline = Pipeline.objects.create(name=str(_("Sales")), is_default=True)
        for order, (name, probability, outcome) in enumerate(
            [
                (_("New"), 10, Outcome.OPEN),
                (_("Qualified"), 25, Outcome.OPEN),
                (_("Proposal"), 50, Outcome.OPEN),
                (_("Negotiation"), 75, Outcome.OPEN),
                (_("Won"), 100, Outcome.WON),
                (_("Lost"), 0, Outcome.LOST),
            ]
        ):
            Stage.objects.create(
                pipeline=pipeline, name=str(name), order=order, probability=probability, outcome=outcome
            )
    return pipeline
