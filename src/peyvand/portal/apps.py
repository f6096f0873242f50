from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "peyvand.portal"
    label = "portal"
    verbose_name = _("Customer portal")

    def ready(self) -> None:
        from . import hooks  # imports models, which are ready only now

        hooks.register()
