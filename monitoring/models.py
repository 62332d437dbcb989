"""Quality monitoring (质量监测): exams, scores, stored statistics, warnings and basic indicators."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast

from eduquality import words
from monitoring import rules
from schools.codes import SCHOOL_CATEGORIES
from schools.models import GRADE_CHOICES, District, School, SchoolClass, Semester, Student, Subject

SHARE_VALIDATORS = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))]


def share_field(label: str, default: str) -> models.DecimalField:
    return models.DecimalField(
        label, max_digits=4, decimal_places=3, default=Decimal(default), validators=SHARE_VALIDATORS
    )


class Exam(models.Model):
    """质量监测: one exam of one grade in one semester, over several subjects."""

    class Kind(models.TextChoices):
        MIDTERM = "midterm", "期中统考"
        FINAL = "final", "期末统考"
        SAMPLE = "sample", "抽测"
        ANNUAL = "annual", "学业质量监测"

    class GradePolicy(models.TextChoices):
        """等级代替排名: whether this exam shows grades (A/B/C/D) instead of places among schools."""

        DEFAULT = "", "默认（按全市设置）"
        GRADES = rules.GRADES, "等级（不显示名次）"
        RANKS = rules.RANKS, "排名"

    class Status(models.TextChoices):
        DRAFT = "draft", "待导入成绩"
        COMPUTING = "computing", "统计中"
        READY = "ready", "已统计"

    name = models.CharField("名称", max_length=80)
    code = models.CharField(
        "编号",
        max_length=30,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]+$", "编号只能包含字母、数字、下划线和短横线。")],
        error_messages={"unique": "该编号已被其他监测使用。"},
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    semester = models.ForeignKey(Semester, on_delete=models.PROTECT, related_name="exams", verbose_name="学期")
    grade = models.PositiveSmallIntegerField("年级", choices=GRADE_CHOICES)
    held_on = models.DateField("考试日期", null=True, blank=True)
    schools = models.ManyToManyField(School, related_name="exams", verbose_name="参加学校")
    comparable_exam = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="对比监测",
        help_text="此前同年级、同学科的监测，用于计算变化与预警。",
    )
    # Thresholds of the whole exam (those of each subject are on ExamSubject).
    band_share = share_field("分数段宽度（占满分比例）", "0.100")
    borderline_margin_share = share_field("临界生范围（线下占满分比例）", "0.050")
    warning_bottom_places = models.PositiveSmallIntegerField("预警：后N名", default=3)
    warning_subjects = models.PositiveSmallIntegerField("预警：同次监测落后学科数", default=2)
    warning_rank_drop = models.PositiveSmallIntegerField("预警：名次下降位数", default=5)
    warning_rate_drop = share_field("预警：优秀率/及格率下降（比例）", "0.100")
    # Value-added (增值评价, monitoring.value_added): who is classified, the warning's line, the policy.
    value_added_min_matched = models.PositiveSmallIntegerField("增值：最少匹配学生数", default=30)
    value_added_min_match_rate = share_field("增值：最低匹配率", "0.800")
    warning_value_added = models.DecimalField(
        "预警：增值显著为负且低于（标准差）",
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.20"),
        validators=[MinValueValidator(Decimal(0))],
    )
    value_added_covariates = models.JSONField(
        "增值：协变量", default=list, blank=True, help_text="可选：female（性别）、urban（城镇学校）；默认不加。"
    )
    value_added_school_visible = models.BooleanField(
        "增值：允许学校查看本校结果", default=False, help_text="默认仅教育行政部门和教研部门可见。"
    )
    grade_policy = models.CharField(
        "等级代替排名",
        max_length=6,
        choices=GradePolicy.choices,
        default=GradePolicy.DEFAULT,
        blank=True,
        help_text="选“等级”时，页面、导出、接口和报告一律以等级（A/B/C/D）代替名次；“默认”按全市设置。",
    )
    # Item flags of paper analysis (试卷分析): 区分度低, 难, 易.
    item_discrimination_floor = share_field("小题：区分度/题总相关低于", "0.200")
    item_hard_below = share_field("小题：得分率低于（难）", "0.300")
    item_easy_above = share_field("小题：得分率高于（易）", "0.900")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    computed_at = models.DateTimeField("统计时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="创建人"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "质量监测"
        verbose_name_plural = "质量监测"
        ordering = ["-semester__start_year", "-semester__term", "grade", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.comparable_exam_id:
            if self.comparable_exam_id == self.pk:
                raise ValidationError({"comparable_exam": "不能以本次监测作为对比监测。"})
            if self.comparable_exam.grade != self.grade and self.comparable_exam.grade != self.grade - 1:
                raise ValidationError({"comparable_exam": "对比监测应为同一批学生此前的监测（同年级或上一年级）。"})

    @property
    def warning_rules(self) -> rules.WarningRules:
        return rules.WarningRules(
            bottom_places=self.warning_bottom_places,
            subjects_for_multi=self.warning_subjects,
            rank_drop=self.warning_rank_drop,
            rate_drop=self.warning_rate_drop,
        )

    @property
    def shows_grades(self) -> bool:
        """Grades instead of places for this exam; the city default is the deployment's
        SHOW_GRADES_INSTEAD_OF_RANKS setting (one deployment serves one city)."""
        return rules.shows_grades(self.grade_policy, city_grades=settings.SHOW_GRADES_INSTEAD_OF_RANKS)

    def place_shown(self, *, sees_all_schools: bool, own_school: bool) -> str:
        return rules.place_shown(grades=self.shows_grades, sees_all_schools=sees_all_schools, own_school=own_school)

    @property
    def item_flag_rules(self):
        from monitoring.items.rules import FlagRules

        return FlagRules(
            discrimination_floor=self.item_discrimination_floor,
            hard_below=self.item_hard_below,
            easy_above=self.item_easy_above,
        )


class ExamSubject(models.Model):
    """A subject of an exam with its full marks and lines (shares of full marks)."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="subjects", verbose_name="监测")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, verbose_name="学科")
    full_marks = models.DecimalField("满分", max_digits=5, decimal_places=1, default=Decimal(100))
    excellent_share = share_field("优秀线", "0.850")
    good_share = share_field("良好线", "0.700")
    pass_share = share_field("及格线", "0.600")
    low_share = share_field("低分线", "0.400")
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "监测学科"
        verbose_name_plural = "监测学科"
        ordering = ["exam", "order", "subject__order"]
        constraints = [models.UniqueConstraint(fields=["exam", "subject"], name="exam_subject_unique")]

    def __str__(self) -> str:
        return f"{self.exam} · {self.subject}"

    def clean(self) -> None:
        if not (self.low_share <= self.pass_share <= self.good_share <= self.excellent_share):
            raise ValidationError("各分数线应满足：低分线 ≤ 及格线 ≤ 良好线 ≤ 优秀线。")
        if self.full_marks is not None and self.full_marks <= 0:
            raise ValidationError({"full_marks": "满分应大于0。"})

    @property
    def thresholds(self) -> rules.Thresholds:
        return rules.Thresholds(
            full_marks=self.full_marks,
            excellent_share=self.excellent_share,
            good_share=self.good_share,
            pass_share=self.pass_share,
            low_share=self.low_share,
        )


