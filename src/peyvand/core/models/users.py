"""Users, teams, roles and the administrator's adjustments to the permission matrix."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from .records import Searchable


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


class User(Searchable, AbstractUser):
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
    # «رئیسی» is found by «رییسی» and «رئيسي»; kept by save() whoever saves (the services,
    # createsuperuser), because a user missing from it could not be found at all.
    search_text = models.CharField(max_length=800, blank=True, editable=False)
    SEARCHED = ("username", "first_name", "last_name", "email")

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
