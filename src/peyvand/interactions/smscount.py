"""How many segments an SMS takes, and what it costs, before it is sent.

A message in the GSM 03.38 alphabet packs 160 characters into one SMS (153 per part when
it is split, the rest carries the joining header). Any other character, a Persian letter
or a Persian digit, makes the whole message UCS-2: 70 characters, 67 per part. Characters
outside the Basic Multilingual Plane (emoji) take two UCS-2 units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = "^{}\\[~]|€\f"  # each is an escape plus a character: two septets
_BASIC = frozenset(GSM7_BASIC)
_EXTENDED = frozenset(GSM7_EXTENDED)
_GSM7 = _BASIC | _EXTENDED


@dataclass(frozen=True)
class SmsCount:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets or UTF-16 code units
    segments: int
    per_segment: int  # how many units each segment of this message holds
    cost: Decimal
    currency: str

    @property
    def remaining(self) -> int:
        """Units left in the last segment before another one starts."""
        return self.segments * self.per_segment - self.units if self.units else self.per_segment


def is_gsm7(text: str) -> bool:
    return _GSM7.issuperset(text)


def count(text: str, *, price: Decimal | None = None) -> SmsCount:
    if is_gsm7(text):
        encoding, single, multi = "GSM-7", 160, 153
        units = len(text) + sum(map(text.count, GSM7_EXTENDED))
    else:
        encoding, single, multi = "UCS-2", 70, 67
        units = len(text.encode("utf-16-le")) // 2
    segments = 0 if units == 0 else (1 if units <= single else math.ceil(units / multi))
    unit_price = Decimal(settings.PEYVAND_SMS_SEGMENT_PRICE) if price is None else price
    return SmsCount(
        encoding=encoding,
        units=units,
        segments=segments,
        per_segment=single if segments <= 1 else multi,
        cost=unit_price * segments,
        currency=settings.PEYVAND_SMS_CURRENCY,
    )
