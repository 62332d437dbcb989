"""Qualitative 基本要求 are filed and shown as 是/否 (issue 14 §7), not as “不低于1 / 0”."""

from django.db import migrations, models

# The qualitative requirements of migration 0002 (filed as 1 or 0 until now).
YES_NO_CODES = ["R01", "R02", "R04", "R05", "R09", "R10", "R11"]
OLD_HINT = "填 1 表示达到，0 表示未达到"


def mark_yes_no(apps, schema_editor):
    Indicator = apps.get_model("monitoring", "Indicator")
    for indicator in Indicator.objects.filter(code__in=YES_NO_CODES):
        indicator.yes_no = True
        # The hint to type 1 or 0 no longer fits a 是/否 choice.
        indicator.description = indicator.description.replace("；" + OLD_HINT, "").replace(OLD_HINT, "")
        indicator.save(update_fields=["yes_no", "description"])


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0008_grade_policy")]

    operations = [
        migrations.AddField(
            model_name="indicator",
            name="yes_no",
            field=models.BooleanField(default=False, help_text="定性要求：填报“是/否”", verbose_name="是否型"),
        ),
        migrations.AlterField(
            model_name="indicator",
            name="stages",
            field=models.CharField(
                blank=True, help_text="空为所有学段；如“小学”“初中”“小学+初中”", max_length=20, verbose_name="适用学段"
            ),
        ),
        migrations.RunPython(mark_yes_no, migrations.RunPython.noop),
    ]
