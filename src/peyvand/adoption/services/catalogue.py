"""Readiness models and the risk catalogue as data: reading a model file (JSON, or YAML when
PyYAML is installed), checking it whole, and writing it in one transaction; loading the five
built-in models of seed [000] and the six risk groups of seed [004] shipped in ``data/``.

A model file is an object::

    {"format": "peyvand-readiness-model/1", "key": "iranian-9",
     "name": {"fa": "...", "en": "..."}, "source": "...", "description": {"fa": "...", "en": "..."},
     "factors": [{"key": "structure", "name": {...}, "guidance": {...},
                  "statements": [{"fa": "...", "en": "...", "weight": 1.5, "reverse": false}]}]}

Every problem is reported with where it is (factor 3, statement 2) and nothing is written
unless the whole file is right.
"""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log

from ..models import Assessment, CultureType, ModelKind, ReadinessModel
from ..models.gonogo import RISK_QUESTIONNAIRE_KEY

DATA = Path(__file__).resolve().parent.parent / "data"
FORMAT = "peyvand-readiness-model/1"
MAX_FILE_BYTES = 1_000_000
MAX_FACTORS = 40
MAX_STATEMENTS = 20
MAX_WEIGHT = Decimal(100)
NAME_MAX, TEXT_MAX, GUIDANCE_MAX, SOURCE_MAX = 200, 1000, 4000, 300
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


@dataclass(frozen=True, kw_only=True)
class StatementSpec:
    text_fa: str
    text_en: str
    weight: Decimal
    reverse: bool
    culture: str = ""


@dataclass(frozen=True, kw_only=True)
class FactorSpec:
    key: str
    name_fa: str
    name_en: str
    guidance_fa: str
    guidance_en: str
    statements: tuple[StatementSpec, ...]


@dataclass(frozen=True, kw_only=True)
class ModelSpec:
    """A readiness model read from a file and checked: what the import writes."""

    key: str
    name_fa: str
    name_en: str
    source: str
    description_fa: str
    description_en: str
    factors: tuple[FactorSpec, ...]
    kind: str = "readiness"


# --- reading a file ----------------------------------------------------------------------------


def yaml_available() -> bool:
    try:
        importlib.import_module("yaml")
    except ImportError:
        return False
    return True


def parse_model_file(content: bytes, filename: str = "") -> ModelSpec:
    """The model a file describes, or a ValidationError listing every problem in it."""
    if len(content) > MAX_FILE_BYTES:
        raise ValidationError(
            _("The file is too large: at most %(limit)d kilobytes.") % {"limit": MAX_FILE_BYTES // 1000}
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _("The file is not UTF-8 text. Save it as UTF-8 (Persian in other encodings is not read).")
        ) from None
    data = _load(text, filename)
    return model_spec(data)


def _load(text: str, filename: str) -> Any:
    is_yaml = filename.lower().endswith((".yaml", ".yml"))
    if is_yaml:
        if not yaml_available():
            raise ValidationError(
                _("YAML files cannot be read on this installation; upload the model as JSON.")
            )
        yaml: Any = importlib.import_module("yaml")
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else 0
            raise ValidationError(
                _("The file is not valid YAML (near line %(line)d).") % {"line": line}
            ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            _("The file is not valid JSON (line %(line)d, column %(column)d).")
            % {"line": exc.lineno, "column": exc.colno}
        ) from None


class _Problems:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        if len(self.messages) < 50:
            self.messages.append(message)


def _text(value: Any, limit: int) -> str | None:
    """Stripped text within ``limit`` characters, "" for nothing, None for a wrong type or length."""
    if value is None:
        return ""
    if not isinstance(value, str) or "\x00" in value:
        return None
    value = value.strip()
    return value if len(value) <= limit else None


def _pair(
    value: Any, limit: int, problems: _Problems, where: str, what: str, *, required: bool
) -> tuple[str, str]:
    if value is None and not required:
        return "", ""
    if isinstance(value, str):
        value = {"fa": value, "en": value}
    if not isinstance(value, dict):
        problems.add(
            _("%(where)s: %(what)s must have a Persian (fa) and an English (en) text.")
            % {"where": where, "what": what}
        )
        return "", ""
    fa, en = _text(value.get("fa"), limit), _text(value.get("en"), limit)
    for code, found in (("fa", fa), ("en", en)):
        if found is None:
            problems.add(
                _("%(where)s: %(what)s (%(language)s) must be text of at most %(limit)d characters.")
                % {"where": where, "what": what, "language": code, "limit": limit}
            )
        elif required and not found:
            problems.add(
                _("%(where)s: %(what)s (%(language)s) is missing.")
                % {"where": where, "what": what, "language": code}
            )
    return fa or "", en or ""


def model_spec(data: Any) -> ModelSpec:
    """Check a parsed file whole: every problem at once, each saying where it is."""
    if not isinstance(data, dict):
        raise ValidationError(_("The file must describe one model: an object with a key, names and factors."))
    problems = _Problems()
    top = _("The model")
    key = data.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        problems.add(
            _("The model needs a key of lowercase Latin letters, digits and hyphens (e.g. %(example)s).")
            % {"example": "iranian-9"}
        )
        key = ""
    name_fa, name_en = _pair(data.get("name"), NAME_MAX, problems, top, _("the name"), required=True)
    description_fa, description_en = _pair(
        data.get("description"), TEXT_MAX * 4, problems, top, _("the description"), required=False
    )
    source = _text(data.get("source"), SOURCE_MAX)
    if source is None:
        problems.add(
            _("The model's source must be text of at most %(limit)d characters.") % {"limit": SOURCE_MAX}
        )
    kind = data.get("kind", ModelKind.READINESS)
    if kind not in ModelKind.values:
        problems.add(_("The model's kind must be readiness or culture."))
        kind = ModelKind.READINESS
    raw_factors = data.get("factors")
    factors: list[FactorSpec] = []
    if not isinstance(raw_factors, list) or not raw_factors:
        problems.add(_("The model has no factors: add a list of factors, each with its statements."))
        raw_factors = []
    elif len(raw_factors) > MAX_FACTORS:
        problems.add(_("A model has at most %(limit)d factors.") % {"limit": MAX_FACTORS})
        raw_factors = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_factors, start=1):
        factor = _factor_spec(raw, index, problems, seen)
        if factor is not None:
            if kind == ModelKind.CULTURE:
                _check_cultures(factor, index, problems)
            factors.append(factor)
    if problems.messages:
        raise ValidationError(problems.messages)
    return ModelSpec(
        key=key,
        name_fa=name_fa,
        name_en=name_en,
        source=source or "",
        description_fa=description_fa,
        description_en=description_en,
        factors=tuple(factors),
        kind=kind,
    )


