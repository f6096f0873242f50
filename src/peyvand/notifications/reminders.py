"""The reminders an activity may have, in minutes before it is due, and how they read."""

from django.utils.translation import gettext_lazy as _

REMINDER_CHOICES = (0, 5, 10, 15, 30, 60, 120, 1440, 2880, 10080)
DEFAULT_REMINDERS = [15]
REMINDER_LABELS = {
    0: _("At the time"),
    5: _("5 minutes before"),
    10: _("10 minutes before"),
    15: _("15 minutes before"),
    30: _("30 minutes before"),
    60: _("1 hour before"),
    120: _("2 hours before"),
    1440: _("1 day before"),
    2880: _("2 days before"),
    10080: _("1 week before"),
}
REMINDER_OPTIONS = [(m, REMINDER_LABELS[m]) for m in REMINDER_CHOICES]
