"""Indexes for the ticket list's other orders (by priority, by last change) and for a team's
tickets of one priority: at a million tickets those pages sorted every open ticket."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0009_sla_policy_tag"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["priority", "created_at", "id"], name="ticket_priority_created"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["team", "priority", "created_at"], name="ticket_team_priority"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["updated_at", "id"], name="ticket_updated"),
        ),
    ]
