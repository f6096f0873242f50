"""A campaign's message as one customer receives it: in their language, placeholders
filled, links pointed at tracking addresses, the unsubscribe link or opt-out line, and (SMS)
its segments and cost.

The same ``Renderer`` makes the preview, the test send and every message of the send: the
per-language work (sanitising, the plain-text part, the email's layout) is done once, so a
message costs a few string replacements and an HMAC per link.
"""

from __future__ import annotations

import copy
import dataclasses
import html as html_lib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peyvand.core import jalali
from peyvand.core.models import User
from peyvand.customers.models import Kind, Membership, Party
from peyvand.interactions import smscount
from peyvand.interactions.consent import unsubscribe_url

from .. import conf, content
from ..models import Campaign, Channel

# Where the per-message parts go in an email's layout (rendered once per language):
# private-use characters, which no template or content holds and no escaping touches.
BODY, UNSUBSCRIBE, PIXEL = "\ue000body\ue000", "\ue000leave\ue000", "\ue000pixel\ue000"
# Where a tracking token goes in the addresses (plain letters: an address is escaped).
TOKEN = "xtokenx"  # noqa: S105 - a marker, not a secret


@dataclass(frozen=True)
class Reader:
    """What a message needs of its customer (from one row, for a million of them)."""

    party_id: int
    kind: str
    first_name: str
    last_name: str
    display_name: str
    email: str = ""
    phone: str = ""
    owner: str = ""
    company: str = ""

    def values(self, sender: str, today: str) -> dict[str, str]:
        """The placeholders' values (as ``interactions.placeholders.values_for`` fills them)."""
        return {
            "name": self.display_name,
            "first_name": self.first_name or self.display_name,
            "last_name": self.last_name,
            "company": self.company,
            "owner": self.owner,
            "sender": sender,
            "today": today,
        }


@dataclass(frozen=True)
class Rendered:
    language: str
    subject: str
    text: str
    html: str = ""
    segments: int = 0
    cost: Decimal | None = None


def companies(person_ids: Iterable[int]) -> dict[int, str]:
    """Each person's first organisation, in one query."""
    found: dict[int, str] = {}
    rows = (
        Membership.objects.filter(person_id__in=list(person_ids), organisation__deleted_at=None)
        .order_by("person_id", "id")
        .values_list("person_id", "organisation__display_name")
    )
    for person_id, name in rows:
        found.setdefault(person_id, name)
    return found


def owner_names(owner_ids: Iterable[int]) -> dict[int, str]:
    return {user.pk: str(user) for user in User.objects.filter(pk__in=set(owner_ids))}


def reader_of(party: Party) -> Reader:
    """One customer's reader (a preview, a test send)."""
    company = companies([party.pk]).get(party.pk, "") if party.kind == Kind.PERSON else party.display_name
    return Reader(
        party_id=party.pk,
        kind=party.kind,
        first_name=party.first_name,
        last_name=party.last_name,
        display_name=party.display_name,
        email=party.primary_email,
        phone=party.primary_phone,
        owner=str(party.owner) if party.owner_id else "",
        company=company,
    )


def reader_of_user(user: User) -> Reader:
    """The sender standing in for a customer (a test send with nobody chosen)."""
    return Reader(
        party_id=0,
        kind=Kind.PERSON,
        first_name=user.first_name,
        last_name=user.last_name,
        display_name=str(user),
        email=user.email,
        owner=str(user),
    )


@dataclass
class Prepared:
    """One language's content, split once: ``content.fill`` puts the values in."""

    today: str
    subject: list[str]
    body: list[str]  # the SMS text, or the email's HTML fragment, links marked
    text: list[str] = dataclasses.field(default_factory=list)  # an email's plain-text part
    opt_out: str = ""
    leave_label: str = ""
    layout: str = ""


