"""Custom field values on leads, deals and products (``core.custom_fields``), ``{}`` by
default in the database too, added without rebuilding the tables on SQLite."""

from django.db import migrations

from peyvand.core.custom_field_migrations import add_custom_values


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0002_product_unit_cost"),
    ]

    operations = [
        add_custom_values("sales", "lead"),
        add_custom_values("sales", "deal"),
        add_custom_values("sales", "product"),
    ]
