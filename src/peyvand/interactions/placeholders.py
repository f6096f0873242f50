"""Placeholders in email and SMS templates: «سلام {first_name}» becomes «سلام علی».

Only the names below are known; a template with any other ``{name}`` is refused when it is
saved or sent, so a customer never receives a raw brace.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peyvand.core import jalali
from peyvand.core.models import User
from peyvand.customers.models import Membership, Party

PLACEHOLDERS = {
    "name": gettext_lazy("the customer's full name"),
    "first_name": gettext_lazy("first name (a person's)"),
    "last_name": gettext_lazy("last name (a person's)"),
    "company": gettext_lazy("organisation (the customer's, or a person's first one)"),
    "owner": gettext_lazy("the customer's owner"),
    "sender": gettext_lazy("you, the sender"),
    "today": gettext_lazy("today's date"),
}
_FIELD = re.compile(r"\{([^{}\s]{1,40})\}")


def unknown_placeholders(text: str) -> list[str]:
    return sorted({name for name in _FIELD.findall(text or "") if name not in PLACEHOLDERS})


def check(field: str, text: str) -> None:
    unknown = unknown_placeholders(text)
    if unknown:
        raise ValidationError(
            {
                field: [
                    _("Unknown placeholders: %(names)s. Use %(known)s.")
                    % {
                        "names": ", ".join(f"{{{n}}}" for n in unknown),
                        "known": ", ".join(f"{{{n}}}" for n in PLACEHOLDERS),
                    }
                ]
            }
        )


def values_for(*, party: Party, sender: User | None, language: str) -> dict[str, str]:
    if party.is_person:
        membership = (
            Membership.objects.filter(person=party).select_related("organisation").order_by("id").first()
        )
        company = membership.organisation.display_name if membership else ""
    else:
        company = party.display_name
    with translation.override(language):
        today = jalali.format_date(timezone.localdate(), language, long=True)
    return {
        "name": party.display_name,
        "first_name": party.first_name or party.display_name,
        "last_name": party.last_name,
        "company": company,
        "owner": str(party.owner) if party.owner_id else "",
        "sender": str(sender) if sender else "",
        "today": today,
    }


def render(text: str, values: Mapping[str, str]) -> str:
    return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), text or "")