class Score(models.Model):
    """One student's score in one exam subject; NULL is an absence (缺考).

    Keyed by (subject, student): the composite primary key is the only index, so 1.8 million rows
    arrive by COPY at the speed of the table itself. School and class are copied from the sheet so
    the statistics group without joins; the foreign keys are not enforced by the database
    (db_constraint=False) because the importer has validated every reference before it writes.
    """

    pk = models.CompositePrimaryKey("exam_subject_id", "student_id")
    # No constraint and no index of their own (Django would add one per foreign key): the primary
    # key serves every lookup by subject, and four more indexes made the import eight times slower.
    exam_subject = models.ForeignKey(
        ExamSubject, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="scores"
    )
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="scores"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.SET_NULL, null=True, db_constraint=False, db_index=False, related_name="+"
    )
    score = models.DecimalField("分数", max_digits=5, decimal_places=1, null=True, blank=True)
    # The score in half points (分数 × 2), kept by the database itself: every score is a whole or
    # half point (rules.parse_score), so this is exact, and the statistics pass compares and sums
    # small integers, several times faster than numeric.
    half_points = models.GeneratedField(
        expression=Cast(F("score") * 2, models.SmallIntegerField()),
        output_field=models.SmallIntegerField(null=True),
        db_persist=True,
    )

    class Meta:
        verbose_name = "成绩"
        verbose_name_plural = "成绩"

    def __str__(self) -> str:
        return f"{self.student_id}: {self.score}"


