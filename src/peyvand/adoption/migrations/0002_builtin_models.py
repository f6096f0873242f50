"""The five readiness models of seed [000] and the six risk groups of seed [004], read from the
app's data files. Adding them again is harmless: what exists (by key) is left alone."""

from django.db import migrations


def load(apps, schema_editor):
    from peyvand.adoption.services import catalogue

    catalogue.builtin_models_load(registry=apps)
    catalogue.risk_groups_load(registry=apps)


class Migration(migrations.Migration):
    dependencies = [("adoption", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
