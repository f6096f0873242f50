"""Campaigns, their audiences, and each customer they reached (or skipped, and why)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peyvand.core.models import Searchable, TrackedModel
from peyvand.customers.models import Party
from peyvand.interactions.models import OutboundMessage
from peyvand.sales.models.catalogue import money_field

from .segments import Segment

ALIVE = Q(deleted_at__isnull=True)


class Goal(models.TextChoices):
    AWARENESS = "awareness", _("Awareness")
    ACQUISITION = "acquisition", _("Win new customers")
    SALES = "sales", _("Sell more")
    CROSS_SELL = "cross_sell", _("Cross-sell and up-sell")
    RETENTION = "retention", _("Keep customers or win them back")
    EVENT = "event", _("Invite to an event")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class Status(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("campaign", "Draft")
    SCHEDULED = "scheduled", pgettext_lazy("campaign", "Scheduled")
    SENDING = "sending", pgettext_lazy("campaign", "Sending")
    SENT = "sent", pgettext_lazy("campaign", "Sent")
    CANCELLED = "cancelled", pgettext_lazy("campaign", "Cancelled")


EDITABLE_STATUSES = (Status.DRAFT, Status.SCHEDULED)


class Criterion(models.TextChoices):
    """What decides an A/B test: the share of each variant's sample that did it."""

    OPENS = "opens", _("Opens")
    CLICKS = "clicks", _("Clicks")
    REPLIES = "replies", _("Replies")


class Variant(models.TextChoices):
    A = "a", _("Variant A")
    B = "b", _("Variant B")


