from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "peyvand.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from . import hooks  # imports models, which are ready only now

        hooks.register()
