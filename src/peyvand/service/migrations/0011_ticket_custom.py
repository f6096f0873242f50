"""Custom field values on tickets (``core.custom_fields``), ``{}`` by default in the
database too, added without rebuilding the table on SQLite."""

from django.db import migrations

from peyvand.core.custom_field_migrations import add_custom_values


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0010_ticket_list_orders"),
    ]

    operations = [
        add_custom_values("service", "ticket"),
    ]
