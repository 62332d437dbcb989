"""Inspections (督导) and lesson observations (听评课): rubrics, campaigns and their double-random
draws, visits, star-school ratings, notices, rectification orders, sanctions, observations, quotas.

Policy: seed 000 §二(一)(四)(五), seed 001 §(十七), seed 002 §四; DESIGN.md "Inspections".
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from schools.models import Role, School, SchoolClass, Semester, Subject, Teacher

# ---- Rubrics (评估细则), versioned ------------------------------------------------------------------


class Rubric(models.Model):
    """One version of a rubric. A published version is frozen: its criteria never change, so every
    visit or observation scored on it keeps its result. A change is a new version."""

    class Kind(models.TextChoices):
        ROUTINE = "routine", "教学常规评估细则"
        OBSERVATION = "observation", "课堂教学评价表"

    kind = models.CharField("类别", max_length=12, choices=Kind.choices)
    name = models.CharField("名称", max_length=80)
    version = models.PositiveSmallIntegerField("版本", default=1)
    is_published = models.BooleanField("已发布（冻结）", default=False)
    is_current = models.BooleanField("当前使用", default=False)
    # [[stars, min_points], ...] highest first, e.g. [[5, "95"], [4, "85"], ...]; below all → 0 stars.
    star_thresholds = models.JSONField("星级分数线", default=list, blank=True)
    target_star_level = models.PositiveSmallIntegerField("达标星级", default=3)
    notes = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "评估细则"
        verbose_name_plural = "评估细则"
        ordering = ["kind", "name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name", "version"], name="rubric_unique_version"),
            models.UniqueConstraint(fields=["kind"], condition=Q(is_current=True), name="rubric_one_current_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"

    @property
    def max_total(self) -> Decimal:
        return sum((c.max_points for a in self.areas.all() for c in a.criteria.all()), Decimal("0"))


class RubricArea(models.Model):
    """评估项目 (备课, 上课, 作业 …)."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="areas", verbose_name="评估细则")
    name = models.CharField("项目", max_length=40)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "评估项目"
        verbose_name_plural = "评估项目"
        ordering = ["rubric", "order", "pk"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        _refuse_if_frozen(self.rubric)
        super().save(*args, **kwargs)


class Criterion(models.Model):
    """评估指标: what is checked, how many points at most, and the duty it comes from."""

    area = models.ForeignKey(RubricArea, on_delete=models.CASCADE, related_name="criteria", verbose_name="评估项目")
    code = models.CharField("编号", max_length=10)
    title = models.CharField("指标", max_length=80)
    descriptor = models.TextField("评分标准")
    requirement = models.CharField("常规要求", max_length=200, blank=True)
    max_points = models.DecimalField(
        "满分", max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    order = models.PositiveSmallIntegerField("排序", default=0)
    # The rule computed from records that corresponds to this criterion (an app registered as an
    # evidence provider in eduquality/extensions.py computes it): the visit form shows its figure.
    evidence_rule = models.CharField("对应的记录规则", max_length=40, blank=True)

    class Meta:
        verbose_name = "评估指标"
        verbose_name_plural = "评估指标"
        ordering = ["area__order", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs):
        _refuse_if_frozen(self.area.rubric)
        super().save(*args, **kwargs)


def _refuse_if_frozen(rubric: Rubric) -> None:
    if rubric.is_published:
        raise ValidationError("已发布的评估细则不能修改，请复制为新版本后再修改。")


# ---- Campaigns and draws (双随机、一公开) ---------------------------------------------------------------


class Campaign(models.Model):
    class Kind(models.TextChoices):
        SPECIAL = "special", "专项督导"
        RANDOM = "random", "随机督导"

    title = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.RANDOM)
    semester = models.ForeignKey(Semester, on_delete=models.PROTECT, verbose_name="学期")
    rubric = models.ForeignKey(
        Rubric, on_delete=models.PROTECT, verbose_name="评估细则", limit_choices_to={"kind": "routine"}
    )
    description = models.TextField("督导内容", blank=True)
    eligible_schools = models.ManyToManyField(
        School, blank=True, related_name="+", verbose_name="可抽学校（空=全部在办学校）"
    )
    inspector_pool = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name="督学库（空=全部督学）"
    )
    schools_to_draw = models.PositiveIntegerField("抽取学校数", validators=[MinValueValidator(1)])
    inspectors_per_school = models.PositiveSmallIntegerField("每校督学数", default=2, validators=[MinValueValidator(1)])
    exclude_same_district = models.BooleanField("回避本区县督学", default=False)
    visit_from = models.DateField("督导开始日期", null=True, blank=True)
    visit_until = models.DateField("督导结束日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="创建人"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "督导任务"
        verbose_name_plural = "督导任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.visit_from and self.visit_until and self.visit_from > self.visit_until:
            raise ValidationError({"visit_until": "结束日期不能早于开始日期。"})


class Draw(models.Model):
    """The one draw of a campaign: who ran it, when, with which seed. A second draw is refused by the
    one-to-one key, so a draw cannot be silently re-run; the seed reproduces it."""

    campaign = models.OneToOneField(Campaign, on_delete=models.PROTECT, related_name="draw", verbose_name="督导任务")
    seed = models.CharField("随机种子", max_length=64)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="抽取人"
    )
    run_at = models.DateTimeField("抽取时间", auto_now_add=True)
    eligible_count = models.PositiveIntegerField("可抽学校数")
    pool_count = models.PositiveIntegerField("督学库人数")
    result = models.JSONField("抽取结果", default=list)  # [[school_id, [inspector_id, ...]], ...]

    class Meta:
        verbose_name = "双随机抽取"
        verbose_name_plural = "双随机抽取"
        ordering = ["-run_at"]

    def __str__(self) -> str:
        return f"{self.campaign}的抽取"


