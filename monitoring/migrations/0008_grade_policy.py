from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0007_value_added")]

    operations = [
        migrations.AddField(
            model_name="exam",
            name="grade_policy",
            field=models.CharField(
                blank=True,
                choices=[("", "默认（按全市设置）"), ("grades", "等级（不显示名次）"), ("ranks", "排名")],
                default="",
                help_text="选“等级”时，页面、导出、接口和报告一律以等级（A/B/C/D）代替名次；“默认”按全市设置。",
                max_length=6,
                verbose_name="等级代替排名",
            ),
        ),
    ]
