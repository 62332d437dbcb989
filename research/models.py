"""Teaching research (教研) and teacher growth as records: activities with their participants, minutes,
attachments and lesson-study links; the lines of the duties computed from them; the teacher's growth
file (六个一, reading).

Policy: seed 000 §二(一)3, §二(二)3, §二(三)3, §二(五)4, §三.2–3; seed 001 §(九), §(十三); seed 002;
seed 004 (片区教研, 同课异构). DESIGN.md "Teaching research".
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from inspections.models import Observation
from schools.models import School, Semester, Subject, Teacher, TeachingGroup, Zone


class ActivityType(models.Model):
    """教研活动类型 (集体备课, 主题教研, 学情会商 …): data, seeded by a migration; rules name them by code."""

    code = models.CharField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=30, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "教研活动类型"
        verbose_name_plural = "教研活动类型"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class RuleLine(models.Model):
    """The line of a duty computed from the records (e.g. 教研组活动每周≥2小时), as data with its source."""

    code = models.CharField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=40)
    threshold = models.DecimalField("标准线", max_digits=6, decimal_places=1, validators=[MinValueValidator(0)])
    unit = models.CharField("单位", max_length=10)
    requirement = models.CharField("要求", max_length=80)
    source = models.CharField("依据", max_length=80, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "教研常规规则"
        verbose_name_plural = "教研常规规则"
        ordering = ["order"]

    def __str__(self) -> str:
        return self.requirement


class Activity(models.Model):
    """教研活动 at one level: a group's, a school's, a zone's, several schools' or the city's."""

    class Level(models.TextChoices):
        GROUP = "group", "教研组"
        SCHOOL = "school", "校级"
        ZONE = "zone", "片区"
        INTER_SCHOOL = "inter_school", "校际"
        CITY = "city", "市级"

    level = models.CharField("层级", max_length=12, choices=Level.choices)
    activity_type = models.ForeignKey(ActivityType, on_delete=models.PROTECT, verbose_name="活动类型")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, null=True, blank=True, verbose_name="学科")
    semester = models.ForeignKey(Semester, on_delete=models.PROTECT, related_name="+", verbose_name="学期")
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="research_activities",
        verbose_name="组织学校",
    )
    group = models.ForeignKey(
        TeachingGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="教研组"
    )
    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="片区"
    )
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))])
    place = models.CharField("地点", max_length=60)
    topic = models.CharField("主题", max_length=100)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="组织者"
    )
    lead_teacher = models.ForeignKey(
        Teacher, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="中心发言人/主讲"
    )
    minutes = models.TextField("活动记录（纪要）", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "教研活动"
        verbose_name_plural = "教研活动"
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="activity_ends_after_start"),
            models.CheckConstraint(
                condition=Q(level="city") | Q(level="zone") | Q(school__isnull=False), name="activity_school_level"
            ),
            models.CheckConstraint(condition=~Q(level="group") | Q(group__isnull=False), name="activity_group_level"),
            models.CheckConstraint(condition=~Q(level="zone") | Q(zone__isnull=False), name="activity_zone_level"),
        ]
        indexes = [models.Index(fields=["school", "semester"], name="activity_school_semester")]

    def __str__(self) -> str:
        return f"{self.activity_type}：{self.topic}"

    @property
    def organiser_label(self) -> str:
        if self.group_id:
            return str(self.group)
        if self.school_id:
            return self.school.name
        if self.zone_id:
            return self.zone.name
        return "市教育学院"


class Participation(models.Model):
    """A teacher on an activity's list: invited until they confirm (or the organiser records) attendance."""

    class Status(models.TextChoices):
        INVITED = "invited", "待确认"
        CONFIRMED = "confirmed", "已参加"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participations")
    teacher = models.ForeignKey(Teacher, on_delete=models.PROTECT, related_name="research_participations")
    status = models.CharField("出勤", max_length=10, choices=Status.choices, default=Status.INVITED)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "参加人员"
        verbose_name_plural = "参加人员"
        ordering = ["teacher__school__code", "teacher__staff_number"]
        constraints = [models.UniqueConstraint(fields=["activity", "teacher"], name="participation_unique")]

    def __str__(self) -> str:
        return f"{self.teacher} · {self.get_status_display()}"

    @property
    def self_confirmed(self) -> bool:
        return self.confirmed_by_id is not None and self.confirmed_by_id == self.teacher.user_id


