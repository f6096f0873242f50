"""Small facts about this installation."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteFlag(models.Model):
    """Small facts about this installation, such as whether the demo data was loaded."""

    key = models.CharField(max_length=60, primary_key=True)
    value = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key


def private_files() -> FileSystemStorage:
    """Files only the app hands out, to signed-in users: never a public URL."""
    return FileSystemStorage(location=Path(settings.DATA_DIR) / "private" / "core", base_url=None)


class CompanyProfile(models.Model):
    """The company using Peyvand, as its quotes and invoices name it: the seller's block of an
    official Iranian sales invoice. One row (pk 1), kept by ``services.company``."""

    legal_name_fa = models.CharField(_("legal name in Persian"), max_length=200, blank=True)
    legal_name_en = models.CharField(_("legal name in English"), max_length=200, blank=True)
    logo = models.FileField(_("logo"), upload_to="company/", storage=private_files, blank=True)
    logo_type = models.CharField(max_length=20, blank=True, editable=False)
    address = models.CharField(_("address"), max_length=400, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    economic_code = models.CharField(_("economic code"), max_length=12, blank=True)
    national_id = models.CharField(_("national ID"), max_length=11, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=40, blank=True)
    iban = models.CharField(_("IBAN (Sheba)"), max_length=26, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    default_terms = models.TextField(_("default terms"), blank=True)
    brand_colour = models.CharField(_("brand colour"), max_length=7, blank=True)  # "#1f6feb"
    portal_review_details = models.BooleanField(
        _("review changes to contact details before they apply"), default=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("company profile")
        verbose_name_plural = _("company profile")

    def __str__(self) -> str:
        return self.legal_name_fa or self.legal_name_en or str(_("company profile"))

    def legal_name(self, language: str) -> str:
        if language == "en":
            return self.legal_name_en or self.legal_name_fa
        return self.legal_name_fa or self.legal_name_en
