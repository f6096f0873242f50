from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "peyvand.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    # The messenger is reached from the user menu and the bell, not the crowded main menu.
