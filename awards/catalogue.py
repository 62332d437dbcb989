"""The campaign types of seed 000 §二(五), seed 002 §二–三 and seed 003 §5(4), as data.

Loaded by a data migration (and again by tests after a transactional flush); the bureau edits them
in the admin afterwards. Every number here is a rule the bureau can change, not code.
"""

PRIZES_123 = [{"name": "一等奖", "count": 1}, {"name": "二等奖", "count": 2}, {"name": "三等奖", "count": 3}]
RESEARCH_LEVELS = ["学校", "教研组（年级组）", "教师个人"]

CAMPAIGN_TYPES = [
    {
        "code": "chief-teacher",
        "name": "学科首席教师",
        "nominee_kind": "teacher",
        "cycle_years": 2,
        "group_by": "subject_category",
        "prizes": [{"name": "学科首席教师", "count": 2}],  # 同类学校同学科不超过2人
        "default_criteria": [
            {"name": "师德师风", "max": 10},
            {"name": "教学业绩", "max": 30},
            {"name": "课堂教学", "max": 25},
            {"name": "教研成果", "max": 20},
            {"name": "示范引领", "max": 15},
        ],
        "max_per_school": 3,
        "bonus_amount": "5000.00",
        "city_direct_only": True,
        "requires_subject": True,
        "min_title": "一级教师",
        "required_honours": ["学科带头人", "骨干教师"],
        "honour": "学科首席教师",
        "order": 1,
    },
    {
        "code": "research-result",
        "name": "优秀教科研成果",
        "nominee_kind": "teacher",
        "group_by": "level",
        "levels": RESEARCH_LEVELS,
        "prizes": PRIZES_123,
        "default_criteria": [
            {"name": "科学性", "max": 25},
            {"name": "创新性", "max": 25},
            {"name": "实践价值", "max": 30},
            {"name": "规范性", "max": 20},
        ],
        "order": 2,
    },
    {
        "code": "model-lesson",
        "name": "精品课例",
        "nominee_kind": "teacher",
        "group_by": "level",
        "levels": RESEARCH_LEVELS,
        "prizes": PRIZES_123,
        "default_criteria": [
            {"name": "教学设计", "max": 25},
            {"name": "教学实施", "max": 35},
            {"name": "教学效果", "max": 25},
            {"name": "教学反思", "max": 15},
        ],
        "requires_subject": True,
        "order": 3,
    },
    {
        "code": "skills-contest",
        "name": "教师基本功和教学技能大赛",
        "nominee_kind": "teacher",
        "group_by": "subject_category",
        "prizes": PRIZES_123,
        "default_criteria": [
            {"name": "三笔字", "max": 20},
            {"name": "普通话", "max": 20},
            {"name": "教学设计", "max": 30},
            {"name": "说课讲课", "max": 30},
        ],
        "max_per_school": 5,
        "requires_subject": True,
        "order": 4,
    },
    {
        "code": "outstanding-teacher",
        "name": "优秀教师",
        "nominee_kind": "teacher",
        "prizes": [{"name": "优秀教师", "count": 10}],
        "default_criteria": [
            {"name": "师德表现", "max": 30},
            {"name": "教学实绩", "max": 50},
            {"name": "育人成效", "max": 20},
        ],
        "max_per_school": 2,
        "honour": "优秀教师",
        "order": 5,
    },
    {
        "code": "subject-leader",
        "name": "学科带头人",
        "nominee_kind": "teacher",
        "group_by": "subject_category",
        "prizes": [{"name": "学科带头人", "count": 3}],
        "default_criteria": [
            {"name": "教学实绩", "max": 40},
            {"name": "教研能力", "max": 35},
            {"name": "引领作用", "max": 25},
        ],
        "max_per_school": 3,
        "requires_subject": True,
        "min_title": "一级教师",
        "honour": "学科带头人",
        "order": 6,
    },
    {
        "code": "class-teacher",
        "name": "优秀班主任",
        "nominee_kind": "teacher",
        "prizes": [{"name": "优秀班主任", "count": 10}],
        "default_criteria": [
            {"name": "班级管理", "max": 40},
            {"name": "育人成效", "max": 40},
            {"name": "家校共育", "max": 20},
        ],
        "max_per_school": 2,
        "honour": "优秀班主任",
        "order": 7,
    },
    {
        "code": "star-school",
        "name": "教学常规星级学校表彰",
        "nominee_kind": "school",
        "prizes": [{"name": "教学常规星级学校", "count": 10}],
        "default_criteria": [
            {"name": "常规管理", "max": 40},
            {"name": "特色亮点", "max": 30},
            {"name": "整改成效", "max": 30},
        ],
        "max_per_school": 1,
        "min_star_level": 4,
        "order": 8,
    },
    {
        "code": "reading",
        "name": "书香校园读书活动",
        "nominee_kind": "teacher",
        "prizes": PRIZES_123,
        "default_criteria": [
            {"name": "读书笔记", "max": 40},
            {"name": "阅读分享", "max": 40},
            {"name": "示范引领", "max": 20},
        ],
        "max_per_school": 3,
        "order": 9,
    },
]


def load_campaign_types(apps) -> None:
    CampaignType = apps.get_model("awards", "CampaignType")
    TeacherTitle = apps.get_model("schools", "TeacherTitle")
    Honour = apps.get_model("schools", "Honour")
    for item in CAMPAIGN_TYPES:
        data = dict(item)
        honours = data.pop("required_honours", [])
        title = data.pop("min_title", None)
        honour = data.pop("honour", None)
        data["min_title"] = TeacherTitle.objects.filter(name=title).first() if title else None
        data["honour"] = Honour.objects.get_or_create(name=honour)[0] if honour else None
        kind, _ = CampaignType.objects.update_or_create(code=data.pop("code"), defaults=data)
        kind.required_honours.set([Honour.objects.get_or_create(name=name)[0] for name in honours])
