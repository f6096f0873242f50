"""Tickets (cases) and their threads: public replies, internal notes, the customer's messages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peyvand.core.models import CustomValues, Searchable, Team, TrackedModel
from peyvand.customers.models import Party
from peyvand.interactions.models import Interaction, OutboundMessage
from peyvand.sales.models import Order, Product


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    WEB = "web", _("Web form")
    PORTAL = "portal", _("Portal")
    CHAT = "chat", _("Chat")
    IN_PERSON = "in_person", _("In person")


class Kind(models.TextChoices):
    QUESTION = "question", _("Question")
    REQUEST = "request", _("Request")
    INCIDENT = "incident", _("Incident")
    COMPLAINT = "complaint", _("Complaint")


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class Language(models.TextChoices):
    """The language a customer writes in: canned replies and acknowledgements follow it."""

    PERSIAN = "fa", _("Persian")
    ENGLISH = "en", _("English")


class Status(models.TextChoices):
    NEW = "new", pgettext_lazy("ticket", "New")
    OPEN = "open", pgettext_lazy("ticket", "Open")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting on the customer")
    WAITING_THIRD_PARTY = "waiting_third_party", _("Waiting on a third party")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", pgettext_lazy("ticket", "Closed")


# Statuses in which the ticket is still someone's work.
OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING_CUSTOMER, Status.WAITING_THIRD_PARTY)
ALIVE = Q(deleted_at__isnull=True)
# A ticket in the queues: open, neither deleted nor merged into another.
QUEUED = Q(deleted_at__isnull=True, merged_into__isnull=True, status__in=[s.value for s in OPEN_STATUSES])


class Category(models.Model):
    """What a ticket is about (billing, delivery, a product's use…), set by an administrator."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveIntegerField(pgettext_lazy("position in a list", "order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "name", "id"]
        verbose_name = _("ticket category")
        verbose_name_plural = _("ticket categories")

    def __str__(self) -> str:
        return self.name


class Cause(models.Model):
    """Why customers complain (late delivery, a damaged product…): the Pareto's bars."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveIntegerField(pgettext_lazy("position in a list", "order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "name", "id"]
        verbose_name = _("complaint cause")
        verbose_name_plural = _("complaint causes")

    def __str__(self) -> str:
        return self.name


class Ticket(Searchable, TrackedModel):
    """A customer's request, question, incident or complaint, worked until resolved.

    The SLA clocks live on the row: the due times of the first response, the next response
    (while the customer waits for an answer) and the resolution, each None when it does not
    run; ``sla_used_minutes`` holds the business minutes the resolution clock consumed before
    a pause (waiting on the customer stops it) and ``sla_running_since`` when it last started.
    """

    number = models.CharField(_("number"), max_length=20, unique=True)
    party = models.ForeignKey(
        Party, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="tickets"
    )
    contact = models.ForeignKey(
        Party,
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=200)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.PHONE)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.QUESTION)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    language = models.CharField(
        _("customer's language"), max_length=5, choices=Language.choices, default=Language.PERSIAN
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sla_policy = models.ForeignKey(
        "SlaPolicy",
        verbose_name=_("SLA policy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    next_response_due = models.DateTimeField(_("next response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    sla_used_minutes = models.PositiveIntegerField(default=0)
    sla_running_since = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)
    # A ticket merged into another lives on there; a new one opened by a late reply, or split
    # from another, names the one it follows.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    follows = models.ForeignKey(
        "self", verbose_name=_("follows"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A complaint's particulars: why, about which order, what the customer was given, and
    # whether they stayed a customer (unknown until someone says).
    cause = models.ForeignKey(
        Cause,
        verbose_name=_("root cause"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    order = models.ForeignKey(
        Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    compensation = models.CharField(_("compensation"), max_length=200, blank=True)
    compensation_amount = models.DecimalField(
        _("compensation amount"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    customer_stayed = models.BooleanField(_("customer stayed"), null=True, blank=True)
    search_text = models.TextField(editable=False, blank=True)
    custom = CustomValues()
    SEARCHED = ("number", "subject", "party.display_name")

    class Meta(TrackedModel.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["status", "created_at", "id"], name="ticket_status_created"),
            models.Index(fields=["assignee", "status", "created_at"], name="ticket_assignee_status"),
            models.Index(fields=["team", "status", "created_at"], name="ticket_team_status"),
            models.Index(fields=["party", "created_at"], name="ticket_party_created"),
            models.Index(fields=["created_at", "id"], name="ticket_created"),
            # The list's other orders, read backwards for the newest or most urgent first.
            models.Index(fields=["priority", "created_at", "id"], name="ticket_priority_created"),
            models.Index(fields=["team", "priority", "created_at"], name="ticket_team_priority"),
            models.Index(fields=["updated_at", "id"], name="ticket_updated"),
            models.Index(fields=["first_response_due"], name="ticket_first_response_due"),
            models.Index(fields=["next_response_due"], name="ticket_next_response_due"),
            models.Index(fields=["resolution_due"], name="ticket_resolution_due"),
            # The queues read open tickets only: their pages and capped counts walk these,
            # index-only, instead of every ticket's row (a count to 10,000 at a million tickets).
            models.Index(fields=["created_at", "id"], condition=QUEUED, name="ticket_open_created"),
            models.Index(
                fields=["assignee", "created_at", "id"], condition=QUEUED, name="ticket_open_assignee"
            ),
            models.Index(
                fields=["team", "priority", "created_at", "id"], condition=QUEUED, name="ticket_open_team"
            ),
            models.Index(fields=["resolution_due", "id"], condition=QUEUED, name="ticket_open_due"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("service:ticket_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Message(TrackedModel):
    """One entry of a ticket's thread."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("From the customer")
        REPLY = "reply", _("Reply to the customer")
        NOTE = "note", _("Internal note")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    body = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    # The touchpoint on the customer's timeline: the email or SMS received, or the one sent.
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outbound = models.ForeignKey(
        OutboundMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delivery_status = models.CharField(_("delivery"), max_length=10, blank=True)
    # The email's Message-ID, to thread the customer's replies (In-Reply-To, References).
    message_id = models.CharField(max_length=255, blank=True, db_index=True)

    class Meta(TrackedModel.Meta):
        ordering = ["created_at", "id"]
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="ticket_message_thread")]

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.get_kind_display()}"


class Survey(models.Model):
    """A satisfaction survey sent once, after a ticket is resolved: CSAT (1-5) or NPS (0-10),
    answered through a signed link with a comment."""

    class Kind(models.TextChoices):
        CSAT = "csat", _("Satisfaction (1-5)")
        NPS = "nps", _("Recommendation (0-10)")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="surveys")
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices, default=Kind.CSAT)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.EMAIL)
    outbound = models.ForeignKey(
        OutboundMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [models.UniqueConstraint(fields=["ticket", "kind"], name="survey_once_per_ticket")]
        indexes = [models.Index(fields=["answered_at"], name="survey_answered")]

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.kind}"
