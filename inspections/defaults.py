"""The default rubrics and quotas shipped with the portal (loaded by a data migration).

The routine rubric carries the duties the seeds set, each checkable on a visit:
seed 000 §二(一)3 (教研组活动每周≥2小时, 每学期≥2次全校学科教研活动), §二(三)3 (家长课每学期≥2学时),
§三.2 (校长、副校长听课任务), §四 (教师"六个一"); seed 001 §(七) (跨学科主题学习≥10%课时),
§(九) (学情会商每学期≥1次, 学业述评每生每学期), §(十三) (校长至少两周一次教学工作例会).
"""

ROUTINE_RUBRIC = {
    "name": "市直中小学教学常规星级学校评估细则",
    "star_thresholds": [[5, "95"], [4, "85"], [3, "75"], [2, "65"], [1, "60"]],
    "target_star_level": 3,
    "notes": "总分100分。星级按学年内全部已提交督导总分的平均分（保留一位小数，四舍五入）评定。",
    "areas": [
        (
            "备课",
            [
                ("A1", "个人备课", "教案完整规范，提前一周备课，有教学目标、重难点、教学过程和课后反思。", "", "5"),
                ("A2", "集体备课", "每周按计划集体备课，有中心发言人、研讨记录和二次备课。", "", "5"),
                ("A3", "教学计划与进度", "学期教学计划完整，进度与计划一致，开齐开足国家规定课程。", "", "5"),
            ],
        ),
        (
            "上课",
            [
                ("B1", "课堂教学规范", "按课表上课，不拖堂、不随意调课，课堂组织有序。", "", "5"),
                ("B2", "课堂教学效率", "随堂听课：目标达成、学生主体、启发互动、当堂检测。", "", "5"),
                (
                    "B3",
                    "跨学科主题学习",
                    "各门课程安排10%以上课时设计跨学科主题学习活动，有方案、有记录。",
                    "跨学科主题学习≥10%课时",
                    "5",
                ),
            ],
        ),
        (
            "作业",
            [
                ("C1", "作业设计与总量", "分层设计作业，总量与时长符合规定，有统筹公示。", "", "5"),
                ("C2", "作业批改与反馈", "全批全改，有批语和订正，反馈及时。", "", "5"),
            ],
        ),
        (
            "辅导",
            [
                ("D1", "分层辅导", "对学有余力和学习困难学生有针对性辅导记录。", "", "5"),
                (
                    "D2",
                    "学情会商",
                    "每学期至少开展1次基于学科教学的学情会商，有记录和改进措施。",
                    "学情会商每学期≥1次",
                    "5",
                ),
            ],
        ),
        (
            "考试与评价",
            [
                ("E1", "考试管理", "考试次数、命题、阅卷符合规定，不公布学生成绩和排名。", "", "4"),
                (
                    "E2",
                    "学业述评",
                    "任课教师每学期对每个学生进行学业述评，述评覆盖全体学生。",
                    "学业述评每生每学期",
                    "5",
                ),
                ("E3", "质量分析", "每次考试后有学科与学校质量分析和改进措施。", "", "3"),
            ],
        ),
        (
            "教研活动",
            [
                (
                    "F1",
                    "教研组活动",
                    "教研组独立开展教研活动每周不少于2小时，有计划、有记录。",
                    "教研组活动每周≥2小时",
                    "5",
                ),
                (
                    "F2",
                    "全校学科教研活动",
                    "每学期组织不少于两次全校学科教研组活动。",
                    "全校学科教研活动每学期≥2次",
                    "4",
                ),
                (
                    "F3",
                    "教师“六个一”",
                    "每位教师交一篇典型教学案例、上一节展示课、出一份完整试卷、写一篇教学论文、"
                    "当一次集体备课中心发言人、订一份刊物。",
                    "教师“六个一”",
                    "6",
                ),
                ("F4", "听评课", "教师互相听评课，听课要评课，评课要解决问题。", "", "3"),
            ],
        ),
        (
            "常规管理",
            [
                (
                    "G1",
                    "教学工作例会",
                    "校长至少两周召开一次教学工作例会，有记录。",
                    "校长教学工作例会至少两周一次",
                    "5",
                ),
                ("G2", "校领导听课任务", "校长、副校长完成每学期听课任务，听课有评课。", "校长、副校长听课任务", "5"),
                ("G3", "家长学校", "开好每学期不少于2学时的家长课，有教材、有记录。", "家长学校课每学期≥2学时", "4"),
                ("G4", "教学常规检查", "学校定期检查教案、作业、听课记录并有反馈。", "", "3"),
                ("G5", "课程开设", "开齐开足开好国家规定课程，课表、作息表规范公示。", "", "3"),
            ],
        ),
    ],
}

