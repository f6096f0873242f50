"""Users, teams, roles and the administrator's adjustments to the permission matrix."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import get_language
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


class CustomRole(models.Model):
    """A role an administrator made by copying another: it behaves as its base built-in role
    wherever the code asks for a kind of user (``user.role``), and reaches records by its own
    scopes in the permission matrix (``RoleScope`` rows of this role; the base's defaults
    where it has none)."""

    name_fa = models.CharField(_("name in Persian"), max_length=100, unique=True)
    name_en = models.CharField(_("name in English"), max_length=100, unique=True)
    base = models.CharField(_("based on"), max_length=20, choices=Role.choices)
    two_factor_required = models.BooleanField(_("two-factor sign-in required"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("custom role")
        verbose_name_plural = _("custom roles")

    def __str__(self) -> str:
        return self.name_fa if get_language() == "fa" else self.name_en

    @property
    def key(self) -> str:
        """How the matrix and forms name this role beside the built-in ones."""
        return f"custom-{self.pk}"


class User(Searchable, AbstractUser):
    class Language(models.TextChoices):
        PERSIAN = "fa", _("Persian")
        ENGLISH = "en", _("English")

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.READONLY)
    # Set for a user of a custom role; ``role`` is then that role's base.
    custom_role = models.ForeignKey(
        CustomRole,
        verbose_name=_("custom role"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
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
    """An administrator's override of the default scope of one role for one action: of a
    built-in role (``role``, no ``custom_role``) or of a custom role (``custom_role``, blank ``role``)."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    custom_role = models.ForeignKey(
        CustomRole, null=True, blank=True, on_delete=models.CASCADE, related_name="scopes"
    )
    resource = models.CharField(_("resource"), max_length=40)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)

    class Meta:
        verbose_name = _("permission")
        verbose_name_plural = _("permissions")
        constraints = [
            models.UniqueConstraint(
                fields=["role", "resource", "action"],
                condition=models.Q(custom_role__isnull=True),
                name="rolescope_unique",
            ),
            models.UniqueConstraint(
                fields=["custom_role", "resource", "action"],
                condition=models.Q(custom_role__isnull=False),
                name="rolescope_custom_unique",
            ),
        ]

    def __str__(self) -> str:
        role = str(self.custom_role) if self.custom_role_id else self.get_role_display()
        return f"{role} · {self.resource} · {self.get_action_display()}"
