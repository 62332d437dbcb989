"""Award selections (评选表彰): campaign types whose rules are data, campaigns, nominations with
materials, judges, scores, objections during the public notice, and the holiday table that the notice's
working days are counted against."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from awards import rules


class CampaignType(models.Model):
    """评选类型: what is selected and by which rules. Every rule is a field the bureau edits."""

    class NomineeKind(models.TextChoices):
        TEACHER = "teacher", "教师"
        SCHOOL = "school", "学校"

    class GroupBy(models.TextChoices):
        NONE = "none", "全市统一排名"
        LEVEL = "level", "按申报层次分别排名"
        SUBJECT_CATEGORY = "subject_category", "按学科、同类学校分别排名"

    code = models.SlugField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    nominee_kind = models.CharField("评选对象", max_length=10, choices=NomineeKind.choices)
    cycle_years = models.PositiveSmallIntegerField("评选周期（年）", default=1, validators=[MinValueValidator(1)])
    group_by = models.CharField("名额分组", max_length=20, choices=GroupBy.choices, default=GroupBy.NONE)
    levels = models.JSONField("申报层次", default=list, blank=True)  # ["学校", "教研组（年级组）", "教师个人"]
    # [{"name": "一等奖", "count": 1}, …]: the prizes of each ranking group, best first, with their quotas.
    prizes = models.JSONField("奖项与名额（每组）", default=list)
    # [{"name": "教学业绩", "max": 30}, …]: copied to a new campaign, which may then change them.
    default_criteria = models.JSONField("默认评分标准", default=list, blank=True)
    max_per_school = models.PositiveSmallIntegerField("每校申报上限", null=True, blank=True)
    min_winning_score = models.DecimalField("获奖最低分", max_digits=6, decimal_places=2, null=True, blank=True)
    bonus_amount = models.DecimalField("一次性奖励（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    # Eligibility (申报条件)
    city_direct_only = models.BooleanField("限市直学校", default=False)
    requires_subject = models.BooleanField("须填写学科", default=False)
    min_title = models.ForeignKey(
        "schools.TeacherTitle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="最低职称",
    )
    required_honours = models.ManyToManyField(
        "schools.Honour", blank=True, related_name="+", verbose_name="须具有荣誉之一"
    )
    min_star_level = models.PositiveSmallIntegerField("最低星级（星级学校表彰）", null=True, blank=True)
    honour = models.ForeignKey(
        "schools.Honour",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="获奖者记入的荣誉称号",
    )
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "评选类型"
        verbose_name_plural = "评选类型"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def quota_per_group(self) -> int:
        return sum(int(prize["count"]) for prize in self.prizes)


class Campaign(models.Model):
    """评选活动: one round of a campaign type."""

    class Stage(models.TextChoices):
        NOMINATING = "nominating", "申报推荐"
        JUDGING = "judging", "专家评审"
        NOTICE = "notice", "结果公示"
        ANNOUNCED = "announced", "结果公布"

    campaign_type = models.ForeignKey(CampaignType, on_delete=models.PROTECT, verbose_name="评选类型")
    name = models.CharField("活动名称", max_length=80)
    year = models.PositiveSmallIntegerField("评选年度")
    description = models.TextField("评选说明", blank=True)
    nomination_opens = models.DateField("申报开始")
    nomination_closes = models.DateField("申报截止")
    notice_working_days = models.PositiveSmallIntegerField("公示期（工作日）", default=5)
    stage = models.CharField("阶段", max_length=12, choices=Stage.choices, default=Stage.NOMINATING)
    judges_per_nomination = models.PositiveSmallIntegerField(
        "每项评委人数", default=5, validators=[MinValueValidator(1)]
    )
    notice_starts_on = models.DateField("公示开始", null=True, blank=True)
    notice_ends_on = models.DateField("公示截止", null=True, blank=True)
    announced_on = models.DateField("公布日期", null=True, blank=True)
    results_computed_at = models.DateTimeField("结果计算时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="创建人"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "评选活动"
        verbose_name_plural = "评选活动"
        ordering = ["-year", "-created_at"]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    """评分标准: one scored item of a campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="criteria", verbose_name="评选活动")
    name = models.CharField("评分项", max_length=40)
    max_score = models.DecimalField(
        "满分", max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))]
    )
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "评分标准"
        verbose_name_plural = "评分标准"
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "name"], name="criterion_unique_name")]

    def __str__(self) -> str:
        return f"{self.name}（{self.max_score}分）"


class NominationQuerySet(models.QuerySet):
    def with_people(self) -> "NominationQuerySet":
        return self.select_related("campaign__campaign_type", "teacher", "school", "subject")


