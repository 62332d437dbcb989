"""Writes of the reports app: workflow transitions, PDF rendering (as jobs), deadlines, reminders.

Atomic, audited; a render is a Job run by a Celery worker. A stored PDF is reused when the
document's content hash is unchanged, so rendering the same report twice makes one version.
"""

import io
import logging
import time
import zipfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from eduquality import audit, jobs, pdf
from eduquality.models import AuditEntry, Job
from reports import data, rules
from reports.models import (
    ANNUAL_KINDS,
    BatchItem,
    Deadline,
    ImprovementMeasure,
    Kind,
    Reminder,
    Report,
    ReportPdf,
    Status,
)
from reports.selectors import roles_over
from schools.models import School, Semester

logger = logging.getLogger(__name__)

RENDER_JOB = "reports.render_pdf"
BATCH_JOB = "reports.render_batch"
ISSUER = "市教育局 · 教育教学质量提升工程"
# A render that fails for an unexpected reason is tried this many times before the job fails.
RENDER_TRIES = 2
NARRATIVE_FIELDS = {
    "basic_situation": "基本情况",
    "score_analysis": "成绩分析",
    "problems_causes": "问题与原因",
    "measures": "改进措施",
}
MEETING_FIELDS = {
    "meeting_held_on": "质量分析会日期",
    "meeting_attendees": "质量分析会参会人员",
    "meeting_conclusions": "质量分析会会议结论",
}


# ---- Documents and workflow -----------------------------------------------------------------------


def create_report(*, kind: str, semester: Semester, by, school=None, subject=None, district=None) -> Report:
    """Start (or open the existing) report of a scope; the caller has checked the scope is the user's."""
    scope = {
        "kind": kind,
        "school": school,
        "subject": subject if kind == Kind.SUBJECT else None,
        "district": district if kind == Kind.DISTRICT else None,
        "start_year": semester.start_year,
        "semester": None if kind in ANNUAL_KINDS else semester,
    }
    with transaction.atomic():
        report, created = Report.objects.get_or_create(**scope, defaults={"author": by})
        if created:
            audit.record(actor=by, action=AuditEntry.Action.CREATE, instance=report)
    return report


def save_narrative(*, form, by) -> Report:
    report = form.instance
    if rules.EDIT not in rules.allowed_actions(report.kind, report.status, roles_over(by, report)):
        raise PermissionDenied
    with transaction.atomic():
        saved = audit.save_form(form, actor=by)
        if saved.author_id is None:
            Report.objects.filter(pk=saved.pk).update(author=by)
    return saved


def submit_blocker(report: Report) -> str | None:
    """Why the report cannot be submitted yet (the sections still empty); the page disables 提交 with it."""
    missing = rules.missing_narrative(
        {label: getattr(report, name) for name, label in NARRATIVE_FIELDS.items()}
    ) + rules.missing_meeting(
        report.kind,
        {label: getattr(report, name) for name, label in MEETING_FIELDS.items()},
        required=settings.REPORT_MEETING_REQUIRED,
    )
    return f"请先填写：{'、'.join(missing)}。" if missing else None


def transition(*, report: Report, action: str, by, comment: str = "") -> Report:
    """Submit, return (with a comment) or accept: checked against the roles, audited."""
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if action not in rules.allowed_actions(locked.kind, locked.status, roles_over(by, locked)):
            raise PermissionDenied
        new_status = rules.next_status(locked.status, action)
        if action == rules.SUBMIT and (problem := submit_blocker(locked)):
            raise ValidationError(problem)
        if action == rules.RETURN and not comment.strip():
            raise ValidationError("退回时请填写修改意见。")
        old_status = locked.status
        locked.status = new_status
        fields = ["status", "updated_at"]
        if action == rules.SUBMIT:
            locked.submitted_at = timezone.now()
            fields.append("submitted_at")
            if locked.author_id is None:  # a report the batch started: whoever submits it wrote it
                locked.author = by
                fields.append("author")
        else:
            locked.reviewed_by, locked.reviewed_at, locked.review_comment = by, timezone.now(), comment.strip()
            fields += ["reviewed_by", "reviewed_at", "review_comment"]
        locked.save(update_fields=fields)
        audit.record(
            actor=by,
            action=AuditEntry.Action.STATE,
            instance=locked,
            changes={"status": [Status(old_status).label, Status(new_status).label]},
            note=comment.strip(),
        )
    return locked


# ---- Deadlines and reminders ----------------------------------------------------------------------


