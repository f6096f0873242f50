from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import CustomValues, Searchable, TrackedModel

ALIVE = Q(deleted_at__isnull=True)


def money_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    """An amount of money: up to 10^18 with two decimals (none are used for Rial)."""
    return models.DecimalField(verbose_name, max_digits=20, decimal_places=2, **kwargs)


def rate_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    """A percentage such as a tax rate or a discount, 0.00–100.00."""
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, **kwargs)


class Unit(models.TextChoices):
    PIECE = "piece", _("Piece")
    HOUR = "hour", _("Hour")
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")
    KILOGRAM = "kg", _("Kilogram")
    METRE = "m", _("Metre")
    LICENCE = "licence", _("Licence")
    SERVICE = "service", _("Service")


class PriceList(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    currency = models.CharField(_("currency"), max_length=3)
    is_default = models.BooleanField(_("default"), default=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "name", "id"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"


class Product(Searchable, TrackedModel):
    sku = models.CharField(_("SKU"), max_length=40)
    name_fa = models.CharField(_("name in Persian"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.PIECE)
    tax_rate = rate_field(_("tax rate (%)"), default=10)
    # What one unit costs the company, in the base currency: what customer profitability
    # subtracts from revenue (empty: not known, counted as nothing).
    unit_cost = models.DecimalField(_("unit cost"), max_digits=18, decimal_places=2, null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    search_text = models.TextField(editable=False, blank=True)
    custom = CustomValues()
    SEARCHED = ("sku", "name_fa", "name_en")

    class Meta(TrackedModel.Meta):
        ordering = ["sku", "id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [models.UniqueConstraint(fields=["sku"], condition=ALIVE, name="product_sku_unique")]

    def __str__(self) -> str:
        return f"{self.sku} · {self.name}"

    @property
    def name(self) -> str:
        """The name in the interface's language, the other one when it is missing."""
        if (get_language() or "fa").startswith("en"):
            return self.name_en or self.name_fa
        return self.name_fa or self.name_en


class ProductPrice(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="prices")
    price = money_field(_("price"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "price_list"], name="productprice_unique"),
            models.CheckConstraint(condition=Q(price__gte=0), name="productprice_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.price_list_id}: {self.price}"


class CurrencyRate(models.Model):
    """How many units of the base currency one unit of ``currency`` is worth from a day on."""

    currency = models.CharField(_("currency"), max_length=3)
    rate = models.DecimalField(_("rate"), max_digits=24, decimal_places=6)
    valid_from = models.DateField(_("valid from"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["currency", "-valid_from"]
        verbose_name = _("currency rate")
        verbose_name_plural = _("currency rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="currencyrate_unique"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="currencyrate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} ({self.valid_from})"
