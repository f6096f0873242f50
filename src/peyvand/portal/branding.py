"""The company's brand in the portal: its name, logo and main colour, with a text colour
that reads on it (black or white, whichever contrasts more by WCAG 2's formula).

Pure functions of the company profile's values, so they are tested without a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import get_language

if TYPE_CHECKING:
    from peyvand.core.models import CompanyProfile

DEFAULT_COLOUR = "#0b5ed7"  # a Bootstrap blue white text reads on (5.8:1): before a company picks one
_HEX = re.compile(r"^#[0-9a-f]{6}$")
WHITE, BLACK = "#ffffff", "#000000"
READABLE = 4.5  # WCAG AA for body text


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG 2's relative luminance of ``#rrggbb``."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(first: str, second: str) -> float:
    """WCAG 2's contrast ratio of two colours, 1 to 21."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def readable_on(colour: str) -> str:
    """Black or white: whichever reads better on ``colour``."""
    return BLACK if contrast(colour, BLACK) >= contrast(colour, WHITE) else WHITE


def rgb(colour: str) -> str:
    """``#1f6feb`` -> ``31, 111, 235``: for Bootstrap's ``--bs-primary-rgb``."""
    return ", ".join(str(int(colour[i : i + 2], 16)) for i in (1, 3, 5))


@dataclass(frozen=True)
class Brand:
    name: str
    has_logo: bool
    colour: str
    on_colour: str
    link_colour: str  # the colour itself where it reads on the white page, else the default

    @property
    def colour_rgb(self) -> str:
        return rgb(self.colour)

    @property
    def link_colour_rgb(self) -> str:
        return rgb(self.link_colour)


def brand(profile: CompanyProfile) -> Brand:
    colour = profile.brand_colour if _HEX.match(profile.brand_colour or "") else DEFAULT_COLOUR
    language = "en" if (get_language() or "fa").startswith("en") else "fa"
    return Brand(
        name=profile.legal_name(language),
        has_logo=bool(profile.logo and profile.logo_type),
        colour=colour,
        on_colour=readable_on(colour),
        link_colour=colour if contrast(colour, WHITE) >= READABLE else "#0a58ca",
    )