class ScoreCorrection(models.Model):
    """A score corrected after import: who, when, old and new value, why. Keyed by subject and
    student rather than by score row, so the history outlives a re-import of the school's sheet."""

    exam_subject = models.ForeignKey(ExamSubject, on_delete=models.CASCADE, related_name="corrections")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    old_value = models.DecimalField("原分数", max_digits=5, decimal_places=1, null=True)
    new_value = models.DecimalField("新分数", max_digits=5, decimal_places=1, null=True)
    reason = models.CharField("原因", max_length=200)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="修改人")
    corrected_at = models.DateTimeField("修改时间", auto_now_add=True)

    class Meta:
        verbose_name = "成绩更正"
        verbose_name_plural = "成绩更正"
        ordering = ["-corrected_at"]

    def __str__(self) -> str:
        return f"{self.old_value} → {self.new_value}"


class Level(models.TextChoices):
    CITY = "city", "全市"
    DISTRICT = "district", "区县"
    SCHOOL = "school", "学校"
    CLASS = "class", "班级"


# A foreign key of a derived row: not checked by the database, no index of its own (see Statistic).
_DERIVED_KEY = {"db_constraint": False, "db_index": False, "on_delete": models.CASCADE}


class Statistic(models.Model):
    """The stored statistics of one exam subject (or all subjects) at one level; pages read these.

    Derived rows, written only by the statistics engine — tens of thousands per city exam — from
    references it has just read: the foreign keys are not checked again by the database (a check
    per row and key at commit cost more than computing the rows), and only the indexes pages use
    are kept. Deleting a school, class or exam still deletes its statistics (Django's CASCADE)."""

    exam = models.ForeignKey(Exam, related_name="statistics", **_DERIVED_KEY)  # indexed by Meta.indexes
    exam_subject = models.ForeignKey(
        ExamSubject, null=True, blank=True, related_name="statistics", **_DERIVED_KEY
    )  # NULL: the all-subject row (全科)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    district = models.ForeignKey(District, null=True, blank=True, related_name="+", **_DERIVED_KEY)
    school = models.ForeignKey(School, null=True, blank=True, related_name="+", **_DERIVED_KEY)
    school_class = models.ForeignKey(SchoolClass, null=True, blank=True, related_name="+", **_DERIVED_KEY)
    category = models.CharField("学校类别", max_length=2, blank=True)
    sitters = models.PositiveIntegerField("参考人数", default=0)
    absentees = models.PositiveIntegerField("缺考人数", default=0)
    mean = models.DecimalField("平均分", max_digits=7, decimal_places=2, null=True)
    sd = models.DecimalField("标准差", max_digits=7, decimal_places=2, null=True)
    max = models.DecimalField("最高分", max_digits=5, decimal_places=1, null=True)
    min = models.DecimalField("最低分", max_digits=5, decimal_places=1, null=True)
    excellent_rate = models.DecimalField("优秀率", max_digits=5, decimal_places=4, null=True)
    good_rate = models.DecimalField("良好率", max_digits=5, decimal_places=4, null=True)
    pass_rate = models.DecimalField("及格率", max_digits=5, decimal_places=4, null=True)
    low_rate = models.DecimalField("低分率", max_digits=5, decimal_places=4, null=True)
    score_rate = models.DecimalField("得分率", max_digits=5, decimal_places=4, null=True)
    all_pass_rate = models.DecimalField("全科及格率", max_digits=5, decimal_places=4, null=True)
    bands = models.JSONField("分数段人数", default=list)
    borderline_excellent = models.PositiveIntegerField("优秀临界生", default=0)
    borderline_pass = models.PositiveIntegerField("及格临界生", default=0)
    rank = models.PositiveIntegerField("同类学校排名", null=True)
    ranked_schools = models.PositiveIntegerField("参与排名学校数", default=0)
    deviation = models.DecimalField("离均差", max_digits=7, decimal_places=2, null=True)
    over_mean_rate = models.DecimalField("超均率", max_digits=7, decimal_places=4, null=True)
    ratio_to_mean = models.DecimalField("比均率", max_digits=7, decimal_places=4, null=True)
    t_score = models.DecimalField("标准分", max_digits=7, decimal_places=2, null=True)
    previous_mean = models.DecimalField("对比平均分", max_digits=7, decimal_places=2, null=True)
    previous_excellent_rate = models.DecimalField("对比优秀率", max_digits=5, decimal_places=4, null=True)
    previous_pass_rate = models.DecimalField("对比及格率", max_digits=5, decimal_places=4, null=True)
    previous_low_rate = models.DecimalField("对比低分率", max_digits=5, decimal_places=4, null=True)
    previous_rank = models.PositiveIntegerField("对比排名", null=True)
    previous_ranked_schools = models.PositiveIntegerField("对比参与排名学校数", default=0)

    class Meta:
        verbose_name = "统计结果"
        verbose_name_plural = "统计结果"
        indexes = [
            models.Index(fields=["exam", "level", "exam_subject"], name="stat_exam_level_subject"),
            # A school in one exam, and a school across exams (its trend).
            models.Index(fields=["school", "exam"], name="stat_school_exam"),
        ]

    def __str__(self) -> str:
        return f"{self.exam_id}/{self.exam_subject_id}/{self.level}"

    @property
    def mean_change(self):
        if self.mean is None or self.previous_mean is None:
            return None
        return self.mean - self.previous_mean

    @property
    def rank_change(self):
        """Positive: places gained."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def excellent_rate_change(self):
        if self.excellent_rate is None or self.previous_excellent_rate is None:
            return None
        return self.excellent_rate - self.previous_excellent_rate

    @property
    def pass_rate_change(self):
        if self.pass_rate is None or self.previous_pass_rate is None:
            return None
        return self.pass_rate - self.previous_pass_rate

    @property
    def grade_letter(self) -> str:
        return rules.grade_for(self.score_rate)

    @property
    def category_label(self) -> str:
        return SCHOOL_CATEGORIES.get(self.category, self.category)


class EarlyWarning(models.Model):
    """预警: a school flagged by an exam's statistics; it opens a research visit (调研)."""

    class Kind(models.TextChoices):
        CONSECUTIVE_BOTTOM = "consecutive_bottom", "连续两次居后"
        MULTI_SUBJECT_BOTTOM = "multi_subject_bottom", "多学科居后"
        SHARP_FALL = "sharp_fall", "成绩大幅下滑"
        NEGATIVE_VALUE_ADDED = "negative_value_added", "增值显著为负"

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="warnings", verbose_name="监测")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="warnings", verbose_name="学校")
    exam_subject = models.ForeignKey(
        ExamSubject, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="学科"
    )
    kind = models.CharField("类型", max_length=24, choices=Kind.choices)
    reason = models.CharField("原因", max_length=400)
    # "低进高出": in the bottom places but adding significantly more than expected (value-added).
    value_added_mark = models.CharField("增值标注", max_length=8, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "预警"
        verbose_name_plural = "预警"
        ordering = ["-created_at", "school__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "school", "kind", "exam_subject"],
                name="warning_unique_subject",
                condition=Q(exam_subject__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["exam", "school", "kind"], name="warning_unique_school", condition=Q(exam_subject__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} · {self.get_kind_display()}"


class ResearchVisit(models.Model):
    """调研: the research department's follow-up of a warning, with causes and agreed measures."""

    class Status(models.TextChoices):
        OPEN = "open", "待调研"
        IN_PROGRESS = "in_progress", "调研中"
        MEASURES_AGREED = "agreed", "已商定改进措施"
        CLOSED = "closed", "已关闭"

    warning = models.OneToOneField(EarlyWarning, on_delete=models.CASCADE, related_name="visit", verbose_name="预警")
    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="教研员"
    )
    visited_on = models.DateField("调研日期", null=True, blank=True)
    causes = models.TextField("原因分析", blank=True)
    measures = models.TextField("改进措施（与学校商定）", blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.OPEN)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "调研任务"
        verbose_name_plural = "调研任务"

    def __str__(self) -> str:
        return f"调研：{self.warning}"


class Indicator(models.Model):
    """One of the twelve 基本要求 (seed 001) as data, with its line."""

    class Direction(models.TextChoices):
        AT_LEAST = "gte", "不低于"
        AT_MOST = "lte", "不高于"

    code = models.CharField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=60)
    unit = models.CharField("单位", max_length=10, blank=True)
    direction = models.CharField("方向", max_length=3, choices=Direction.choices, default=Direction.AT_LEAST)
    line = models.DecimalField("达标线", max_digits=7, decimal_places=2)
    stages = models.CharField(
        "适用学段", max_length=20, blank=True, help_text="空为所有学段；如“小学”“初中”“小学+初中”"
    )
    # A qualitative requirement: filed as 是 (1) or 否 (0), shown as 是/否, met when 是.
    yes_no = models.BooleanField("是否型", default=False, help_text="定性要求：填报“是/否”")
    description = models.CharField("说明", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "基本指标"
        verbose_name_plural = "基本指标"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    def is_met(self, value: Decimal | None) -> bool | None:
        if value is None:
            return None
        return value >= self.line if self.direction == self.Direction.AT_LEAST else value <= self.line

    def applies_to(self, school) -> bool:
        """Whether the school is judged on this line: its stages (from its 办学类型) meet the
        indicator's (a 小学 is judged on the 小学 sleep line, not on the 初中 one)."""
        return rules.indicator_applies(self.stages, school.school_type.stages if school.school_type_id else "")

    @property
    def line_label(self) -> str:
        """The line as the table's header writes it: 不低于90% ; 是 for a yes-or-no requirement."""
        if self.yes_no:
            return "须为“是”"
        return f"{self.get_direction_display()}{words.figure(self.line)}{self.unit}"

    def value_label(self, value: Decimal | None) -> str:
        """A filed figure as shown: 是/否, or the number and its unit; 未填报 when missing."""
        if value is None:
            return "未填报"
        return words.yes_no(value) if self.yes_no else f"{words.figure(value)}{self.unit}"


class IndicatorReport(models.Model):
    """A school's filed figure for one indicator in one school year."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="indicator_reports")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="reports")
    start_year = models.PositiveSmallIntegerField("学年起始年份")
    value = models.DecimalField("数值", max_digits=7, decimal_places=2)
    note = models.CharField("说明", max_length=200, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="填报人")
    filed_at = models.DateTimeField("填报时间", auto_now=True)

    class Meta:
        verbose_name = "指标填报"
        verbose_name_plural = "指标填报"
        constraints = [
            models.UniqueConstraint(fields=["school", "indicator", "start_year"], name="indicator_report_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.indicator} {self.value}"


# Paper analysis (试卷分析): its models live in monitoring.items.models; imported here for Django.
from monitoring.items.models import (  # noqa: E402, F401
    AbilityLevel,
    BlueprintItem,
    ItemScore,
    ItemStatistic,
    KnowledgePoint,
    KnowledgeStatistic,
    PaperStatistic,
)
from monitoring.value_added.models import ValueAdded, ValueAddedFit  # noqa: E402, F401  (stored in this app)
