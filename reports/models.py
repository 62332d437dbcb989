"""Quality-analysis reports (质量分析报告): documents with a workflow and their stored PDFs."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from schools import codes
from schools.models import District, School, Semester, Subject


class Kind(models.TextChoices):
    SUBJECT = "subject", "学科教学质量分析报告"
    SCHOOL = "school", "全校各学科教学质量分析报告"
    DISTRICT = "district", "区域教学质量分析报告"
    PRINCIPAL_SEMESTER = "principal_semester", "学校学期工作报告"
    PRINCIPAL_ACCOUNT = "principal_account", "校长教学质量述职"


# Kinds filed once per school year (the others once per semester).
ANNUAL_KINDS = frozenset({Kind.DISTRICT, Kind.PRINCIPAL_ACCOUNT})
SCHOOL_KINDS = frozenset({Kind.SUBJECT, Kind.SCHOOL, Kind.PRINCIPAL_SEMESTER, Kind.PRINCIPAL_ACCOUNT})


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "已退回"
    ACCEPTED = "accepted", "已通过"


class Report(models.Model):
    """One report of one kind for its scope: school (× subject) × semester, or district/city × year."""

    kind = models.CharField("报告类型", max_length=20, choices=Kind.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="quality_reports", verbose_name="学校"
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, null=True, blank=True, verbose_name="学科")
    # A district report names its district; NULL there is the city-wide report (全市).
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True, verbose_name="区县")
    semester = models.ForeignKey(Semester, on_delete=models.PROTECT, null=True, blank=True, verbose_name="学期")
    start_year = models.PositiveSmallIntegerField("学年起始年份")

    basic_situation = models.TextField("基本情况", blank=True)
    score_analysis = models.TextField("成绩分析", blank=True)
    problems_causes = models.TextField("问题与原因", blank=True)
    measures = models.TextField("改进措施", blank=True)
    # 质量分析会 (school report only).
    meeting_held_on = models.DateField("质量分析会日期", null=True, blank=True)
    meeting_attendees = models.TextField("参会人员", blank=True)
    meeting_conclusions = models.TextField("会议结论", blank=True)

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="撰写人",
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审阅人",
    )
    reviewed_at = models.DateTimeField("审阅时间", null=True, blank=True)
    review_comment = models.TextField("审阅意见", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "质量分析报告"
        verbose_name_plural = "质量分析报告"
        ordering = ["-start_year", "kind", "school__code", "subject__order"]
        # One report per scope, spelled out per kind so no NULL takes part (SQLite agrees too).
        constraints = [
            models.UniqueConstraint(
                fields=["school", "subject", "semester"], condition=Q(kind="subject"), name="report_unique_subject"
            ),
            models.UniqueConstraint(
                fields=["kind", "school", "semester"],
                condition=Q(kind__in=["school", "principal_semester"]),
                name="report_unique_school_semester",
            ),
            models.UniqueConstraint(
                fields=["school", "start_year"], condition=Q(kind="principal_account"), name="report_unique_account"
            ),
            models.UniqueConstraint(
                fields=["district", "start_year"],
                condition=Q(kind="district", district__isnull=False),
                name="report_unique_district",
            ),
            models.UniqueConstraint(
                fields=["start_year"], condition=Q(kind="district", district__isnull=True), name="report_unique_city"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_label}{self.period_label}{self.get_kind_display()}"

    @property
    def scope_label(self) -> str:
        if self.kind == Kind.DISTRICT:
            return self.district.name if self.district_id else "全市"
        if self.kind == Kind.SUBJECT:
            return f"{self.school.name}{self.subject.name}"
        return self.school.name if self.school_id else ""

    @property
    def period_label(self) -> str:
        if self.semester_id:
            return str(self.semester)
        return codes.academic_year_label(self.start_year)

    @property
    def is_annual(self) -> bool:
        return self.kind in ANNUAL_KINDS


class ReportPdf(models.Model):
    """A stored rendering of a report; a new version only when the content changed (content_hash)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="pdfs", verbose_name="报告")
    version = models.PositiveIntegerField("版本")
    content_hash = models.CharField("内容摘要", max_length=64)
    file = models.FileField("PDF文件", upload_to="reports/%Y/%m/")
    pages = models.PositiveIntegerField("页数", default=0)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    status_at_render = models.CharField("生成时状态", max_length=10, choices=Status.choices)
    rendered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="生成人",
    )
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "报告PDF"
        verbose_name_plural = "报告PDF"
        ordering = ["report", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["report", "version"], name="report_pdf_unique_version"),
            models.UniqueConstraint(fields=["report", "content_hash"], name="report_pdf_unique_content"),
        ]

    def __str__(self) -> str:
        return f"{self.report} 第{self.version}版"


class Deadline(models.Model):
    """提交截止日期: the bureau's due date for one kind of report in one semester or school year."""

    kind = models.CharField("报告类型", max_length=20, choices=Kind.choices)
    semester = models.ForeignKey(Semester, on_delete=models.CASCADE, null=True, blank=True, verbose_name="学期")
    start_year = models.PositiveSmallIntegerField("学年起始年份")
    due_on = models.DateField("截止日期")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name="设置人")

    class Meta:
        verbose_name = "提交截止日期"
        verbose_name_plural = "提交截止日期"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "semester"], condition=Q(semester__isnull=False), name="deadline_unique_semester"
            ),
            models.UniqueConstraint(
                fields=["kind", "start_year"], condition=Q(semester__isnull=True), name="deadline_unique_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"


class Reminder(models.Model):
    """A reminder (催报) the bureau sent to a school that had not filed by the deadline."""

    kind = models.CharField("报告类型", max_length=20, choices=Kind.choices)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="report_reminders", verbose_name="学校")
    semester = models.ForeignKey(Semester, on_delete=models.CASCADE, null=True, blank=True, verbose_name="学期")
    start_year = models.PositiveSmallIntegerField("学年起始年份")
    message = models.CharField("提醒内容", max_length=300)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name="发送人")
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        verbose_name = "催报提醒"
        verbose_name_plural = "催报提醒"
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return self.message


class BatchItem(models.Model):
    """One report of a bulk render (批量生成); the job's workers claim items with SKIP LOCKED."""

    job = models.ForeignKey("eduquality.Job", on_delete=models.CASCADE, related_name="report_items")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    pdf = models.ForeignKey(ReportPdf, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    done = models.BooleanField(default=False)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "批量生成项"
        verbose_name_plural = "批量生成项"
        constraints = [models.UniqueConstraint(fields=["job", "report"], name="batch_item_unique")]

    def __str__(self) -> str:
        return f"{self.job_id}/{self.report_id}"


class ImprovementMeasure(models.Model):
    """改进措施: one tracked measure of a report, followed up in the next semester's report
    (检测 → 分析反馈 → 行为改进, seed 000)."""

    class State(models.TextChoices):
        PLANNED = "planned", "未开始"
        ONGOING = "ongoing", "推进中"
        DONE = "done", "已落实"
        DROPPED = "dropped", "未落实"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="measure_items", verbose_name="报告")
    text = models.CharField("措施", max_length=300)
    subject = models.ForeignKey(
        Subject,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name="针对学科",
        help_text="用于跟踪该学科此后的成绩变化。",
    )
    owner = models.CharField("责任人", max_length=40)
    due_on = models.DateField("完成期限")
    state = models.CharField("落实情况", max_length=10, choices=State.choices, default=State.PLANNED)
    follow_up = models.CharField("落实说明", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "改进措施"
        verbose_name_plural = "改进措施"
        ordering = ["report", "due_on", "pk"]

    def __str__(self) -> str:
        return self.text[:40]
