"""Who takes a ticket that arrives unassigned: the agents' skills, and the assignment rules an
administrator orders (by category, product and type, within a team: taking turns, or to the
agent with the fewest open tickets)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peyvand.core.models import Team
from peyvand.sales.models import Product

from .tickets import Category, Kind


class Skill(models.Model):
    """What an agent is good at (a language, a product line, the billing system)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    agents = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("agents"), blank=True, related_name="service_skills"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self) -> str:
        return self.name


class AssignmentRule(models.Model):
    """Who gets a ticket nobody was given: the first active rule, in order, whose conditions
    the ticket meets and whose team has an agent to take it. A blank condition matches all."""

    class Method(models.TextChoices):
        ROUND_ROBIN = "round_robin", _("Take turns (round-robin)")
        LEAST_OPEN = "least_open", _("Fewest open tickets")

    order = models.PositiveIntegerField(pgettext_lazy("position in a list", "order"), default=0)
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, blank=True)
    skill = models.ForeignKey(
        Skill, verbose_name=_("skill"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    method = models.CharField(_("method"), max_length=12, choices=Method.choices, default=Method.ROUND_ROBIN)
    # The turn's place: the agent who got the last ticket. Locked (select_for_update) while
    # a ticket is given, so tickets opened at once take consecutive turns in any process.
    last_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")

    def __str__(self) -> str:
        return f"{self.team} · {self.get_method_display()}"
