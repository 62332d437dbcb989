from django.db import migrations


def load(apps, schema_editor):
    from research.defaults import load_defaults

    load_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("research", "0001_activities_growth"),
        ("inspections", "0003_criterion_evidence_rule"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
