from django.db import migrations


def load(apps, schema_editor):
    from inspections.defaults import load_defaults

    load_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_rubrics_campaigns_visits_observations")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
