"""A customer's custom field values (``core.custom_fields``), ``{}`` by default in the
database too, so the bulk import's own INSERTs need not name the column.

On SQLite, Django adds a NOT NULL column by rebuilding the table, which drops the triggers
that keep the search index (0002) in step and copies every customer: the column is added
with ALTER TABLE instead, which keeps both (as 0010 does). PostgreSQL adds it in place.
"""

from django.db import migrations, models

SQLITE_ADD = (
    "ALTER TABLE customers_party ADD COLUMN custom text NOT NULL DEFAULT '{}' "
    'CHECK ((JSON_VALID("custom") OR "custom" IS NULL))'
)
SQLITE_DROP = "ALTER TABLE customers_party DROP COLUMN custom"


def _field(model) -> models.JSONField:  # type: ignore[no-untyped-def]
    field = models.JSONField(
        blank=True,
        db_default=models.Value({}, models.JSONField()),
        default=dict,
        verbose_name="custom fields",
    )
    field.set_attributes_from_name("custom")
    field.model = model  # its database default is compiled against the model
    return field


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_ADD)
    else:
        party = apps.get_model("customers", "Party")
        schema_editor.add_field(party, _field(party))


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)
    else:
        party = apps.get_model("customers", "Party")
        schema_editor.remove_field(party, _field(party))


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0010_party_economic_code"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="party",
                    name="custom",
                    field=models.JSONField(
                        blank=True,
                        db_default=models.Value({}, models.JSONField()),
                        default=dict,
                        verbose_name="custom fields",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
    ]