class Nomination(models.Model):
    """申报: a teacher or a school put forward in a campaign."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待学校推荐"
        ENDORSED = "endorsed", "待资格审查"
        ELIGIBLE = "eligible", "资格审查通过"
        INELIGIBLE = "ineligible", "资格审查未通过"

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="nominations", verbose_name="评选活动"
    )
    teacher = models.ForeignKey(
        "schools.Teacher",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominations",
        verbose_name="被推荐教师",
    )
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+", verbose_name="学校")
    subject = models.ForeignKey(
        "schools.Subject", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="学科"
    )
    level = models.CharField("申报层次", max_length=20, blank=True)
    school_category = models.CharField("同类学校", max_length=2, blank=True)  # from the school's type, at nomination
    work_title = models.CharField("成果/课例/事迹题目", max_length=100, blank=True)
    summary = models.TextField("主要事迹或成果简介", max_length=3000, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="申报人"
    )
    created_at = models.DateTimeField("申报时间", auto_now_add=True)
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="推荐人",
    )
    endorsed_at = models.DateTimeField("推荐时间", null=True, blank=True)
    check_note = models.CharField("资格审查意见", max_length=300, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审查人",
    )
    # Results, written by the aggregation.
    judge_count = models.PositiveSmallIntegerField("有效评分评委数", default=0)
    final_score = models.DecimalField("最终得分", max_digits=7, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField("组内名次", null=True, blank=True)
    prize = models.CharField("拟获奖项", max_length=40, blank=True)
    tie_at_quota = models.BooleanField("名额边界同分", default=False)
    certificate_number = models.CharField("证书编号", max_length=30, blank=True)
    bonus_amount = models.DecimalField("一次性奖励（元）", max_digits=10, decimal_places=2, null=True, blank=True)

    objects = NominationQuerySet.as_manager()

    class Meta:
        verbose_name = "申报"
        verbose_name_plural = "申报"
        ordering = ["campaign", "school__code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "teacher"], condition=Q(teacher__isnull=False), name="nomination_once_per_teacher"
            ),
            models.UniqueConstraint(
                fields=["campaign", "school", "level"],
                condition=Q(teacher__isnull=True),
                name="nomination_once_per_school_level",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return f"{self.nominee_name}（{self.campaign}）"

    @property
    def nominee_name(self) -> str:
        """Who the prize goes to: the teacher, or the school for a school nominee and for a
        school-level entry (学校 level: the teacher who filed it is not the winner)."""
        if rules.names_the_school(has_teacher=bool(self.teacher_id), level=self.level):
            return self.school.name
        return self.teacher.name

    @property
    def subject_name(self) -> str:
        """The entry's 学科: as filed, else the teacher's first subject (filed without one)."""
        if self.subject_id:
            return self.subject.name
        if self.teacher_id and not rules.names_the_school(has_teacher=True, level=self.level):
            first = min(self.teacher.subjects.all(), key=lambda s: s.order, default=None)
            return first.name if first else ""
        return ""

    @property
    def is_winner(self) -> bool:
        return bool(self.prize)

    @property
    def category_label(self) -> str:
        from schools.codes import SCHOOL_CATEGORIES

        return SCHOOL_CATEGORIES.get(self.school_category, "")

    @property
    def ranking_group(self) -> tuple:
        """The group this nomination is ranked in, by its campaign type's rule (排名分组)."""
        group_by = self.campaign.campaign_type.group_by
        if group_by == CampaignType.GroupBy.LEVEL:
            return (self.level,)
        if group_by == CampaignType.GroupBy.SUBJECT_CATEGORY:
            return (self.subject_id, self.school_category)
        return ()

    @property
    def ranking_group_label(self) -> str:
        group_by = self.campaign.campaign_type.group_by
        if group_by == CampaignType.GroupBy.LEVEL:
            return self.level or "—"
        if group_by == CampaignType.GroupBy.SUBJECT_CATEGORY:
            return " ".join(part for part in (str(self.subject or ""), self.category_label) if part) or "—"
        return "全市"


class NominationFile(models.Model):
    """申报材料."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="files", verbose_name="申报")
    file = models.FileField("文件", upload_to="awards/materials/%Y/%m/")
    original_name = models.CharField("文件名", max_length=150)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "申报材料"
        verbose_name_plural = "申报材料"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class Judge(models.Model):
    """评委 of a campaign; `school` is their own school (never judged by them), if any."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="judges", verbose_name="评选活动")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="评委")
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="所在学校"
    )

    class Meta:
        verbose_name = "评委"
        verbose_name_plural = "评委"
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "user"], name="judge_once_per_campaign")]

    def __str__(self) -> str:
        return str(self.user)


class Assignment(models.Model):
    """A nomination given to a judge to score."""

    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="assignments", verbose_name="评委")
    nomination = models.ForeignKey(
        Nomination, on_delete=models.CASCADE, related_name="assignments", verbose_name="申报"
    )
    submitted_at = models.DateTimeField("评分提交时间", null=True, blank=True)

    class Meta:
        verbose_name = "评审分配"
        verbose_name_plural = "评审分配"
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["judge", "nomination"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.judge} → {self.nomination}"


class Score(models.Model):
    """One judge's score on one criterion of one nomination."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="scores", verbose_name="评审分配")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+", verbose_name="评分项")
    value = models.DecimalField("得分", max_digits=5, decimal_places=1)
    updated_at = models.DateTimeField("评分时间", auto_now=True)

    class Meta:
        verbose_name = "评分"
        verbose_name_plural = "评分"
        constraints = [models.UniqueConstraint(fields=["assignment", "criterion"], name="score_unique_per_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion.name}: {self.value}"


class Objection(models.Model):
    """异议: lodged during the public notice, resolved by the bureau."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        UPHELD = "upheld", "异议成立"
        DISMISSED = "dismissed", "异议不成立"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="objections", verbose_name="评选活动")
    nomination = models.ForeignKey(
        Nomination,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="objections",
        verbose_name="针对的公示对象",
    )
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提出人"
    )
    text = models.TextField("异议内容", max_length=2000)
    created_at = models.DateTimeField("提出时间", auto_now_add=True)
    status = models.CharField("处理状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField("处理意见", blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "异议"
        verbose_name_plural = "异议"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"异议#{self.pk}"


class Holiday(models.Model):
    """法定节假日与调休: a listed date is a holiday, or (is_workday) a weekend day worked in exchange."""

    date = models.DateField("日期", unique=True)
    name = models.CharField("名称", max_length=30)
    is_workday = models.BooleanField("调休上班", default=False)

    class Meta:
        verbose_name = "节假日"
        verbose_name_plural = "节假日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
