from django.apps import AppConfig
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _

from .converters import IdConverter


class CoreConfig(AppConfig):
    name = "peyvand.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        register_converter(IdConverter, "id")