def _check_cultures(factor: FactorSpec, index: int, problems: _Problems) -> None:
    """A culture model's dimension has one statement per culture type, each once."""
    found = sorted(s.culture for s in factor.statements)
    if found != sorted(CultureType.values):
        problems.add(
            _("Factor %(number)d: a culture model needs one statement for each of %(types)s.")
            % {"number": index, "types": ", ".join(CultureType.values)}
        )


def _factor_spec(raw: Any, index: int, problems: _Problems, seen: set[str]) -> FactorSpec | None:
    where = _("Factor %(number)d") % {"number": index}
    if not isinstance(raw, dict):
        problems.add(_("%(where)s must be an object with a key, a name and statements.") % {"where": where})
        return None
    key = raw.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        problems.add(
            _("%(where)s needs a key of lowercase Latin letters, digits and hyphens.") % {"where": where}
        )
        key = ""
    elif key in seen:
        problems.add(_("%(where)s: the key %(key)s is used twice.") % {"where": where, "key": key})
    seen.add(key)
    name_fa, name_en = _pair(raw.get("name"), NAME_MAX, problems, where, _("the name"), required=True)
    guidance_fa, guidance_en = _pair(
        raw.get("guidance"), GUIDANCE_MAX, problems, where, _("the guidance"), required=False
    )
    raw_statements = raw.get("statements")
    statements: list[StatementSpec] = []
    if not isinstance(raw_statements, list) or not raw_statements:
        problems.add(_("%(where)s has no statements.") % {"where": where})
        raw_statements = []
    elif len(raw_statements) > MAX_STATEMENTS:
        problems.add(
            _("%(where)s has more than %(limit)d statements.") % {"where": where, "limit": MAX_STATEMENTS}
        )
        raw_statements = []
    for number, item in enumerate(raw_statements, start=1):
        place = _("%(where)s, statement %(number)d") % {"where": where, "number": number}
        if not isinstance(item, dict):
            problems.add(_("%(where)s must be an object with fa and en texts.") % {"where": place})
            continue
        text_fa, text_en = _pair(
            {"fa": item.get("fa"), "en": item.get("en")},
            TEXT_MAX,
            problems,
            place,
            _("the text"),
            required=True,
        )
        weight = _weight(item.get("weight", 1))
        if weight is None:
            problems.add(
                _("%(where)s: the weight must be a number above 0 and at most %(limit)d.")
                % {"where": place, "limit": int(MAX_WEIGHT)}
            )
        reverse = item.get("reverse", False)
        if not isinstance(reverse, bool):
            problems.add(_("%(where)s: reverse must be true or false.") % {"where": place})
        culture = item.get("culture", "")
        if culture not in ("", *CultureType.values):
            problems.add(_("%(where)s: choose a valid culture type.") % {"where": place})
            culture = ""
        statements.append(
            StatementSpec(
                text_fa=text_fa,
                text_en=text_en,
                weight=weight or Decimal(1),
                reverse=reverse is True,
                culture=culture,
            )
        )
    return FactorSpec(
        key=key,
        name_fa=name_fa,
        name_en=name_en,
        guidance_fa=guidance_fa,
        guidance_en=guidance_en,
        statements=tuple(statements),
    )