def set_deadline(*, kind: str, semester: Semester, due_on, by) -> Deadline:
    period = {"kind": kind, "start_year": semester.start_year, "semester": None if kind in ANNUAL_KINDS else semester}
    with transaction.atomic():
        deadline, _ = Deadline.objects.update_or_create(**period, defaults={"due_on": due_on, "set_by": by})
        audit.record(
            actor=by, action=AuditEntry.Action.UPDATE, instance=deadline, changes={"due_on": [None, str(due_on)]}
        )
    return deadline


def remind(*, kind: str, semester: Semester, schools, by) -> int:
    """Send a reminder to each of `schools`; their staff see it on their home page."""
    label = Kind(kind).label
    annual = kind in ANNUAL_KINDS
    period = semester.academic_year_label if annual else str(semester)
    deadline = Deadline.objects.filter(
        kind=kind, start_year=semester.start_year, semester=None if annual else semester
    ).first()
    due = f"，截止日期{deadline.due_on.year}年{deadline.due_on.month}月{deadline.due_on.day}日" if deadline else ""
    with transaction.atomic():
        reminders = Reminder.objects.bulk_create(
            Reminder(
                kind=kind,
                school=school,
                semester=None if annual else semester,
                start_year=semester.start_year,
                message=f"请尽快提交{period}{label}{due}。",
                sent_by=by,
            )
            for school in schools
        )
        for reminder in reminders:
            audit.record(actor=by, action=AuditEntry.Action.CREATE, instance=reminder)
    return len(reminders)


# ---- PDF ------------------------------------------------------------------------------------------


def document_html(report: Report) -> str:
    """The report as a printable HTML document, filled from the stored data."""
    context = data.build_context(report)
    context.update(chapters=data.outline(report), issuer=ISSUER)
    return render_to_string("reports/pdf/report.html", context)


def file_name(report: Report, version: int | None = None) -> str:
    suffix = f"-第{version}版" if version else ""
    return f"{report.scope_label}-{report.period_label}-{report.get_kind_display()}{suffix}.pdf"


def render_report_pdf(report: Report, *, by=None) -> tuple[ReportPdf, bool]:
    """Render and store the report's PDF, or reuse the stored one of the same content.
    Returns (pdf, reused)."""
    html = document_html(report)
    digest = pdf.content_hash(html)
    existing = ReportPdf.objects.filter(report=report, content_hash=digest).first()
    if existing is not None:
        return existing, True
    rendered = pdf.render_pdf_document(html)
    with transaction.atomic():
        Report.objects.select_for_update().filter(pk=report.pk).order_by().first()
        existing = ReportPdf.objects.filter(report=report, content_hash=digest).first()
        if existing is not None:
            return existing, True
        version = (report.pdfs.aggregate(top=Max("version"))["top"] or 0) + 1
        stored = ReportPdf(
            report=report,
            version=version,
            content_hash=digest,
            pages=rendered.pages,
            size=len(rendered.content),
            status_at_render=report.status,
            rendered_by=by,
        )
        stored.file.save(f"report-{report.pk}-v{version}.pdf", ContentFile(rendered.content), save=False)
        stored.save()
    return stored, False


def start_render(*, report: Report, by) -> Job:
    return jobs.start_job(owner=by, kind=RENDER_JOB, title=f"生成PDF：{report}", params={"report_id": report.pk})


@jobs.job_handler(RENDER_JOB)
def render_job(job: Job, report_progress) -> None:
    report = Report.objects.select_related("school", "subject", "district", "semester", "author").get(
        pk=job.params["report_id"]
    )
    report_progress(10, "正在汇总统计数据…")
    for attempt in range(1, RENDER_TRIES + 1):
        try:
            report_progress(30, "正在排版 PDF…")
            stored, reused = render_report_pdf(report, by=job.owner)
            break
        except pdf.FetchRefused as refused:
            raise jobs.JobRejected(f"报告中引用了不允许加载的外部资源，已拒绝生成：{refused}") from refused
        except Exception:
            if attempt == RENDER_TRIES:
                raise
            logger.warning("Render of report %s failed (try %s), trying again", report.pk, attempt, exc_info=True)
            time.sleep(1)
    job.result_file.name = stored.file.name
    job.result_name = file_name(report, stored.version)
    job.result_url = reverse("reports:report-detail", kwargs={"pk": report.pk})
    job.message = (
        f"内容未变，沿用已存档的第{stored.version}版（共{stored.pages}页）。"
        if reused
        else f"已生成第{stored.version}版（共{stored.pages}页）。"
    )


# ---- Bulk render: every school's report of a semester, one ZIP ------------------------------------


