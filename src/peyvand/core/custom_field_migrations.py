"""The migration that gives a table its ``custom`` values column (``models.CustomValues``).

On SQLite, Django adds a NOT NULL column by rebuilding the table, which copies every row
and drops any trigger on it (the customers' search index keeps itself in step by
triggers): the column is added with ALTER TABLE instead, which keeps both. PostgreSQL adds
it in place. Customers' migration 0011 wrote this out for its one table; the records of
other apps use this.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models


def _field(model: Any) -> models.JSONField:
    field = models.JSONField(
        blank=True,
        db_default=models.Value({}, models.JSONField()),
        default=dict,
        verbose_name="custom fields",
    )
    field.set_attributes_from_name("custom")
    field.model = model  # its database default is compiled against the model
    return field


def add_custom_values(app_label: str, model_name: str) -> migrations.SeparateDatabaseAndState:
    """The operation adding ``custom`` to ``app_label.model_name``, forwards and back."""

    def forward(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        if schema_editor.connection.vendor == "sqlite":
            table = schema_editor.quote_name(model._meta.db_table)
            schema_editor.execute(
                f"ALTER TABLE {table} ADD COLUMN custom text NOT NULL DEFAULT '{{}}' "
                'CHECK ((JSON_VALID("custom") OR "custom" IS NULL))'
            )
        else:
            schema_editor.add_field(model, _field(model))

    def backward(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        if schema_editor.connection.vendor == "sqlite":
            table = schema_editor.quote_name(model._meta.db_table)
            schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN custom")
        else:
            schema_editor.remove_field(model, _field(model))

    return migrations.SeparateDatabaseAndState(
        state_operations=[
            migrations.AddField(
                model_name=model_name,
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
    )
