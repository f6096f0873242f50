from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import CustomValues, TrackedModel

from ..normalize import display_phone

ALIVE = Q(deleted_at__isnull=True)


class Kind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class Source(models.TextChoices):
    WEBSITE = "website", _("Website")
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    STORE = "store", _("Store")
    DISTRIBUTOR = "distributor", _("Distributor")
    PARTNER = "partner", _("Partner")
    CAMPAIGN = "campaign", _("Campaign")
    REFERRAL = "referral", _("Referral")
    OTHER = "other", _("Other")


class Stage(models.TextChoices):
    SUSPECT = "suspect", _("Suspect")
    PROSPECT = "prospect", _("Prospect")
    CUSTOMER = "customer", _("Customer")
    FORMER = "former", _("Former customer")


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50)
    # The search form of the name: «مشتري ويژه» and «مشتری ویژه» are one tag.
    key = models.CharField(max_length=50, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Party(TrackedModel):
    """A customer: a person or an organisation."""

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    display_name = models.CharField(_("name"), max_length=200)
    sort_key = models.CharField(max_length=200, editable=False)
    search_text = models.TextField(editable=False, blank=True)
    national_id = models.CharField(_("national ID"), max_length=20, blank=True)
    # The buyer's «کد اقتصادی» on an official sales invoice.
    economic_code = models.CharField(_("economic code"), max_length=12, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # party_owner (owner, kind, sort_key) serves every owner lookup
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.OTHER)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.SUSPECT)
    email_consent = models.BooleanField(_("agrees to email"), default=False)
    email_consent_at = models.DateTimeField(_("email consent date"), null=True, blank=True)
    email_consent_source = models.CharField(_("email consent source"), max_length=100, blank=True)
    sms_consent = models.BooleanField(_("agrees to SMS"), default=False)
    sms_consent_at = models.DateTimeField(_("SMS consent date"), null=True, blank=True)
    sms_consent_source = models.CharField(_("SMS consent source"), max_length=100, blank=True)
    # Copies of the primary contact points, kept by the services, so lists and exports of a
    # million customers read one table.
    primary_email = models.CharField(_("email"), max_length=254, blank=True, editable=False)
    primary_phone = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    tags = models.ManyToManyField(Tag, through="PartyTag", related_name="parties", blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from", db_index=False
    )
    # Set on rows created by an import: undo finds them, and the search index fills them in
    # bulk after the rows are in (the database's triggers index every other write at once).
    import_job = models.ForeignKey(
        "customers.ImportJob",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    custom = CustomValues()

    class Meta(TrackedModel.Meta):
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["kind", "sort_key", "id"], condition=ALIVE, name="party_kind_sort"),
            models.Index(fields=["kind", "created_at", "id"], condition=ALIVE, name="party_kind_created"),
            models.Index(fields=["kind", "updated_at", "id"], condition=ALIVE, name="party_kind_updated"),
            models.Index(fields=["owner", "kind", "sort_key"], condition=ALIVE, name="party_owner"),
            models.Index(fields=["kind", "stage", "sort_key"], condition=ALIVE, name="party_stage"),
            models.Index(fields=["kind", "source", "sort_key"], condition=ALIVE, name="party_source"),
            # Nearly every row has none of these: partial indexes cost an insert nothing.
            models.Index(
                fields=["deletion_batch"],
                condition=Q(deletion_batch__isnull=False),
                name="party_deletion_batch",
            ),
            models.Index(
                fields=["merged_into"], condition=Q(merged_into__isnull=False), name="party_merged_into"
            ),
            models.Index(
                fields=["import_job", "id"], condition=Q(import_job__isnull=False), name="party_import_job"
            ),
            models.Index(fields=["national_id"], condition=~Q(national_id=""), name="party_national_id"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_person(self) -> bool:
        return self.kind == Kind.PERSON


class PartyTag(models.Model):
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="+")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["party", "tag"], name="partytag_unique")]
        indexes = [models.Index(fields=["tag", "party"], name="partytag_tag")]

    def __str__(self) -> str:
        return f"{self.party_id}:{self.tag_id}"


class Membership(TrackedModel):
    """A person's place in an organisation."""

    person = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="members")
    title = models.CharField(_("job title"), max_length=100, blank=True)

    class Meta(TrackedModel.Meta):
        verbose_name = _("membership")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation"], condition=ALIVE, name="membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.organisation}"


class ContactPoint(TrackedModel):
    """A phone, email address or postal address of a customer."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("Email")
        ADDRESS = "address", _("Address")

    class Label(models.TextChoices):
        MOBILE = "mobile", _("Mobile")
        WORK = "work", _("Work")
        HOME = "home", _("Home")
        FAX = "fax", _("Fax")
        OTHER = "other", _("Other")

    # db_index off: contactpoint_party (party, kind) serves every lookup by customer.
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="contact_points", db_index=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    label = models.CharField(_("type"), max_length=10, choices=Label.choices, default=Label.OTHER)
    # E.164 for phones, lower case for emails, one line for addresses.
    value = models.CharField(_("value"), max_length=254)
    is_primary = models.BooleanField(_("primary"), default=False)
    country = models.CharField(_("country"), max_length=2, blank=True)
    province = models.CharField(_("province"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    street = models.CharField(_("street address"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)

    class Meta(TrackedModel.Meta):
        ordering = ["kind", "-is_primary", "id"]
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        constraints = [
            models.UniqueConstraint(
                fields=["party", "kind"],
                condition=ALIVE & Q(is_primary=True),
                name="contactpoint_one_primary",
            )
        ]
        indexes = [
            models.Index(fields=["kind", "value"], condition=ALIVE, name="contactpoint_lookup"),
            models.Index(fields=["party", "kind"], name="contactpoint_party"),
        ]

    def __str__(self) -> str:
        return display_phone(self.value) if self.kind == self.Kind.PHONE else self.value


class Note(TrackedModel):
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="notes")
    body = models.TextField(_("note"), blank=True)
    # A merge's note of the other record's values that were not kept, as data
    # ({"name": ..., "values": {field: value as the audit log keeps it}}) rather than text,
    # so each reader sees it in their own language (customers.selectors.note_text). Blank
    # body then; editing the note turns it into ordinary text.
    kept_aside = models.JSONField(null=True, blank=True, editable=False)

    class Meta(TrackedModel.Meta):
        verbose_name = _("note")
        indexes = [models.Index(fields=["party", "-created_at", "-id"], name="note_timeline")]

    def __str__(self) -> str:
        if self.kept_aside and not self.body:
            return str(_("Values not kept in a merge"))
        return self.body[:80]
