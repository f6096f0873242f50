from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .text import search_key


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Manager")
    SALES = "sales", _("Sales")
    SUPPORT = "support", _("Support")
    MARKETING = "marketing", _("Marketing")
    READONLY = "readonly", _("Read-only")


class Scope(models.TextChoices):
    """How far a permission reaches, narrowest first."""

    NONE = "none", _("Nothing")
    OWN = "own", _("Own records")
    TEAM = "team", _("Team's records")
    ALL = "all", _("All records")


class Action(models.TextChoices):
    VIEW = "view", _("See")
    CHANGE = "change", _("Change")


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    class Language(models.TextChoices):
        PERSIAN = "fa", _("Persian")
        ENGLISH = "en", _("English")

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.READONLY)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    # Blank until the user picks one: until then the browser's language decides.
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Tehran")
    # Username, names and email in the form searches compare in (text.search_key): «رئیسی»
    # is found by «رییسی» and «رئيسي». Kept by save(), whoever saves (the services,
    # createsuperuser), because a user missing from it could not be found at all.
    search_text = models.CharField(max_length=800, blank=True, editable=False)

    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_administrator(self) -> bool:
        return self.is_active and self.role == Role.ADMIN

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = user_search_text(self.username, self.first_name, self.last_name, self.email)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & SEARCHED_USER_FIELDS:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)


SEARCHED_USER_FIELDS = frozenset({"username", "first_name", "last_name", "email"})


def user_search_text(*parts: str) -> str:
    return " ".join(key for key in (search_key(part) for part in parts) if key)[:800]


class RoleScope(models.Model):
    """An administrator's override of the default scope of one role for one action."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    resource = models.CharField(_("resource"), max_length=40)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)

    class Meta:
        verbose_name = _("permission")
        verbose_name_plural = _("permissions")
        constraints = [
            models.UniqueConstraint(fields=["role", "resource", "action"], name="rolescope_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.resource} · {self.get_action_display()}"


class AuditEvent(models.Model):
    """One append-only row per change: who, when, what, and each field's old and new value."""

    class Kind(models.TextChoices):
        # Read after the actor's name on the timeline: "Sara changed …".
        CREATE = "create", pgettext_lazy("audit event", "created")
        UPDATE = "update", pgettext_lazy("audit event", "changed")
        DELETE = "delete", pgettext_lazy("audit event", "deleted")
        RESTORE = "restore", pgettext_lazy("audit event", "restored")
        MERGE = "merge", pgettext_lazy("audit event", "merged")

    at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("what"), max_length=10, choices=Kind.choices)
    model = models.CharField(_("record type"), max_length=60)
    object_id = models.BigIntegerField(_("record"))
    object_repr = models.CharField(_("record"), max_length=200)
    # The customer whose timeline shows this event (a contact point's change shows on its
    # person). Not a foreign key: the log outlives the rows it describes.
    party_id = models.BigIntegerField(null=True, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["party_id", "-at", "-id"], name="audit_party_timeline"),
            models.Index(fields=["model", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("audit events are append-only")


class ApiToken(models.Model):
    """A personal API token. Only a hash is kept; the token is shown once when created."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LoginAttempt(models.Model):
    username = models.CharField(max_length=150)
    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["username", "at"], name="login_username_at"),
            models.Index(fields=["address", "at"], name="login_address_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"


class SiteFlag(models.Model):
    """Small facts about this installation, such as whether the demo data was loaded."""

    key = models.CharField(max_length=60, primary_key=True)
    value = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key


class AliveManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class TrackedModel(models.Model):
    """Who made and changed a record, and soft delete.

    A deleted record keeps its row with ``deleted_at`` set; records deleted together
    share a ``deletion_batch`` so the trash can restore them together.
    """

    # No index of its own on these: every list has composite indexes (kind, created_at, id)
    # and the like, and each extra index slows every insert of a bulk import.
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # never searched by; users are deactivated, not deleted
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # never searched by; users are deactivated, not deleted
    )
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deleted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # never searched by; users are deactivated, not deleted
    )
    deletion_batch = models.UUIDField(null=True, blank=True, editable=False)

    objects = AliveManager()
    all_objects = models.Manager()  # noqa: DJ012 - a manager, not a field

    class Meta:
        abstract = True
        base_manager_name = "all_objects"

    @staticmethod
    def new_batch() -> uuid.UUID:
        return uuid.uuid4()
