from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "peyvand.automation"
    label = "automation"
    verbose_name = _("Workflow automation")

    def ready(self) -> None:
        from . import hooks  # imports models, which are ready only now

        hooks.register()
