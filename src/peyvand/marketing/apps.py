from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "peyvand.marketing"
    label = "marketing"
    verbose_name = _("Marketing")

    def ready(self) -> None:
        from . import hooks  # imports models, which are ready only now

        hooks.register()
