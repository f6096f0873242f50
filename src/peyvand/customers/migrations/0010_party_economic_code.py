"""A customer's economic code («کد اقتصادی»), for the buyer's block of an official invoice.

On SQLite, Django adds a NOT NULL column by rebuilding the table, which drops the triggers
that keep the search index (0002) in step and copies every customer: the column is added
with ALTER TABLE instead, which keeps both. PostgreSQL adds it in place either way.
"""

from django.db import migrations, models

SQLITE_ADD = "ALTER TABLE customers_party ADD COLUMN economic_code varchar(12) NOT NULL DEFAULT ''"
SQLITE_DROP = "ALTER TABLE customers_party DROP COLUMN economic_code"


def _field() -> models.CharField:
    field = models.CharField(blank=True, default="", max_length=12, verbose_name="economic code")
    field.set_attributes_from_name("economic_code")
    return field


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_ADD)
    else:
        schema_editor.add_field(apps.get_model("customers", "Party"), _field())


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)
    else:
        schema_editor.remove_field(apps.get_model("customers", "Party"), _field())


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0009_insight_churn"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="party",
                    name="economic_code",
                    field=models.CharField(blank=True, max_length=12, verbose_name="economic code"),
                ),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
    ]
