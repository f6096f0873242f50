from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_custom_roles"),
    ]

    operations = [
        migrations.CreateModel(
            name="CustomField",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "entity",
                    models.CharField(
                        choices=[
                            ("person", "People"),
                            ("organisation", "Organisations"),
                            ("lead", "Leads"),
                            ("deal", "Deals"),
                            ("product", "Products"),
                            ("ticket", "Tickets"),
                        ],
                        max_length=20,
                        verbose_name="record type",
                    ),
                ),
                ("key", models.CharField(max_length=40, verbose_name="key")),
                (
                    "type",
                    models.CharField(
                        choices=[
                            ("text", "Text"),
                            ("number", "Number"),
                            ("money", "Money"),
                            ("date", "Date"),
                            ("choice", "Choice"),
                            ("multi_choice", "Multiple choice"),
                            ("yes_no", "Yes or no"),
                            ("user", "User"),
                            ("link", "Link"),
                        ],
                        max_length=20,
                        verbose_name="type",
                    ),
                ),
                ("label_fa", models.CharField(max_length=100, verbose_name="label in Persian")),
                ("label_en", models.CharField(max_length=100, verbose_name="label in English")),
                ("help_fa", models.CharField(blank=True, max_length=200, verbose_name="help in Persian")),
                ("help_en", models.CharField(blank=True, max_length=200, verbose_name="help in English")),
                ("choices", models.JSONField(blank=True, default=list, verbose_name="options")),
                ("required", models.BooleanField(default=False, verbose_name="required")),
                (
                    "filterable",
                    models.BooleanField(default=False, verbose_name="filter and sort the list by it"),
                ),
                ("in_list", models.BooleanField(default=False, verbose_name="a column of the list")),
                ("position", models.PositiveIntegerField(default=0, verbose_name="order")),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
            ],
            options={
                "verbose_name": "custom field",
                "verbose_name_plural": "custom fields",
                "ordering": ["entity", "position", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("entity", "key"), name="custom_field_unique_key")
                ],
            },
        ),
    ]
