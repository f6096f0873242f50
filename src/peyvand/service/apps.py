from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "peyvand.service"
    label = "service"
    verbose_name = _("Customer service")

    def ready(self) -> None:
        from . import hooks  # imports models, which are ready only now

        hooks.register()
