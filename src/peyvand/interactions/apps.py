from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionsConfig(AppConfig):
    name = "peyvand.interactions"
    label = "interactions"
    verbose_name = _("Interactions")

    def ready(self) -> None:
        from . import hooks  # imports models, which are ready only now

        hooks.register()