def start_batch(*, semester: Semester, by) -> Job:
    """Render the school report (全校报告) of every active school for `semester` in one job. A school
    without one gets it started; a draft stays its authors' (rules.outsiders_may_read): it is not
    rendered into the bureau's ZIP, and the job's message names the schools still to submit."""
    with transaction.atomic():
        reports = [
            create_report(kind=Kind.SCHOOL, semester=semester, by=None, school=school)
            for school in School.objects.filter(is_active=True).order_by("code")
        ]
        ready = [report for report in reports if rules.outsiders_may_read(report.kind, report.status)]
        job = jobs.start_job(
            owner=by,
            kind=BATCH_JOB,
            title=f"批量生成{semester}全校教学质量分析报告",
            params={
                "semester_id": semester.pk,
                "unsubmitted": [report.school.name for report in reports if report not in ready],
            },
        )
        BatchItem.objects.bulk_create(BatchItem(job=job, report=report) for report in ready)
        transaction.on_commit(lambda: _dispatch_helpers(job, len(ready)))
    return job


def _dispatch_helpers(job: Job, count: int) -> None:
    """A Celery group of helpers that pull items of this batch; the job's own task pulls too and
    builds the ZIP, so the batch completes on one worker process and speeds up on more."""
    from celery import group

    from reports.tasks import render_batch_items

    helpers = min(count, 8)
    if helpers:
        group(render_batch_items.si(str(job.pk)) for _ in range(helpers)).apply_async()


def render_next_item(job_id) -> bool:
    """Claim one pending item of the batch (skipping those other workers hold), render it.
    The row lock is held until the item is stored: a worker that dies releases it for another."""
    with transaction.atomic():
        item = (
            BatchItem.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(job_id=job_id, done=False)
            .select_related("report__school", "report__semester")
            .order_by("pk")
            .first()
        )
        if item is None:
            return False
        try:
            with transaction.atomic():
                item.pdf, _ = render_report_pdf(item.report)
        except Exception as error:  # one school's failure must not sink the other 59
            logger.exception("Batch %s: report %s failed", job_id, item.report_id)
            item.error = f"生成失败：{type(error).__name__}"
        item.done = True
        item.save(update_fields=["pdf", "done", "error"])
    return True


@jobs.job_handler(BATCH_JOB)
def render_batch_job(job: Job, report_progress) -> None:
    items = BatchItem.objects.filter(job=job)
    total = items.count()
    while True:
        worked = render_next_item(job.pk)
        done = items.filter(done=True).count()
        report_progress(int(95 * done / max(total, 1)), f"已生成 {done}/{total} 份报告…")
        if not worked:
            if done >= total:
                break
            time.sleep(0.2)  # the remaining items are being rendered by other workers
    finished = list(items.select_related("report__school", "report__semester", "pdf").order_by("report__school__code"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for item in finished:
            if item.pdf_id:
                with item.pdf.file.open("rb") as handle:
                    archive.writestr(f"{item.report.school.code}-{file_name(item.report)}", handle.read())
    failed = [item for item in finished if item.error]
    semester = Semester.objects.get(pk=job.params["semester_id"])
    job.result_name = f"{semester}全校教学质量分析报告（{len(finished) - len(failed)}份）.zip"
    job.result_file.save(f"reports-batch-{job.pk}.zip", ContentFile(buffer.getvalue()), save=False)
    job.message = f"已生成 {len(finished) - len(failed)} 份报告并打包。"
    if waiting := job.params.get("unsubmitted"):
        job.message += (
            f"{len(waiting)} 所学校的报告尚未提交（草稿只属于撰写人），未打包："
            f"{'、'.join(waiting[:10])}{'等' if len(waiting) > 10 else ''}。"
        )
    if failed:
        names = "、".join(item.report.school.name for item in failed[:10])
        job.message += (
            f"{len(failed)} 所学校生成失败：{names}。重新发起批量生成即可补齐（已生成的报告内容未变时直接沿用）。"
        )


# ---- 改进措施 (the loop) ----------------------------------------------------------------------------


def add_measure(*, report: Report, form, by) -> ImprovementMeasure:
    """A measure is added while its report is being written (its authors, draft or returned)."""
    if rules.EDIT not in rules.allowed_actions(report.kind, report.status, roles_over(by, report)):
        raise PermissionDenied
    form.instance.report = report
    if report.kind == Kind.SUBJECT:
        form.instance.subject = report.subject
    return audit.save_form(form, actor=by)


def update_measure(*, measure: ImprovementMeasure, form, by) -> ImprovementMeasure:
    """How a measure was carried out, recorded by the report's authors or reviewers at any time."""
    report = measure.report
    if not rules.may_track_measures(report.kind, roles_over(by, report)):
        raise PermissionDenied
    return audit.save_form(form, actor=by)