class Campaign(Searchable, TrackedModel):
    """One message to an audience on one channel, in each reader's language, and what came of it.

    The content is per language: ``subject_*`` (email only) and ``body_*`` (the email's
    sanitised HTML, or the SMS text). While it is sent, the run keeps its lease, heartbeat
    and progress here: ``total`` customers targeted, ``processed`` of them decided (queued or
    skipped), ``cursor`` the last recipient row decided.
    """

    name = models.CharField(_("name"), max_length=200)
    goal = models.CharField(_("goal"), max_length=20, choices=Goal.choices, default=Goal.SALES)
    description = models.TextField(_("description"), blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.SMS)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    budget = money_field(_("budget"), null=True, blank=True)
    other_cost = money_field(_("other costs"), default=0)
    currency = models.CharField(_("currency"), max_length=3)
    attribution_days = models.PositiveSmallIntegerField(_("attribution window (days)"), default=30)
    track_links = models.BooleanField(_("track clicks"), default=True)
    track_opens = models.BooleanField(_("track opens"), default=False)
    default_language = models.CharField(
        _("language for customers of unknown language"),
        max_length=5,
        choices=settings.LANGUAGES,
        default="fa",
    )
    subject_fa = models.CharField(_("subject (Persian)"), max_length=200, blank=True)
    body_fa = models.TextField(_("text (Persian)"), blank=True)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    # A control group: this share of the eligible customers is kept out of the send, to
    # measure the campaign's lift against them.
    control_percent = models.PositiveSmallIntegerField(_("control group (%)"), default=0)
    # An A/B test: a sample gets A or B (half each); after ``ab_hours`` the better one by
    # ``ab_criterion`` (ties: A) goes to the rest. B's empty parts are A's.
    ab_test = models.BooleanField(_("A/B test"), default=False)
    subject_b_fa = models.CharField(_("subject B (Persian)"), max_length=200, blank=True)
    body_b_fa = models.TextField(_("text B (Persian)"), blank=True)
    subject_b_en = models.CharField(_("subject B (English)"), max_length=200, blank=True)
    body_b_en = models.TextField(_("text B (English)"), blank=True)
    ab_sample_percent = models.PositiveSmallIntegerField(_("test sample (%)"), default=20)
    ab_criterion = models.CharField(
        _("winner by"), max_length=10, choices=Criterion.choices, default=Criterion.CLICKS
    )
    ab_hours = models.PositiveSmallIntegerField(_("test duration (hours)"), default=4)
    ab_ends_at = models.DateTimeField(_("test ends"), null=True, blank=True, editable=False)
    ab_winner = models.CharField(
        _("winner"), max_length=1, choices=Variant.choices, blank=True, editable=False
    )
    ab_decided_at = models.DateTimeField(_("winner chosen"), null=True, blank=True, editable=False)
    ab_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("winner chosen by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # The figures the winner was chosen on: {"criterion", "a": {"sent", "count"}, "b": …}.
    ab_result = models.JSONField(default=dict, blank=True, editable=False)
    # Sending: who pressed send (whose view of the customers the audience is), when, how far.
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    total = models.PositiveIntegerField(_("targeted"), default=0)
    processed = models.PositiveIntegerField(default=0, editable=False)
    # A programme's send step: its content, sent one enrolment at a time by the programme's
    # job (never by the campaign's own run); kept out of the campaign lists.
    programme = models.ForeignKey(
        "Programme", null=True, blank=True, on_delete=models.CASCADE, related_name="+", editable=False
    )
    audience_frozen = models.BooleanField(default=False, editable=False)
    cursor = models.BigIntegerField(default=0, editable=False)
    lease = models.UUIDField(null=True, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The web addresses the content links to, frozen when sending starts: a click leads only
    # to one of these.
    links = models.JSONField(default=list, blank=True, editable=False)
    search_text = models.TextField(editable=False, blank=True)
    SEARCHED = ("name", "description")

    class Meta(TrackedModel.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        indexes = [
            models.Index(fields=["-created_at", "-id"], condition=ALIVE, name="campaign_created"),
            models.Index(fields=["status", "send_at"], condition=ALIVE, name="campaign_status"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        if self.programme_id:  # a programme's step: read through its programme
            return reverse("marketing:programme_detail", args=[self.programme_id])
        return reverse("marketing:campaign_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == Status.SENT else 0
        return min(100, self.processed * 100 // self.total)

    def subject(self, language: str) -> str:
        return str(getattr(self, f"subject_{language}", "") or "")

    def body(self, language: str) -> str:
        return str(getattr(self, f"body_{language}", "") or "")

    def subject_b(self, language: str) -> str:
        return str(getattr(self, f"subject_b_{language}", "") or "")

    def body_b(self, language: str) -> str:
        return str(getattr(self, f"body_b_{language}", "") or "")

    @property
    def has_variant_b(self) -> bool:
        parts = ("subject_b", "body_b") if self.channel == Channel.EMAIL else ("body_b",)
        return any(
            getattr(self, f"{part}_{code}", "").strip() for part in parts for code, _n in settings.LANGUAGES
        )

    @property
    def ab_waiting(self) -> bool:
        """Its sample was sent and the winner is not chosen yet."""
        return self.ab_test and self.ab_ends_at is not None and not self.ab_winner

    @property
    def languages(self) -> list[str]:
        """The languages it has content in."""
        return [code for code, _name in settings.LANGUAGES if self.body(code).strip()]


class CampaignSegment(models.Model):
    """A segment or list the campaign goes to, or (``exclude``) whose customers it leaves out."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="audience")
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="+")
    exclude = models.BooleanField(_("exclude"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "segment"], name="campaignsegment_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{'-' if self.exclude else '+'}{self.segment_id}"


class Recipient(models.Model):
    """One customer a campaign targeted: queued into the outbox once, or skipped with a reason.

    Unique per campaign and customer (a campaign has one channel): a send that runs twice, or
    resumes after a crash, never writes a second. ``delivery`` follows the outbox message's
    status (the outbox writes it, see ``OutboundMessage.source_field``).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        QUEUED = "queued", _("Queued")
        SKIPPED = "skipped", _("Skipped")
        HELD_OUT = "held_out", _("Held out (control group)")
        REST = "rest", _("Waiting for the A/B test's winner")

    class Reason(models.TextChoices):
        NO_CONSENT = "no_consent", _("Has not agreed to this channel")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        NO_ADDRESS = "no_address", _("No address for this channel")
        BOUNCED = "bounced", _("Address bounced")
        CONTROL = "control", _("Kept out of the send to measure the campaign's lift")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    party = models.ForeignKey(Party, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    reason = models.CharField(_("reason"), max_length=15, choices=Reason.choices, blank=True)
    address = models.CharField(_("address"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=5, blank=True)
    message = models.ForeignKey(
        OutboundMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=OutboundMessage.Status.choices, blank=True
    )
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, null=True, blank=True)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    clicked_at = models.DateTimeField(_("clicked"), null=True, blank=True)
    clicks = models.PositiveIntegerField(_("clicks"), default=0)
    # The content it got ("" without an A/B test) and whether it was in the test's sample.
    variant = models.CharField(_("variant"), max_length=1, choices=Variant.choices, blank=True)
    in_test = models.BooleanField(_("in the A/B test's sample"), default=False)
    # A programme's message: the enrolment it was sent for (once per step and enrolment).
    enrolment = models.ForeignKey(
        "Enrolment", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["campaign", "id"]
        verbose_name = _("campaign recipient")
        verbose_name_plural = _("campaign recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "party"], condition=Q(enrolment__isnull=True), name="recipient_once"
            ),
            models.UniqueConstraint(
                fields=["campaign", "enrolment"],
                condition=Q(enrolment__isnull=False),
                name="recipient_enrolment_once",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "state", "id"], name="recipient_state"),
            models.Index(fields=["party", "-id"], name="recipient_party"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.party_id}"
