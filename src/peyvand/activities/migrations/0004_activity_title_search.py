from django.db import migrations, models


def fill(apps, schema_editor):
    """Titles written before the column existed, in the search form (as save() keeps it)."""
    from peyvand.core.text import search_key

    Activity = apps.get_model("activities", "Activity")
    rows = Activity._base_manager.only("pk", "title").order_by("pk")
    changed = []
    for activity in rows.iterator(chunk_size=2000):
        activity.title_search = search_key(activity.title)[:200]
        changed.append(activity)
        if len(changed) == 2000:
            Activity._base_manager.bulk_update(changed, ["title_search"])
            changed = []
    Activity._base_manager.bulk_update(changed, ["title_search"])


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0003_activity_deal"),
    ]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="title_search",
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
