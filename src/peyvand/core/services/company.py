"""The company profile: the seller's block of every quote and invoice, kept by an administrator."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image

from .. import identifiers, policy
from ..inputs import UNSET, Unset, given
from ..models import AuditEvent, CompanyProfile, User
from ..selectors.company import PROFILE_PK
from ..text import clean_text
from .audit import audit_log

MAX_LOGO_BYTES = 1024 * 1024
MAX_LOGO_PIXELS = 4000 * 4000
HEX_COLOUR = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


@dataclass(frozen=True, kw_only=True)
class CompanyProfileInput:
    """The profile's fields as the form or the API gives them; a field left UNSET stays as it is.
    ``logo`` is the uploaded file's bytes, or None to remove the logo."""

    legal_name_fa: str | Unset = UNSET
    legal_name_en: str | Unset = UNSET
    address: str | Unset = UNSET
    postal_code: str | Unset = UNSET
    phone: str | Unset = UNSET
    economic_code: str | Unset = UNSET
    national_id: str | Unset = UNSET
    registration_number: str | Unset = UNSET
    iban: str | Unset = UNSET
    bank_name: str | Unset = UNSET
    default_terms: str | Unset = UNSET
    brand_colour: str | Unset = UNSET
    portal_review_details: bool | Unset = UNSET
    logo: bytes | Unset | None = UNSET


def normalize_colour(value: str) -> str:
    """A colour as ``#rrggbb`` in lower case ("" for none); ``#abc`` and ``abc`` are accepted."""
    text = clean_text(value).strip()
    if not text:
        return ""
    match = HEX_COLOUR.match(text)
    if match is None:
        raise ValidationError(_("Enter a colour as # and six hexadecimal digits, such as #1f6feb."))
    digits = match.group(1).lower()
    return "#" + (digits if len(digits) == 6 else "".join(c * 2 for c in digits))


_NORMALIZERS = {
    "postal_code": identifiers.normalize_postal_code,
    "economic_code": identifiers.normalize_economic_code,
    "national_id": identifiers.normalize_legal_id,
    "iban": identifiers.normalize_iban,
    "brand_colour": normalize_colour,
}
_LENGTHS = {f.name: f.max_length for f in CompanyProfile._meta.fields if f.max_length}
AUDITED = tuple(name for name in CompanyProfileInput.__dataclass_fields__ if name != "logo")


def logo_type(content: bytes) -> str | None:
    """PNG or JPEG by its first bytes, whatever the file was called."""
    for magic, content_type in LOGO_TYPES.items():
        if content.startswith(magic):
            return content_type
    return None


def logo_decodes(content: bytes) -> bool:
    """Whether the image decodes whole: a truncated or corrupt one would break every PDF it is
    printed on. Larger than 4000 × 4000 pixels is refused before it is decoded."""
    try:
        with Image.open(io.BytesIO(content), formats=["PNG", "JPEG"]) as image:
            if image.width * image.height > MAX_LOGO_PIXELS:
                return False
            image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, AttributeError):
        return False
    return True


def _clean(data: CompanyProfileInput) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name, value in given(data).items():
        if name == "logo":
            if value is not None:
                if len(value) > MAX_LOGO_BYTES:
                    errors.setdefault(name, []).append(_("The logo is larger than 1 MB."))
                elif logo_type(value) is None or not logo_decodes(value):
                    errors.setdefault(name, []).append(_("Upload the logo as a PNG or JPEG image."))
            cleaned[name] = value
            continue
        if name == "portal_review_details":
            cleaned[name] = bool(value)
            continue
        text = value.strip() if name == "default_terms" else clean_text(value)
        limit = _LENGTHS.get(name)
        if name in _NORMALIZERS:
            try:
                text = _NORMALIZERS[name](text)
            except ValidationError as exc:
                errors.setdefault(name, []).extend(exc.messages)
                continue
        if limit and len(text) > limit:
            errors.setdefault(name, []).append(
                _("Use at most %(limit)d characters (this has %(count)d).")
                % {"limit": limit, "count": len(text)}
            )
        cleaned[name] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def company_profile_save(*, actor: User, data: CompanyProfileInput) -> CompanyProfile:
    """Validate and save the company profile; only an administrator may. The change is audited."""
    policy.require_admin(actor)
    cleaned = _clean(data)
    profile, created = CompanyProfile.objects.select_for_update().get_or_create(pk=PROFILE_PK)
    before = {name: getattr(profile, name) for name in AUDITED}
    changes: dict[str, list[Any]] = {}
    logo = cleaned.pop("logo", UNSET)
    for name, value in cleaned.items():
        if before[name] != value:
            changes[name] = [before[name], value]
            setattr(profile, name, value)
    if logo is not UNSET:
        old = profile.logo.name if profile.logo else ""
        if logo is None:
            profile.logo = ""
            profile.logo_type = ""
        else:
            profile.logo_type = logo_type(logo) or ""
            extension = "png" if profile.logo_type == "image/png" else "jpg"
            profile.logo.save(f"logo.{extension}", ContentFile(logo), save=False)
        if old or logo is not None:
            changes["logo"] = [old or None, profile.logo.name or None]
        if old and old != profile.logo.name:
            storage = profile.logo.storage
            transaction.on_commit(lambda: storage.delete(old))
    if not changes and not created:
        return profile
    profile.save()
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE if created else AuditEvent.Kind.UPDATE,
        obj=profile,
        changes=changes,
    )
    return profile