class Renderer:
    """Renders ``campaign`` for any reader; ``track`` points the links at tracking addresses
    and adds the open pixel (only for a real send: a preview has no recipient to count)."""

    def __init__(self, campaign: Campaign, *, sender: User | None, track: bool) -> None:
        self.campaign = campaign
        self.email = campaign.channel == Channel.EMAIL
        self.track_links = track and campaign.track_links
        self.track_opens = track and self.email and campaign.track_opens
        self.sender = str(sender) if sender else ""
        self.languages = campaign.languages or [campaign.default_language]
        self.links = list(campaign.links) if campaign.links else campaign_links(campaign)
        base = settings.PEYVAND_BASE_URL
        self.click_url = (base + reverse("marketing:click", args=[TOKEN])).split(TOKEN)
        self.pixel_url = (base + reverse("marketing:pixel", args=[TOKEN])).split(TOKEN)
        today = timezone.localdate()
        self.parts: dict[str, Prepared] = {}
        for language in self.languages:
            with translation.override(language):
                self.parts[language] = self._prepare(language, jalali.format_date(today, language, long=True))

    def _prepare(self, language: str, today: str) -> Prepared:
        subject = content.split_placeholders(self.campaign.subject(language))
        body = self.campaign.body(language).strip()
        if not self.email:
            marked = content.mark_links(body, self.links, email=False)
            return Prepared(
                today, subject, content.split_placeholders(marked), opt_out=conf.sms_opt_out(language)
            )
        fragment = content.sanitize_html(body)
        layout = render_to_string(
            "marketing/email/campaign.html",
            {
                "language": language,
                "direction": "rtl" if translation.get_language_bidi() else "ltr",
                "align": "right" if translation.get_language_bidi() else "left",
                "subject": self.campaign.subject(language),
                "body": BODY,
                "unsubscribe_url": UNSUBSCRIBE,
                "pixel": PIXEL,
            },
        )
        return Prepared(
            today,
            subject,
            content.split_placeholders(content.mark_links(fragment, self.links, email=True)),
            text=content.split_placeholders(content.html_text(fragment)),
            leave_label=_("Unsubscribe"),
            layout=layout,
        )

    def language_for(self, reader: Reader) -> str:
        language = content.reader_language(
            name=reader.display_name,
            phone=reader.phone,
            email=reader.email,
            default=self.campaign.default_language,
        )
        if language in self.parts:
            return language
        return (
            self.campaign.default_language
            if self.campaign.default_language in self.parts
            else self.languages[0]
        )

    def _links(self, recipient_id: int | None, escape: bool) -> list[str]:
        """Where each of the campaign's links points in this message."""
        if not self.track_links or recipient_id is None:
            links = self.links
        else:
            before, after = self.click_url
            links = [f"{before}{content.link_token(recipient_id, n)}{after}" for n in range(len(self.links))]
        return [html_lib.escape(link) for link in links] if escape else links

    def render(self, reader: Reader, *, recipient_id: int | None = None, language: str = "") -> Rendered:
        language = language if language in self.parts else self.language_for(reader)
        parts = self.parts[language]
        values = reader.values(self.sender, parts.today)
        subject = content.fill(parts.subject, values)[:200]
        if not self.email:
            text = content.put_links(
                content.fill(parts.body, values), self._links(recipient_id, escape=False)
            )
            text = f"{text}\n{parts.opt_out}"
            counted = smscount.count(text)
            return Rendered(language, subject, text, segments=counted.segments, cost=counted.cost)
        escaped = {name: html_lib.escape(value) for name, value in values.items()}
        fragment = content.put_links(
            content.fill(parts.body, escaped), self._links(recipient_id, escape=True)
        )
        # A test send to the sender has no customer to unsubscribe: its link goes nowhere.
        leave = unsubscribe_url(Party(pk=reader.party_id), "email") if reader.party_id else "#"
        pixel = ""
        if self.track_opens and recipient_id is not None:
            before, after = self.pixel_url
            source = html_lib.escape(f"{before}{content.open_token(recipient_id)}{after}")
            pixel = f'<img src="{source}" width="1" height="1" alt="" style="display:block;border:0;">'
        page = parts.layout.replace(BODY, fragment).replace(UNSUBSCRIBE, html_lib.escape(leave))
        page = page.replace(PIXEL, pixel)
        text = f"{content.fill(parts.text, values)}\n\n-- \n{parts.leave_label}: {leave}"
        return Rendered(language, subject, text, html=page)


def variant_campaign(campaign: Campaign, variant: str) -> Campaign:
    """The campaign as variant ``variant`` reads: B's subject and text where it has them,
    A's elsewhere (an unsaved copy, for the renderer)."""
    if variant != "b":
        return campaign
    other = copy.copy(campaign)
    for language, _name in settings.LANGUAGES:
        if campaign.subject_b(language).strip():
            setattr(other, f"subject_{language}", campaign.subject_b(language))
        if campaign.body_b(language).strip():
            setattr(other, f"body_{language}", campaign.body_b(language))
    return other


def campaign_links(campaign: Campaign) -> list[str]:
    """The links the content holds (both variants of an A/B test), in every language, each
    once (placeholders in a link make it the reader's own, and such a link is not tracked)."""
    found: list[str] = []
    for language, _name in settings.LANGUAGES:
        bodies = [campaign.body(language)]
        if campaign.ab_test:
            bodies.append(campaign.body_b(language))
        for body in bodies:
            if campaign.channel == Channel.EMAIL:
                found += content.email_links(content.sanitize_html(body))
            else:
                found += content.sms_links(body)
    return [link for link in dict.fromkeys(found) if "{" not in link]