# ---- Visits -----------------------------------------------------------------------------------------


class Visit(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "待督导"
        DRAFT = "draft", "填写中"
        SUBMITTED = "submitted", "已提交"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="visits", verbose_name="督导任务")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="inspection_visits", verbose_name="学校")
    semester = models.ForeignKey(Semester, on_delete=models.PROTECT, related_name="+", verbose_name="学期")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="visits", verbose_name="评估细则版本")
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="inspection_visits", verbose_name="督学")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PLANNED)
    visited_on = models.DateField("督导日期", null=True, blank=True)
    # 一听二看三查阅
    lessons_listened = models.TextField("一听：听课记录", blank=True)
    things_seen = models.TextField("二看：查看情况", blank=True)
    documents_checked = models.TextField("三查阅：查阅资料", blank=True)
    strengths = models.TextField("主要成绩", blank=True)
    problems = models.TextField("存在问题", blank=True)
    suggestions = models.TextField("整改意见", blank=True)
    total = models.DecimalField("总分", max_digits=6, decimal_places=1, null=True, blank=True)
    star_level = models.PositiveSmallIntegerField("星级", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提交人",
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "督导视导"
        verbose_name_plural = "督导视导"
        ordering = ["-visited_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "school"], name="visit_one_per_school_in_campaign"),
            models.CheckConstraint(
                condition=~Q(status="submitted") | Q(total__isnull=False, star_level__isnull=False),
                name="visit_submitted_has_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} · {self.campaign}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SUBMITTED


class VisitScore(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="scores", verbose_name="督导")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+", verbose_name="指标")
    points = models.DecimalField("得分", max_digits=5, decimal_places=1, null=True, blank=True)
    evidence = models.TextField("佐证与说明", blank=True)

    class Meta:
        verbose_name = "指标得分"
        verbose_name_plural = "指标得分"
        constraints = [models.UniqueConstraint(fields=["visit", "criterion"], name="visit_score_unique")]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.points}"


class ClientSubmission(models.Model):
    """A receipt of a form sent by the browser with its client-generated UUID: an offline draft that
    is replayed when the network returns is applied once."""

    id = models.UUIDField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    object_id = models.PositiveBigIntegerField(null=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "离线提交回执"
        verbose_name_plural = "离线提交回执"

    def __str__(self) -> str:
        return str(self.id)


# ---- Star ratings, notices, rectification, sanctions -----------------------------------------------------


class StarRating(models.Model):
    """教学常规星级: a school's level for a school year, recomputed whenever one of its visits is submitted."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="star_ratings", verbose_name="学校")
    start_year = models.PositiveSmallIntegerField("学年起始年份")
    visit_count = models.PositiveSmallIntegerField("督导次数")
    mean_total = models.DecimalField("平均分", max_digits=6, decimal_places=1)
    star_level = models.PositiveSmallIntegerField("星级")
    target_level = models.PositiveSmallIntegerField("达标星级")
    computed_at = models.DateTimeField("计算时间", auto_now=True)

    class Meta:
        verbose_name = "星级评定"
        verbose_name_plural = "星级评定"
        ordering = ["-start_year", "-mean_total"]
        constraints = [models.UniqueConstraint(fields=["school", "start_year"], name="star_rating_unique_year")]

    def __str__(self) -> str:
        return f"{self.school} {self.start_year}学年 {self.star_level}星"

    @property
    def below_target(self) -> bool:
        return self.star_level < self.target_level


class Notice(models.Model):
    """通报: the schools below the target level in a school year."""

    title = models.CharField("标题", max_length=100)
    start_year = models.PositiveSmallIntegerField("学年起始年份")
    body = models.TextField("通报内容")
    schools = models.ManyToManyField(School, related_name="inspection_notices", verbose_name="通报学校")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("发布时间", default=timezone.now)

    class Meta:
        verbose_name = "通报"
        verbose_name_plural = "通报"
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.title


DEADLINE_BEFORE_ISSUE = "整改期限不能早于下达日期。"


class RectificationOrder(models.Model):
    """限期整改通知: open → answered → verified; an open order past its deadline becomes overdue."""

    class Status(models.TextChoices):
        OPEN = "open", "待整改"
        ANSWERED = "answered", "已回复待核查"
        VERIFIED = "verified", "已核查销号"
        OVERDUE = "overdue", "逾期未整改"

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="rectification_orders", verbose_name="学校"
    )
    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="orders", verbose_name="督导"
    )
    notice = models.ForeignKey(
        Notice, on_delete=models.PROTECT, null=True, blank=True, related_name="orders", verbose_name="通报"
    )
    items = models.TextField("整改事项（每行一项）")
    deadline = models.DateField("整改期限")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="下达人"
    )
    issued_at = models.DateTimeField("下达时间", default=timezone.now)
    response = models.TextField("整改情况", blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="回复人",
    )
    responded_at = models.DateTimeField("回复时间", null=True, blank=True)
    verification = models.TextField("核查意见", blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="核查人",
    )
    verified_at = models.DateTimeField("核查时间", null=True, blank=True)
    # 催办: the bureau urges a school whose order is overdue; the school sees who urged it and when.
    urge_count = models.PositiveIntegerField("催办次数", default=0)
    last_urged_at = models.DateTimeField("最近催办时间", null=True, blank=True)
    last_urged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="最近催办人",
    )

    class Meta:
        verbose_name = "整改通知"
        verbose_name_plural = "整改通知"
        ordering = ["deadline", "pk"]
        constraints = [
            # An order cannot be due before the day it was issued (the day in TIME_ZONE, Beijing time).
            models.CheckConstraint(
                condition=Q(deadline__gte=TruncDate("issued_at")),
                name="order_deadline_not_before_issue",
                violation_error_message=DEADLINE_BEFORE_ISSUE,
            )
        ]

    def __str__(self) -> str:
        return f"{self.school}整改通知（{self.deadline:%Y-%m-%d}前）"

    def clean(self) -> None:
        issued_on = timezone.localdate(self.issued_at) if self.issued_at else timezone.localdate()
        if self.deadline is not None and self.deadline < issued_on:
            raise ValidationError({"deadline": f"{DEADLINE_BEFORE_ISSUE}（下达日期 {issued_on:%Y-%m-%d}）"})

    @property
    def is_late(self) -> bool:
        """Past its deadline and not yet answered (whether or not the nightly job has marked it overdue)."""
        return self.status in (self.Status.OPEN, self.Status.OVERDUE) and self.deadline < timezone.localdate()

    @property
    def item_list(self) -> list[str]:
        return [line.strip() for line in self.items.splitlines() if line.strip()]


def attachment_path(instance, filename: str) -> str:
    owner = "visit" if instance.visit_id else "order"
    return f"inspections/{owner}/{instance.visit_id or instance.order_id}/{uuid.uuid4().hex[:8]}-{filename}"


class Attachment(models.Model):
    """A photo, PDF or Office file on a visit or on a school's rectification response."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments")
    order = models.ForeignKey(
        RectificationOrder, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    name = models.CharField("文件名", max_length=120)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visit__isnull=False, order__isnull=True) | Q(visit__isnull=True, order__isnull=False),
                name="attachment_has_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name


def visit_photo_path(instance, filename: str) -> str:
    return f"inspections/visit/{instance.visit_id}/photos/{uuid.uuid4().hex[:8]}-{filename}"


class VisitPhoto(models.Model):
    """A photo taken on the inspector's phone during a visit (现场照片), the visit's evidence. The
    browser may queue it offline; its client-generated UUID makes a replayed upload land once."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos", verbose_name="督导")
    criterion = models.ForeignKey(
        Criterion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="对应指标"
    )
    file = models.FileField("照片", upload_to=visit_photo_path, max_length=200)
    name = models.CharField("文件名", max_length=120)
    size = models.PositiveIntegerField("大小（字节）")
    client_uuid = models.UUIDField("客户端编号", unique=True)
    taken_at = models.DateTimeField("拍摄时间", null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "现场照片"
        verbose_name_plural = "现场照片"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class Sanction(models.Model):
    """A measure the bureau imposes on a school, kept on its history with the reason."""

    class Kind(models.TextChoices):
        CRITICISM = "criticism", "通报批评"
        ON_SITE = "on_site", "驻点整改"
        REVOKE_HONOUR = "revoke_honour", "撤销荣誉称号"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="sanctions", verbose_name="学校")
    kind = models.CharField("措施", max_length=15, choices=Kind.choices)
    reason = models.TextField("理由")
    decided_on = models.DateField("决定日期")
    order = models.ForeignKey(
        RectificationOrder, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="相关整改"
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "处理措施"
        verbose_name_plural = "处理措施"
        ordering = ["-decided_on"]

    def __str__(self) -> str:
        return f"{self.school} {self.get_kind_display()}"


# ---- Lesson observations (听评课) and quotas ---------------------------------------------------------------


class Observation(models.Model):
    class Level(models.TextChoices):
        SUPERVISION = "supervision", "督导室（社事办）"
        RESEARCH = "research", "教研室"
        SCHOOL = "school", "学校"

    class LessonType(models.TextChoices):
        ROUTINE = "routine", "随堂课"
        SEMINAR = "seminar", "研讨课"
        REPORT = "report", "汇报课"
        OPEN = "open", "公开观摩课"
        SAME_TOPIC = "same_topic", "同课异构"

    client_uuid = models.UUIDField("客户端编号", unique=True, null=True, blank=True, editable=False)
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="observations_made", verbose_name="听课人"
    )
    level = models.CharField("督导层级", max_length=12, choices=Level.choices)
    teacher = models.ForeignKey(Teacher, on_delete=models.PROTECT, related_name="observations", verbose_name="授课教师")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name="学校")
    semester = models.ForeignKey(Semester, on_delete=models.PROTECT, related_name="+", verbose_name="学期")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="班级"
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, verbose_name="学科")
    observed_on = models.DateField("听课日期")
    lesson_type = models.CharField("课型", max_length=12, choices=LessonType.choices, default=LessonType.ROUTINE)
    announced = models.BooleanField("提前告知", default=False)
    topic = models.CharField("课题", max_length=100)
    form = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="observations", verbose_name="评价表")
    total = models.DecimalField("总分", max_digits=5, decimal_places=1)
    # The diagnosis loop: problem → cause → strategy → follow-up observation.
    strengths = models.TextField("主要优点", blank=True)
    problems = models.TextField("发现问题", blank=True)
    causes = models.TextField("原因诊断", blank=True)
    strategy = models.TextField("改进策略", blank=True)
    follow_up_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name="跟进听课（前次）",
    )
    reflection = models.TextField("教学反思", blank=True)
    reflected_at = models.DateTimeField("反思时间", null=True, blank=True)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "听评课记录"
        verbose_name_plural = "听评课记录"
        ordering = ["-observed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.teacher}《{self.topic}》"


class ObservationScore(models.Model):
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField("得分", max_digits=5, decimal_places=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["observation", "criterion"], name="observation_score_unique")]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.points}"


class ObservationQuota(models.Model):
    """听课任务: lessons a holder of `role` observes per semester (seed 000 §三.2). The city's line for
    every semester (no semester), or for one semester; a school may set its own, higher, quota."""

    role = models.CharField("角色", max_length=20, choices=Role.choices)
    semester = models.ForeignKey(
        Semester, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="学期（空=每学期）"
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="学校（空=全市）"
    )
    lessons = models.PositiveSmallIntegerField("每学期听课节数")

    class Meta:
        verbose_name = "听课任务"
        verbose_name_plural = "听课任务"
        ordering = ["role"]
        constraints = [
            # One line per (role, semester, school), the NULLs spelled out so SQLite agrees too.
            models.UniqueConstraint(
                fields=["role"], condition=Q(semester__isnull=True, school__isnull=True), name="quota_unique_city"
            ),
            models.UniqueConstraint(
                fields=["role", "semester"],
                condition=Q(semester__isnull=False, school__isnull=True),
                name="quota_unique_city_semester",
            ),
            models.UniqueConstraint(
                fields=["role", "school"],
                condition=Q(semester__isnull=True, school__isnull=False),
                name="quota_unique_school",
            ),
            models.UniqueConstraint(
                fields=["role", "semester", "school"],
                condition=Q(semester__isnull=False, school__isnull=False),
                name="quota_unique_school_semester",
            ),
        ]

    def __str__(self) -> str:
        scope = f"{self.school}" if self.school_id else "全市"
        when = f"{self.semester}" if self.semester_id else "每学期"
        return f"{scope}{self.get_role_display()}{when}{self.lessons}节"
