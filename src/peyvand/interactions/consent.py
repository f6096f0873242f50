"""Consent rules for email and SMS, and recognising an opt-out reply.

Marketing needs the customer's opt-in on that channel; transactional messages (an answer,
a reminder of an appointment, an invoice) do not. A reply such as «لغو», «لغو۱۱», «STOP»
or «إلغاء» withdraws SMS consent.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from peyvand.core.text import search_key
from peyvand.customers.models import Party

from .models import Purpose

# Compared after search_key (Arabic letters folded to Persian, digits to ASCII, case
# folded) with digits, punctuation and spaces removed: operators ask for «لغو۱۱» and
# people type «STOP!» or «لغو کنید».
OPT_OUT_WORDS = frozenset(
    {
        "لغو",
        "لغوکنید",
        "لغوعضویت",
        "انصراف",
        "ابطال",
        "توقف",
        "الغا",
        "الغاء",
        "stop",
        "stopall",
        "unsubscribe",
        "cancel",
        "end",
        "quit",
        "optout",
    }
)
_NOT_LETTERS = re.compile(r"[\W\d_]+")
UNSUBSCRIBE_SALT = "peyvand.unsubscribe"


def is_opt_out(text: str) -> bool:
    """Whether an inbound message asks to stop receiving messages."""
    key = _NOT_LETTERS.sub("", search_key(text))
    return bool(key) and len(key) <= 20 and key in OPT_OUT_WORDS


def consent_given(*, party: Party, channel: str, purpose: str) -> bool:
    """Whether ``party`` may receive a message of ``purpose`` on ``channel`` now."""
    if purpose != Purpose.MARKETING:
        return True
    return bool(party.email_consent if channel == "email" else party.sms_consent)


def consent_check(*, party: Party, channel: str, purpose: str) -> None:
    """Refuse a marketing message to a customer who has not opted in on ``channel``."""
    if not consent_given(party=party, channel=channel, purpose=purpose):
        if channel == "email":
            message = _("This customer has not agreed to marketing email; send only transactional email.")
        else:
            message = _("This customer has not agreed to marketing SMS; send only transactional SMS.")
        raise ValidationError({"purpose": [message]})


def unsubscribe_token(party: Party, channel: str) -> str:
    # No time stamp: the same link each time it is made, so an email's List-Unsubscribe header
    # (made when it is sent) and its body (made when it was written) carry one link.
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"p": party.pk, "c": channel}, compress=True)


def unsubscribe_payload(token: str) -> Any:
    """What an unsubscribe link names; raises ``signing.BadSignature`` for a forged one. Links
    made before they lost their time stamp are honoured still."""
    try:
        return signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        # A time-stamped link is also a good signature of "object:time": its object does not
        # read, and the time-stamped reading takes over.
        return signing.loads(token, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(party: Party, channel: str) -> str:
    """The signed one-click link (and List-Unsubscribe address) that withdraws ``channel``."""
    return settings.PEYVAND_BASE_URL + reverse("unsubscribe", args=[unsubscribe_token(party, channel)])
