"""The seeded data of teaching research: activity types, the duties' lines, the bureau's reference
books, and which criteria of the default routine rubric each duty is evidence for."""

from research import rules

ACTIVITY_TYPES = [
    ("lesson_prep", "集体备课"),
    ("theme", "主题教研"),
    (rules.CONSULTATION_TYPE, "学情会商"),
    (rules.MEETING_TYPE, "教学例会"),
    ("inter_school", "校际研讨"),
    ("zone", "片区教研"),
    (rules.CITY_TYPE, "集中教研"),
    ("outreach", "送教下乡"),
    ("reading", "读书交流"),
    ("reading_forum", "读书论坛"),
    (rules.PARENT_TYPE, "家长学校"),
    ("quality_analysis", "质量分析会"),
]

# code, name, threshold, unit, requirement, source
RULE_LINES = [
    (rules.GROUP_HOURS, "教研组活动", "2", "小时/周", "教研组活动每周≥2小时", "种子000 §二(一)3"),
    (rules.SCHOOL_WIDE, "全校学科教研活动", "2", "次", "全校学科教研活动每学期≥2次", "种子000 §二(一)3"),
    (rules.CONSULTATIONS, "学情会商", "1", "次", "学情会商每学期≥1次", "种子001 §(九)"),
    (rules.MEETING_GAP, "教学工作例会", "14", "天", "教学工作例会间隔≤14天", "种子001 §(十三)"),
    (rules.PARENT_HOURS, "家长学校", "2", "学时", "家长课每学期≥2学时", "种子000 §二(三)3"),
    (rules.CITY_ATTENDED, "市级集中教研", "2", "次", "参加市级集中教研每学期≥2次", "种子000 §二(二)3"),
]

BOOKS = [
    ("给教师的建议", "苏霍姆林斯基"),
    ("教学勇气", "帕克·帕尔默"),
    ("课程与教学的基本原理", "拉尔夫·泰勒"),
    ("追求理解的教学设计", "格兰特·威金斯"),
    ("可见的学习", "约翰·哈蒂"),
    ("静悄悄的革命", "佐藤学"),
    ("第56号教室的奇迹", "雷夫·艾斯奎斯"),
    ("教育的情调", "马克斯·范梅南"),
    ("学习的本质", "安德烈·焦尔当"),
    ("人是如何学习的", "美国国家研究理事会"),
    ("陶行知教育名篇", "陶行知"),
    ("叶圣陶语文教育论集", "叶圣陶"),
]

# Criterion code of the default routine rubric (inspections/defaults.py) → the rule it is evidence for.
CRITERION_RULES = {
    "F1": rules.GROUP_HOURS,
    "F2": rules.SCHOOL_WIDE,
    "D2": rules.CONSULTATIONS,
    "G1": rules.MEETING_GAP,
    "G3": rules.PARENT_HOURS,
}


def load_defaults(apps) -> None:
    """Create what is missing (the data migration and the tests' flushed databases call it)."""
    from decimal import Decimal

    ActivityType = apps.get_model("research", "ActivityType")
    RuleLine = apps.get_model("research", "RuleLine")
    Book = apps.get_model("research", "Book")
    Criterion = apps.get_model("inspections", "Criterion")
    for order, (code, name) in enumerate(ACTIVITY_TYPES, start=1):
        ActivityType.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    for order, (code, name, threshold, unit, requirement, source) in enumerate(RULE_LINES, start=1):
        RuleLine.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "threshold": Decimal(threshold),
                "unit": unit,
                "requirement": requirement,
                "source": source,
                "order": order,
            },
        )
    for order, (title, author) in enumerate(BOOKS, start=1):
        Book.objects.get_or_create(title=title, defaults={"author": author, "order": order})
    # The mapping is data about a criterion, not its scoring: set it on the frozen default rubric with
    # an UPDATE (a published criterion refuses save()).
    for code, rule in CRITERION_RULES.items():
        Criterion.objects.filter(area__rubric__kind="routine", code=code, evidence_rule="").update(evidence_rule=rule)
