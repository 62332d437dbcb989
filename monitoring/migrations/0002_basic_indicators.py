"""The twelve 基本要求 of seed 001 (义务教育学校教学质量基本要求（试行）) as indicators with lines.
Qualitative requirements are filed as 1 (met) or 0 (not met)."""

from decimal import Decimal

from django.db import migrations

YES_NO = "填 1 表示达到，0 表示未达到"

INDICATORS = [
    ("R01", "坚持正确办学方向", "", "gte", "1", "", YES_NO),
    ("R02", "开齐开足国家规定课程", "", "gte", "1", "", YES_NO),
    ("R03", "随堂监测达标率", "%", "gte", "80", "", "课堂教学效果随堂监测达标率"),
    ("R04", "区域质量监测各学科合格率居中等以上或逐年提升", "", "gte", "1", "", YES_NO),
    ("R05", "书面作业在校内完成", "", "gte", "1", "", "小学生基本在校内完成，初中生在校内完成大部分；" + YES_NO),
    ("R06A", "体质健康监测合格率", "%", "gte", "90", "", ""),
    ("R06B", "近视率比上一年度降低", "个百分点", "gte", "1", "", "上一年度近视率减本年度近视率"),
    ("R07", "每天校内中等强度及以上体育锻炼", "小时", "gte", "1", "", ""),
    ("R08A", "小学生每天睡眠时间", "小时", "gte", "10", "小学", ""),
    ("R08B", "初中学生每天睡眠时间", "小时", "gte", "9", "初中", ""),
    ("R09", "学生至少熟练掌握1项艺术特长", "", "gte", "1", "", YES_NO),
    ("R10", "学生具备必备的劳动能力", "", "gte", "1", "", YES_NO),
    ("R11", "无违背师德师风问题", "", "gte", "1", "", YES_NO),
    ("R12", "家长对学校教育教学满意度", "%", "gte", "90", "", ""),
]


def load(apps, schema_editor):
    Indicator = apps.get_model("monitoring", "Indicator")
    for order, (code, name, unit, direction, line, stages, description) in enumerate(INDICATORS):
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "direction": direction,
                "line": Decimal(line),
                "stages": stages,
                "description": description,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_exams_scores_statistics")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
