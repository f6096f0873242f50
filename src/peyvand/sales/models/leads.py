from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peyvand.core.models import CustomValues, Searchable, Team, TrackedModel
from peyvand.customers.models import Party, Source
from peyvand.interactions.models import Channel

from .deals import Deal

ALIVE = Q(deleted_at__isnull=True)


class LeadStage(models.TextChoices):
    SUSPECT = "suspect", _("Suspect")
    PROSPECT = "prospect", _("Prospect")
    QUALIFIED = "qualified", _("Qualified")
    CONVERTED = "converted", _("Converted")
    DISQUALIFIED = "disqualified", _("Disqualified")


class WebForm(models.Model):
    """A web-to-lead form an administrator designs and embeds on a website."""

    name = models.CharField(_("name"), max_length=100)
    key = models.CharField(max_length=40, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    fields = models.JSONField(_("fields"), default=list)
    required = models.JSONField(_("required fields"), default=list)
    email_consent_label = models.CharField(_("email consent text"), max_length=300, blank=True)
    sms_consent_label = models.CharField(_("SMS consent text"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.WEBSITE)
    thank_you = models.CharField(_("thank-you message"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=5, default="fa")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")

    def __str__(self) -> str:
        return self.name


class Lead(Searchable, TrackedModel):
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    display_name = models.CharField(_("name"), max_length=200, editable=False)
    company = models.CharField(_("company"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    email = models.CharField(_("email"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    province = models.CharField(_("province"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    message = models.TextField(_("message"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.OTHER)
    stage = models.CharField(_("stage"), max_length=20, choices=LeadStage.choices, default=LeadStage.SUSPECT)
    disqualify_reason = models.CharField(_("reason disqualified"), max_length=500, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL)
    score = models.IntegerField(_("score"), default=0)
    # [[rule label, points], ...]: why the score is what it is.
    score_details = models.JSONField(default=list, blank=True, editable=False)
    email_consent = models.BooleanField(_("agrees to email"), default=False)
    sms_consent = models.BooleanField(_("agrees to SMS"), default=False)
    consent_at = models.DateTimeField(_("consent date"), null=True, blank=True)
    web_form = models.ForeignKey(
        WebForm, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    party = models.ForeignKey(
        Party, verbose_name=_("person"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        Party,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deal = models.ForeignKey(Deal, verbose_name=_("deal"), null=True, blank=True, on_delete=models.SET_NULL)
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True)
    last_touch_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    search_text = models.TextField(editable=False, blank=True)
    custom = CustomValues()
    SEARCHED = ("display_name", "company", "email", "phone")

    class Meta(TrackedModel.Meta):
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["score", "id"], condition=ALIVE, name="lead_score"),
            models.Index(fields=["created_at", "id"], condition=ALIVE, name="lead_created_sort"),
            models.Index(fields=["owner", "stage"], condition=ALIVE, name="lead_owner"),
            models.Index(fields=["stage", "score"], condition=ALIVE, name="lead_stage"),
        ]

    def __str__(self) -> str:
        return self.display_name


class LeadTouch(models.Model):
    """A contact with a lead before it is a customer: a call, an email, a meeting."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="touches")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("lead contact")

    def __str__(self) -> str:
        return f"{self.lead_id} {self.channel}"


class ScoreRule(models.Model):
    """Points an administrator gives a lead for one fact about it."""

    class Kind(models.TextChoices):
        FIELD = "field", _("Field filled in")
        SOURCE = "source", _("Source is")
        PROVINCE = "province", _("Province is")
        TOUCHES = "touches", _("Points per contact")
        RECENCY = "recency", _("Contacted within days")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=100, blank=True)
    points = models.SmallIntegerField(_("points"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "value", "id"]
        verbose_name = _("scoring rule")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}: {self.points}"


class AssignmentRule(models.Model):
    """Who gets a new lead nobody was given: the first matching rule in order decides."""

    class Kind(models.TextChoices):
        SOURCE = "source", _("Source is")
        PROVINCE = "province", _("Province is")
        ANY = "any", _("Any lead")

    order = models.PositiveIntegerField(pgettext_lazy("position in a list", "order"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=100, blank=True)
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Leave empty to take turns (round-robin) among the team's salespeople."),
    )
    # The round-robin's place: the member who got the last lead.
    last_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("assignment rule")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class WebFormHit(models.Model):
    """One submission of any web form from an address, kept a day for rate limiting."""

    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["address", "at"], name="webformhit_address")]

    def __str__(self) -> str:
        return f"{self.address} {self.at}"
