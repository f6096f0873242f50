from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "peyvand.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from . import hooks  # imports models, which are ready only now

        hooks.register()