OBSERVATION_FORM = {
    "name": "课堂教学评价表",
    "star_thresholds": [],
    "target_star_level": 0,
    "notes": "听评课用表，满分100分。",
    "areas": [
        (
            "课堂教学",
            [
                ("O1", "教学目标", "目标明确、具体、可检测，符合课程标准和学情。", "", "15"),
                ("O2", "教学内容", "内容准确，重点突出，难点突破，联系生活与跨学科。", "", "20"),
                ("O3", "教学方法", "启发式、互动式、探究式，信息技术使用恰当。", "", "20"),
                ("O4", "学生活动", "学生主动思考、积极提问、合作探究，参与面广。", "", "20"),
                ("O5", "教学效果", "当堂检测达成度高，不同层次学生均有收获。", "", "15"),
                ("O6", "教师素养", "语言规范、板书工整、教态自然、课堂调控得当。", "", "10"),
            ],
        )
    ],
}

# 每学期听课节数 by role (seed 000 §三.2 sets the duty; the numbers are the bureau's data).
QUOTAS = {"principal": 20, "vice_principal": 30, "academic_lead": 30, "group_leader": 20}


def load_defaults(apps) -> None:
    """Create the default rubrics and quotas if absent (used by the data migration and the tests)."""
    from decimal import Decimal

    Rubric = apps.get_model("inspections", "Rubric")
    RubricArea = apps.get_model("inspections", "RubricArea")
    Criterion = apps.get_model("inspections", "Criterion")
    ObservationQuota = apps.get_model("inspections", "ObservationQuota")
    for kind, spec in (("routine", ROUTINE_RUBRIC), ("observation", OBSERVATION_FORM)):
        if Rubric.objects.filter(kind=kind, name=spec["name"]).exists():
            continue
        rubric = Rubric.objects.create(
            kind=kind,
            name=spec["name"],
            version=1,
            is_current=True,
            star_thresholds=spec["star_thresholds"],
            target_star_level=spec["target_star_level"],
            notes=spec["notes"],
        )
        for area_order, (area_name, criteria) in enumerate(spec["areas"], start=1):
            area = RubricArea.objects.create(rubric=rubric, name=area_name, order=area_order)
            for order, (code, title, descriptor, requirement, points) in enumerate(criteria, start=1):
                Criterion.objects.create(
                    area=area,
                    code=code,
                    title=title,
                    descriptor=descriptor,
                    requirement=requirement,
                    max_points=Decimal(points),
                    order=order,
                )
        # Published last: a published rubric is frozen (historical models skip the save guard anyway).
        Rubric.objects.filter(pk=rubric.pk).update(is_published=True)
    # The city's line for every semester (before migration 0004 a quota had neither semester nor school).
    fields = {field.name for field in ObservationQuota._meta.get_fields()}
    city = {name: None for name in ("semester", "school") if name in fields}
    for role, lessons in QUOTAS.items():
        if not ObservationQuota.objects.filter(role=role, **city).exists():
            ObservationQuota.objects.create(role=role, lessons=lessons, **city)