def attachment_path(instance, filename: str) -> str:
    return f"research/{instance.activity_id}/{uuid.uuid4().hex[:8]}-{filename}"


class ActivityAttachment(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    name = models.CharField("文件名", max_length=120)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "活动附件"
        verbose_name_plural = "活动附件"
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.name


class LessonLink(models.Model):
    """A lesson observed in the activity (lesson study); 同课异构 pairs it with a second observation of
    the same topic by another teacher."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="lesson_links")
    observation = models.ForeignKey(Observation, on_delete=models.PROTECT, related_name="+", verbose_name="听课记录")
    paired_with = models.ForeignKey(
        Observation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="同课异构（另一节）",
    )

    class Meta:
        verbose_name = "课例研究"
        verbose_name_plural = "课例研究"
        constraints = [
            models.UniqueConstraint(fields=["activity", "observation"], name="lesson_link_unique"),
            models.CheckConstraint(condition=~Q(paired_with=F("observation")), name="lesson_link_pair_differs"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.observation_id}"


# ---- The teacher's growth file ------------------------------------------------------------------------


class GrowthTask(models.TextChoices):
    """教师成长"六个一" (seed 000, 扩展阅读 §(2))."""

    CASE = "case", "交一篇典型教学案例"
    DEMO_LESSON = "demo_lesson", "上一节展示课"
    PAPER_SET = "paper_set", "出一份完整的试卷"
    ARTICLE = "article", "写一篇教学论文"
    LEAD_PREP = "lead_prep", "当一次集体备课的中心发言人"
    JOURNAL = "journal", "订一份刊物"


def growth_path(instance, filename: str) -> str:
    return f"research/growth/{instance.teacher_id}/{uuid.uuid4().hex[:8]}-{filename}"


class GrowthRecord(models.Model):
    """One of a teacher's 六个一 for a school year, with its artefact (a file, a note) or record."""

    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="growth_records")
    start_year = models.PositiveSmallIntegerField("学年起始年份")
    task = models.CharField("任务", max_length=12, choices=GrowthTask.choices)
    description = models.CharField("说明（题目、刊物名称等）", max_length=200)
    file = models.FileField("材料", upload_to=growth_path, max_length=200, blank=True)
    activity = models.ForeignKey(
        Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="相关教研活动"
    )
    observation = models.ForeignKey(
        Observation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="相关听课记录"
    )
    recorded_at = models.DateTimeField("填写时间", auto_now=True)

    class Meta:
        verbose_name = "六个一"
        verbose_name_plural = "六个一"
        ordering = ["teacher", "start_year", "task"]
        constraints = [
            models.UniqueConstraint(fields=["teacher", "start_year", "task"], name="growth_record_unique_task")
        ]

    def __str__(self) -> str:
        return f"{self.teacher} {self.get_task_display()}"


class Book(models.Model):
    """读书参考书目 provided by the bureau (seed 000 §二(五)4)."""

    title = models.CharField("书名", max_length=100, unique=True)
    author = models.CharField("作者", max_length=60, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "参考书目"
        verbose_name_plural = "参考书目"
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return f"《{self.title}》"


class ReadingEntry(models.Model):
    """A book a teacher read (from the reference list or their own choice)."""

    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="reading_entries")
    start_year = models.PositiveSmallIntegerField("学年起始年份")
    book = models.ForeignKey(Book, on_delete=models.PROTECT, null=True, blank=True, verbose_name="参考书目")
    title = models.CharField("书名（书目外）", max_length=100, blank=True)
    finished_on = models.DateField("读完日期")
    notes = models.TextField("读书心得", blank=True)

    class Meta:
        verbose_name = "读书记录"
        verbose_name_plural = "读书记录"
        ordering = ["-finished_on"]
        constraints = [
            models.CheckConstraint(condition=Q(book__isnull=False) | ~Q(title=""), name="reading_names_a_book")
        ]

    def __str__(self) -> str:
        return self.book_title

    @property
    def book_title(self) -> str:
        return str(self.book) if self.book_id else f"《{self.title}》"
