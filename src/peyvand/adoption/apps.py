from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdoptionConfig(AppConfig):
    name = "peyvand.adoption"
    label = "adoption"
    verbose_name = _("CRM adoption")

    def ready(self) -> None:
        from . import hooks  # imports models, which are ready only now

        hooks.register()
