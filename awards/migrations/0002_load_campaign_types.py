from django.db import migrations


def load(apps, schema_editor):
    from awards.catalogue import load_campaign_types

    load_campaign_types(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0001_selections"),
        ("schools", "0003_student_number_format"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