def _weight(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        weight = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None
    return weight if Decimal(0) < weight <= MAX_WEIGHT else None


# --- writing a model ---------------------------------------------------------------------------


def _write(spec: ModelSpec, *, registry: Any, builtin: bool, actor: User | None) -> Any:
    model_class = registry.get_model("adoption", "ReadinessModel")
    # Only a culture model names its kind and cultures: the migration that loads the readiness
    # models runs before those columns exist.
    extra: dict[str, Any] = {"kind": spec.kind} if spec.kind == ModelKind.CULTURE else {}
    model = model_class.objects.create(
        **extra,
        key=spec.key,
        name_fa=spec.name_fa,
        name_en=spec.name_en,
        source=spec.source,
        description_fa=spec.description_fa,
        description_en=spec.description_en,
        builtin=builtin,
        created_by=actor,
        updated_by=actor,
    )
    _write_factors(spec, model, registry=registry)
    return model


def _write_factors(spec: ModelSpec, model: Any, *, registry: Any) -> None:
    factor_class = registry.get_model("adoption", "Factor")
    statement_class = registry.get_model("adoption", "Statement")
    culture = spec.kind == ModelKind.CULTURE
    statements: list[Any] = []
    for order, factor_spec in enumerate(spec.factors, start=1):
        factor = factor_class.objects.create(
            model=model,
            key=factor_spec.key,
            name_fa=factor_spec.name_fa,
            name_en=factor_spec.name_en,
            guidance_fa=factor_spec.guidance_fa,
            guidance_en=factor_spec.guidance_en,
            order=order,
        )
        statements.extend(
            statement_class(
                factor=factor,
                text_fa=s.text_fa,
                text_en=s.text_en,
                weight=s.weight,
                reverse=s.reverse,
                order=number,
                **({"culture": s.culture} if culture else {}),
            )
            for number, s in enumerate(factor_spec.statements, start=1)
        )
    statement_class.objects.bulk_create(statements)


def _key_free(key: str, model: ReadinessModel | None = None) -> None:
    taken = ReadinessModel.all_objects.filter(key=key)
    if model is not None:
        taken = taken.exclude(pk=model.pk)
    if taken.exists():
        raise ValidationError(
            _("A model with the key %(key)s exists already; give the new one another key.") % {"key": key}
        )


def _create(actor: User, spec: ModelSpec) -> ReadinessModel:
    _key_free(spec.key)
    model: ReadinessModel = _write(spec, registry=django_apps, builtin=False, actor=actor)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=model,
        changes={
            "name_fa": [None, model.name_fa],
            "name_en": [None, model.name_en],
            "key": [None, model.key],
        },
    )
    return model


@transaction.atomic
def readiness_model_import(*, actor: User, content: bytes, filename: str = "") -> ReadinessModel:
    """An administrator adds a readiness model from a file: all of it, or nothing."""
    if not actor.is_administrator:
        raise PermissionDenied(_("Only an administrator may do this."))
    return _create(actor, parse_model_file(content, filename))


