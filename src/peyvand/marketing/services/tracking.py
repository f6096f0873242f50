"""What recipients do with a campaign: a click on one of its links, an opened email.

A click arrives with a signed token naming the recipient and the link's number in the
campaign's own list of links (frozen when it was sent): there is no address in the token to
tamper with, so the redirect can only ever go where the campaign itself linked.
"""

from __future__ import annotations

from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .. import content
from ..models import Recipient


def click_record(*, token: str) -> str | None:
    """Count the click and return the link it leads to; None for a token that is not ours."""
    found = content.read_link_token(token)
    if found is None:
        return None
    recipient_id, index = found
    links = Recipient.objects.filter(pk=recipient_id).values_list("campaign__links", flat=True).first()
    if not isinstance(links, list) or not 0 <= index < len(links):
        return None
    now = Value(timezone.now())
    # A click also says the email was opened (images are often blocked).
    Recipient.objects.filter(pk=recipient_id).update(
        clicks=F("clicks") + 1,
        clicked_at=Coalesce(F("clicked_at"), now),
        opened_at=Coalesce(F("opened_at"), now),
    )
    return str(links[index])


def open_record(*, token: str) -> bool:
    recipient_id = content.read_open_token(token)
    if recipient_id is None:
        return False
    Recipient.objects.filter(pk=recipient_id, opened_at__isnull=True).update(opened_at=timezone.now())
    return True
