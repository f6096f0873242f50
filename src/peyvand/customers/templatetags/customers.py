from django import template
from django.utils.translation import gettext_lazy as _

from ..models import Note
from ..normalize import display_phone
from ..selectors.parties import note_text

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """A stored E.164 number as people write it: 0912 123 4567, or +44 20 … abroad."""
    return display_phone(value) if value else ""


# How consent came to be recorded; anything else (a campaign's name, say) is shown as stored.
CONSENT_SOURCES = {
    "manual": _("entered by hand"),
    "import": _("import"),
    "api": _("API"),
    "web_form": _("web form"),
    "sms_reply": _("a reply to an SMS"),
    "unsubscribe": _("the unsubscribe link"),
}


@register.filter
def note_body(note: Note) -> str:
    """A note's text in the reader's language (a merge's note is kept as data)."""
    return note_text(note)


@register.filter
def consent_source(value: str) -> str:
    return str(CONSENT_SOURCES.get(value, value))
