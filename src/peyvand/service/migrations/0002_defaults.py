"""The desk's starting settings, named in the installation's language: a business calendar
with the Iranian week and Iran's official holidays, two SLA policies and a few categories.
An administrator renames or changes them on the settings page."""

from django.conf import settings
from django.db import migrations

NAMES = {
    "fa": {
        "calendar": "ساعات کاری تهران",
        "urgent": "فوری",
        "standard": "استاندارد",
        "categories": ["پرداخت و صورت‌حساب", "ارسال و تحویل", "کیفیت کالا", "راهنمایی استفاده", "سایر"],
    },
    "en": {
        "calendar": "Tehran business hours",
        "urgent": "Urgent",
        "standard": "Standard",
        "categories": [
            "Billing and invoices",
            "Shipping and delivery",
            "Product quality",
            "How to use",
            "Other",
        ],
    },
}
FULL, HALF = [[8 * 60, 16 * 60]], [[8 * 60, 13 * 60]]
IRANIAN_WEEK = {"5": FULL, "6": FULL, "0": FULL, "1": FULL, "2": FULL, "3": HALF, "4": []}


def create(apps, schema_editor):
    BusinessCalendar = apps.get_model("service", "BusinessCalendar")
    SlaPolicy = apps.get_model("service", "SlaPolicy")
    Category = apps.get_model("service", "Category")
    if BusinessCalendar.objects.exists():
        return
    names = NAMES.get(settings.LANGUAGE_CODE[:2], NAMES["en"])
    calendar = BusinessCalendar.objects.create(
        name=names["calendar"],
        time_zone="Asia/Tehran",
        week=IRANIAN_WEEK,
        official_holidays=True,
        is_default=True,
    )
    # Urgent: answered within an hour and resolved within a working day; the rest within half
    # a working day and five.
    SlaPolicy.objects.create(
        name=names["urgent"], priority=4, calendar=calendar, first_response_minutes=60,
        next_response_minutes=60, resolution_minutes=8 * 60, warn_before_minutes=15, order=10,
    )  # fmt: skip
    SlaPolicy.objects.create(
        name=names["standard"], calendar=calendar, first_response_minutes=4 * 60,
        next_response_minutes=8 * 60, resolution_minutes=5 * 8 * 60, warn_before_minutes=60, order=100,
    )  # fmt: skip
    for order, name in enumerate(names["categories"]):
        Category.objects.create(name=name, order=order * 10)


class Migration(migrations.Migration):
    dependencies = [("service", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