def model_document(model: ReadinessModel) -> dict[str, Any]:
    """A model as its file says it (the editor's starting point, and the export)."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "key": model.key,
        "name": {"fa": model.name_fa, "en": model.name_en},
        "source": model.source,
        "description": {"fa": model.description_fa, "en": model.description_en},
        "factors": [
            {
                "key": factor.key,
                "name": {"fa": factor.name_fa, "en": factor.name_en},
                "guidance": {"fa": factor.guidance_fa, "en": factor.guidance_en},
                "statements": [
                    {
                        "fa": statement.text_fa,
                        "en": statement.text_en,
                        "weight": format(statement.weight.normalize(), "f"),
                        "reverse": statement.reverse,
                        **({"culture": statement.culture} if statement.culture else {}),
                    }
                    for statement in factor.statements.order_by("order", "id")
                ],
            }
            for factor in model.factors.order_by("order", "id")
        ],
    }
    if model.kind != ModelKind.READINESS:
        document["kind"] = model.kind
    return document


def model_in_use(model: ReadinessModel) -> bool:
    """Whether an assessment (a deleted one too) was opened on the model."""
    return Assessment.all_objects.filter(model=model).exists()


@transaction.atomic
def readiness_model_save(
    *, actor: User, document: dict[str, Any], model: ReadinessModel | None = None
) -> ReadinessModel:
    """An administrator writes a readiness model in the editor: a new one, or a change to one
    they added that no assessment uses yet (its answers would lose their statements). Checked
    whole, as a file is, and written all or nothing."""
    if not actor.is_administrator:
        raise PermissionDenied(_("Only an administrator may do this."))
    if model is not None:
        model = ReadinessModel.all_objects.select_for_update().get(pk=model.pk)
        if model.builtin:
            raise ValidationError(_("A built-in model is not changed: copy it into a new model."))
        if model_in_use(model):
            raise ValidationError(
                _("An assessment uses this model, so it is no longer changed: copy it into a new model.")
            )
    spec = model_spec({**document, "kind": ModelKind.READINESS})
    if model is None:
        return _create(actor, spec)
    _key_free(spec.key, model)
    before = model_document(model)
    for name in ("key", "name_fa", "name_en", "source", "description_fa", "description_en"):
        setattr(model, name, getattr(spec, name))
    model.updated_by = actor
    model.save()
    model.factors.all().delete()
    _write_factors(spec, model, registry=django_apps)
    after = model_document(model)
    changes = {name: [before[name], after[name]] for name in after if before.get(name) != after[name]}
    if changes:
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=model, changes=changes)
    return model


def builtin_specs() -> list[ModelSpec]:
    return [
        parse_model_file(path.read_bytes(), path.name) for path in sorted((DATA / "models").glob("*.json"))
    ]


def culture_specs() -> list[ModelSpec]:
    return [
        parse_model_file(path.read_bytes(), path.name) for path in sorted((DATA / "culture").glob("*.json"))
    ]


def culture_models_load(*, registry: Any = django_apps) -> int:
    """Add the built-in culture model (the OCAI's six dimensions) when it is missing."""
    model_class = registry.get_model("adoption", "ReadinessModel")
    present = set(model_class._base_manager.values_list("key", flat=True))
    added = 0
    with transaction.atomic():
        for spec in culture_specs():
            if spec.key not in present:
                _write(spec, registry=registry, builtin=True, actor=None)
                added += 1
    return added


def builtin_models_load(*, registry: Any = django_apps) -> int:
    """Add the built-in models that are missing (by key); safe to run again. ``registry`` is a
    migration's app registry there, Django's otherwise. Returns how many were added."""
    model_class = registry.get_model("adoption", "ReadinessModel")
    present = set(model_class._base_manager.values_list("key", flat=True))
    added = 0
    with transaction.atomic():
        for spec in builtin_specs():
            if spec.key not in present:
                _write(spec, registry=registry, builtin=True, actor=None)
                added += 1
    return added


def risk_questionnaire_spec() -> ModelSpec:
    path = DATA / "risk" / "questionnaire.json"
    return parse_model_file(path.read_bytes(), path.name)


def risk_questionnaire_load(*, registry: Any = django_apps) -> int:
    """Add the risk questionnaire of seed [004] (the six risk groups as its factors) when it is
    missing; safe to run again."""
    model_class = registry.get_model("adoption", "ReadinessModel")
    if model_class._base_manager.filter(key=RISK_QUESTIONNAIRE_KEY).exists():
        return 0
    with transaction.atomic():
        _write(risk_questionnaire_spec(), registry=registry, builtin=True, actor=None)
    return 1


# --- the risk catalogue -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CatalogueItem:
    key: str  # "organisational-1"
    group_key: str
    title_fa: str
    title_en: str


def risk_catalogue() -> dict[str, Any]:
    return dict(json.loads((DATA / "risks.json").read_text(encoding="utf-8")))


def catalogue_items() -> list[CatalogueItem]:
    return [
        CatalogueItem(
            key=f"{group['key']}-{n}", group_key=group["key"], title_fa=item["fa"], title_en=item["en"]
        )
        for group in risk_catalogue()["groups"]
        for n, item in enumerate(group["items"], start=1)
    ]


def risk_groups_load(*, registry: Any = django_apps) -> int:
    """Add the six risk groups of seed [004] that are missing; safe to run again."""
    group_class = registry.get_model("adoption", "RiskGroup")
    present = set(group_class.objects.values_list("key", flat=True))
    added = 0
    for order, group in enumerate(risk_catalogue()["groups"], start=1):
        if group["key"] not in present:
            group_class.objects.create(
                key=group["key"], name_fa=group["name"]["fa"], name_en=group["name"]["en"], order=order
            )
            added += 1
    return added
