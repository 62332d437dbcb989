"""Writes of quality monitoring: atomic, validated, audited; long work goes to jobs."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from eduquality import audit, jobs
from eduquality.imports import ImportRejected
from monitoring import rules, score_import, statistics
from monitoring.models import Exam, ItemScore, ResearchVisit, Score, ScoreCorrection

IMPORT_JOB = "monitoring.import_scores"
COMPUTE_JOB = "monitoring.compute_statistics"


def start_score_import(*, exam: Exam, upload, by) -> jobs.Job:
    return jobs.start_job(
        owner=by,
        kind=IMPORT_JOB,
        title=f"导入成绩：{exam.name}（{upload.name}）",
        params={"exam_id": exam.pk},
        input_file=upload,
    )


def start_recompute(*, exam: Exam, by) -> jobs.Job:
    Exam.objects.filter(pk=exam.pk).update(status=Exam.Status.COMPUTING)
    return jobs.start_job(owner=by, kind=COMPUTE_JOB, title=f"重新统计：{exam.name}", params={"exam_id": exam.pk})


def import_and_compute(exam: Exam, content: bytes, filename: str, *, report) -> str:
    """The one code path of the browser upload and `manage.py import_scores`."""
    outcome = score_import.import_scores(exam, content, filename, report=report)
    _rows, followers = compute_with_followers(exam, report)
    return outcome.summary + "统计结果已更新。" + _followers_note(followers)


def compute_with_followers(exam: Exam, report) -> tuple[int, list[Exam]]:
    """Recompute the exam, then the computed exams that compare with it (对比监测): their changes
    since this exam, value-added and warnings read its scores. One level is enough — a follower's
    own figures do not change, so nothing that compares with the follower does."""
    rows = statistics.compute_exam(exam, report)
    followers = list(
        Exam.objects.filter(comparable_exam=exam, status=Exam.Status.READY).exclude(pk=exam.pk).order_by("pk")
    )
    for follower in followers:
        report(98, f"正在重新统计以本次为对比的监测：{follower.name}…")
        statistics.compute_exam(follower)
    return rows, followers


def _followers_note(followers: list[Exam]) -> str:
    if not followers:
        return ""
    return f"以本次为对比监测的{'、'.join(f'“{e.name}”' for e in followers)}已同时重新统计。"


@jobs.job_handler(IMPORT_JOB)
def import_scores_job(job, report) -> None:
    from django.core.files.base import ContentFile
    from django.urls import reverse

    exam = Exam.objects.get(pk=job.params["exam_id"])
    with job.input_file.open("rb") as handle:
        content = handle.read()
    try:
        job.message = import_and_compute(exam, content, job.input_file.name, report=report)
    except ImportRejected as rejected:
        if rejected.marked:
            job.result_name = f"{exam.name}-成绩问题标注.xlsx"
            job.result_file.save("problems.xlsx", ContentFile(rejected.marked), save=False)
        raise jobs.JobRejected(rejected.message, [p.as_dict() for p in rejected.problems]) from rejected
    job.result_url = reverse("monitoring:exam-detail", kwargs={"pk": exam.pk})


@jobs.job_handler(COMPUTE_JOB)
def compute_statistics_job(job, report) -> None:
    from django.urls import reverse

    exam = Exam.objects.get(pk=job.params["exam_id"])
    rows, followers = compute_with_followers(exam, report)
    job.message = f"统计完成：共 {rows} 条统计结果。" + _followers_note(followers)
    job.result_url = reverse("monitoring:exam-detail", kwargs={"pk": exam.pk})


def correct_score(*, score: Score, raw_value: str, reason: str, by) -> ScoreCorrection:
    """Change one score after import, keeping its history; the statistics are then recomputed."""
    if not reason.strip():
        raise ValidationError({"reason": "请填写更正原因。"})
    try:
        value = rules.parse_score(raw_value, score.exam_subject.full_marks)
    except rules.ScoreError as error:
        raise ValidationError({"value": str(error)}) from error
    if ItemScore.objects.filter(exam_subject_id=score.exam_subject_id, student_id=score.student_id).exists():
        # The score is the sum of the student's items (试卷分析 reads them): correct the items instead.
        raise ValidationError(
            {"value": "该学科按小题导入，总分为各小题之和：请在成绩表中更正小题分后重新导入本校成绩。"}
        )
    with transaction.atomic():
        locked = Score.objects.select_for_update().select_related("exam_subject__exam").get(pk=score.pk)
        if locked.score == value:
            raise ValidationError({"value": "新分数与原分数相同。"})
        correction = ScoreCorrection.objects.create(
            exam_subject_id=locked.exam_subject_id,
            student_id=locked.student_id,
            old_value=locked.score,
            new_value=value,
            reason=reason.strip(),
            corrected_by=by,
        )
        locked.score = value
        locked.save(update_fields=["score"])
        audit.record(
            actor=by,
            action="update",
            instance=locked,
            changes={"score": [_text(correction.old_value), _text(value)]},
            note=reason.strip(),
        )
        start_recompute(exam=locked.exam_subject.exam, by=by)
    return correction


def _text(value: Decimal | None) -> str:
    return "缺考" if value is None else f"{value.normalize():f}"


def update_research_visit(*, form, by) -> ResearchVisit:
    visit = audit.save_form(form, actor=by)
    return visit
