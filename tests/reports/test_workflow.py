"""The report workflow through the pages: write, submit, return with comments, resubmit, accept."""

import pytest
from django.urls import reverse

from eduquality.models import AuditEntry
from reports.models import Kind, Reminder, Report, Status
from tests.reports.factories import ReportFactory

pytestmark = pytest.mark.django_db

NARRATIVE = {
    "basic_situation": "语文组共6名教师。",
    "score_analysis": "平均分高于全市。",
    "problems_causes": "作文得分偏低。",
    "measures": "开展作文专项教研。",
}


def transition(client, report, action, comment=""):
    return client.post(reverse("reports:report-transition", args=[report.pk]), {"action": action, "comment": comment})


def test_subject_report_goes_from_draft_to_accepted(city, semester, exam, login):
    leader, lead = login(city.group_leader_a), login(city.academic_lead_a)
    scopes = leader.get(reverse("reports:report-create")).context["scopes"]
    assert [s["kind"] for s in scopes] == [Kind.SUBJECT]
    response = leader.post(reverse("reports:report-create"), {"scope": "0", "semester": semester.pk})
    report = Report.objects.get(kind=Kind.SUBJECT, school=city.school_a, subject__code="YW")
    assert response["Location"] == reverse("reports:report-detail", args=[report.pk])

    assert leader.post(reverse("reports:report-edit", args=[report.pk]), NARRATIVE).status_code == 302
    transition(leader, report, "submit")
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED and report.author == city.group_leader_a
    # Submitted: the author can no longer edit.
    assert leader.get(reverse("reports:report-edit", args=[report.pk])).status_code == 403

    transition(lead, report, "return", "请补充各班对比。")
    report.refresh_from_db()
    assert (report.status, report.review_comment, report.reviewed_by) == (
        Status.RETURNED,
        "请补充各班对比。",
        city.academic_lead_a,
    )
    assert "请补充各班对比。" in leader.get(reverse("reports:report-edit", args=[report.pk])).content.decode()
    leader.post(reverse("reports:report-edit", args=[report.pk]), {**NARRATIVE, "score_analysis": "一班优于二班。"})
    transition(leader, report, "submit")
    transition(lead, report, "accept")
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED
    states = [e.changes["status"] for e in AuditEntry.objects.filter(object_id=str(report.pk), action="state")]
    assert sorted(map(tuple, states)) == sorted(
        [("草稿", "已提交"), ("已提交", "已退回"), ("已退回", "已提交"), ("已提交", "已通过")]
    )


def test_a_report_is_not_submitted_with_an_empty_section(city, semester, login):
    report = ReportFactory(school=city.school_a, measures="")
    client = login(city.academic_lead_a)
    response = transition(client, report, "submit")
    report.refresh_from_db()
    assert report.status == Status.DRAFT
    assert "请先填写：改进措施" in client.get(response["Location"]).content.decode()


def test_returning_needs_a_comment(city, semester, login):
    report = ReportFactory(school=city.school_a, status=Status.SUBMITTED)
    transition(login(city.principal_a), report, "return", "  ")
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_the_author_cannot_accept_their_own_report(city, semester, login):
    report = ReportFactory(school=city.school_a, status=Status.SUBMITTED)
    assert transition(login(city.academic_lead_a), report, "accept").status_code == 403
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_principal_of_another_school_gets_404(city, semester, login):
    report = ReportFactory(school=city.school_a, status=Status.SUBMITTED)
    client = login(city.principal_b)
    assert client.get(reverse("reports:report-detail", args=[report.pk])).status_code == 404
    assert transition(client, report, "accept").status_code == 404


def test_group_leader_cannot_forge_a_scope(city, semester, login):
    response = login(city.group_leader_a).post(reverse("reports:report-create"), {"scope": "5"})
    assert response.status_code == 403 and not Report.objects.exists()


def test_teachers_see_the_school_report_only_once_accepted(city, semester, login):
    report = ReportFactory(school=city.school_a, status=Status.SUBMITTED)
    teacher = login(city.teacher_user_a)
    assert teacher.get(reverse("reports:report-detail", args=[report.pk])).status_code == 404
    Report.objects.filter(pk=report.pk).update(status=Status.ACCEPTED)
    assert teacher.get(reverse("reports:report-detail", args=[report.pk])).status_code == 200


def test_principal_semester_report_is_reviewed_by_the_bureau(city, semester, login):
    report = ReportFactory(kind=Kind.PRINCIPAL_SEMESTER, school=city.school_a, author=city.principal_a)
    transition(login(city.principal_a), report, "submit")
    assert transition(login(city.principal_a), report, "accept").status_code == 403
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    transition(login(city.bureau), report, "accept")
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED


def test_bureau_sees_who_has_not_filed_and_reminds_them(city, semester, login):
    ReportFactory(school=city.school_a, status=Status.SUBMITTED)
    bureau = login(city.bureau)
    bureau.post(reverse("reports:deadline-set"), {"kind": "school", "semester": semester.pk, "due_on": "2020-01-10"})
    page = bureau.get(reverse("reports:tracking"), {"kind": "school", "semester": semester.pk})
    rows = {row["school"].name: row for row in page.context["rows"]}
    assert rows["甲小学"]["filed"] and not rows["乙小学"]["filed"]
    assert rows["乙小学"]["state"].overdue and page.context["overdue"] == 1
    bureau.post(reverse("reports:tracking-remind"), {"kind": "school", "semester": semester.pk})
    reminder = Reminder.objects.get()
    assert reminder.school == city.school_b and "截止日期2020年1月10日" in reminder.message
    home = login(city.principal_b).get(reverse("home")).content.decode()
    assert "请尽快提交" in home
    assert "请尽快提交" not in login(city.principal_a).get(reverse("home")).content.decode()


def test_report_list_is_scoped_and_exports(city, semester, login):
    ReportFactory(school=city.school_a)
    ReportFactory(school=city.school_b)
    names = [r.school.name for r in login(city.principal_a).get(reverse("reports:report-list")).context["page"]]
    assert names == ["甲小学"]
    response = login(city.bureau).get(reverse("reports:report-export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_render_page_starts_a_job_and_the_pdf_downloads(
    city, semester, exam, login, django_capture_on_commit_callbacks
):
    report = ReportFactory(school=city.school_a)
    client = login(city.principal_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report-render", args=[report.pk]))
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    job_page = client.get(response["Location"]).content.decode()
    assert "已生成第1版" in job_page
    pdf = client.get(reverse("reports:report-pdf", args=[report.pk, 1]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_report_list_query_count_does_not_grow_with_rows(city, semester, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(city.bureau)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("reports:report-list")).status_code == 200
        return len(captured)

    ReportFactory(school=city.school_a)
    few = queries()
    for kind in [Kind.PRINCIPAL_SEMESTER, Kind.SUBJECT]:
        for school in [city.school_a, city.school_b]:
            ReportFactory(kind=kind, school=school, subject=city.group_a.subject if kind == Kind.SUBJECT else None)
    assert queries() == few


def test_a_failed_render_is_tried_again_then_shows_an_error_with_a_retry(
    city, semester, login, monkeypatch, django_capture_on_commit_callbacks
):
    from eduquality import jobs, pdf
    from eduquality.models import Job

    monkeypatch.setattr("reports.services.time.sleep", lambda seconds: None)
    real = pdf.render_pdf_document
    calls = []

    def flaky(html):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("font cache busy")
        return real(html)

    monkeypatch.setattr(pdf, "render_pdf_document", flaky)
    report = ReportFactory(school=city.school_a)
    client = login(city.principal_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:report-render", args=[report.pk]))
    assert Job.objects.get().status == Job.Status.SUCCEEDED and len(calls) == 2  # retried in the task

    def broken(html):
        raise OSError("disk full")

    monkeypatch.setattr(pdf, "render_pdf_document", broken)
    report.measures = "改了内容，需要重新生成。"
    report.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report-render", args=[report.pk]))
    job = Job.objects.latest("created_at")
    assert job.status == Job.Status.FAILED and jobs.is_retryable(job)
    page = client.get(response["Location"]).content.decode()
    assert "处理过程中发生内部错误" in page and "重试" in page  # a clear error, never a blank page

    monkeypatch.setattr(pdf, "render_pdf_document", real)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("job-retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and report.pdfs.count() == 2


@pytest.mark.parametrize(
    ("kind", "scope"),
    [
        (Kind.SUBJECT, {"subject": True}),
        (Kind.SCHOOL, {}),
        (Kind.PRINCIPAL_SEMESTER, {}),
        (Kind.PRINCIPAL_ACCOUNT, {"semester": None}),
        (Kind.DISTRICT, {"school": None, "district": True, "semester": None}),
        (Kind.DISTRICT, {"school": None, "district": None, "semester": None}),  # the city report
    ],
)
def test_one_report_per_scope(city, semester, kind, scope):
    from django.db import IntegrityError, transaction

    values = {"school": city.school_a, **scope}
    if values.get("subject") is True:
        values["subject"] = city.group_a.subject
    if values.get("district") is True:
        values["district"] = city.school_a.district
    ReportFactory(kind=kind, start_year=2026, **values)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportFactory(kind=kind, start_year=2026, **values)


def test_starting_a_report_twice_opens_the_same_one(city, semester):
    from reports import services

    first = services.create_report(kind=Kind.SCHOOL, semester=semester, by=city.academic_lead_a, school=city.school_a)
    again = services.create_report(kind=Kind.SCHOOL, semester=semester, by=city.academic_lead_a, school=city.school_a)
    assert first.pk == again.pk and Report.objects.count() == 1


def test_a_school_report_is_not_submitted_without_its_quality_meeting(city, semester, login):
    report = ReportFactory(school=city.school_a, meeting_held_on=None, meeting_conclusions="")
    client = login(city.academic_lead_a)
    response = transition(client, report, "submit")
    report.refresh_from_db()
    assert report.status == Status.DRAFT
    assert "请先填写：质量分析会日期、质量分析会会议结论" in client.get(response["Location"]).content.decode()


def test_the_city_report_records_its_own_quality_meeting(city, semester, login):
    report = ReportFactory(
        kind=Kind.DISTRICT,
        school=None,
        district=None,
        semester=None,
        start_year=semester.start_year,
        meeting_held_on=None,
        meeting_attendees="",
        meeting_conclusions="",
    )
    client = login(city.bureau)
    assert "质量分析会日期" in client.get(reverse("reports:report-edit", args=[report.pk])).content.decode()
    transition(client, report, "submit")
    report.refresh_from_db()
    assert report.status == Status.DRAFT
    client.post(
        reverse("reports:report-edit", args=[report.pk]),
        {
            **NARRATIVE,
            "meeting_held_on": "2026-12-01",
            "meeting_attendees": "各区县教研员",
            "meeting_conclusions": "薄弱学校逐校调研。",
        },
    )
    transition(client, report, "submit")
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_policy_can_let_a_report_go_without_its_meeting(city, semester, login, settings):
    settings.REPORT_MEETING_REQUIRED = False
    report = ReportFactory(school=city.school_a, meeting_held_on=None, meeting_attendees="", meeting_conclusions="")
    transition(login(city.academic_lead_a), report, "submit")
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_the_writer_saves_and_submits_from_the_edit_page(city, semester, login):
    report = ReportFactory(school=city.school_a)
    client = login(city.academic_lead_a)
    fields = {
        **NARRATIVE,
        "meeting_held_on": "2026-11-20",
        "meeting_attendees": "全体教师",
        "meeting_conclusions": "建档。",
    }
    response = client.post(reverse("reports:report-edit", args=[report.pk]), {**fields, "save_and_submit": "1"})
    report.refresh_from_db()
    assert response["Location"] == reverse("reports:report-detail", args=[report.pk])
    assert report.status == Status.SUBMITTED and report.measures == NARRATIVE["measures"]


def test_save_and_submit_keeps_the_text_when_the_meeting_is_missing(city, semester, login):
    report = ReportFactory(school=city.school_a, meeting_held_on=None)
    client = login(city.academic_lead_a)
    fields = {**NARRATIVE, "meeting_attendees": "全体教师", "meeting_conclusions": "建档。", "save_and_submit": "1"}
    response = client.post(reverse("reports:report-edit", args=[report.pk]), fields, follow=True)
    report.refresh_from_db()
    assert report.status == Status.DRAFT and report.measures == NARRATIVE["measures"]
    assert "已保存，但未能提交：请先填写：质量分析会日期" in response.content.decode()


def test_the_editor_autosaves_a_draft(city, semester, login):
    report = ReportFactory(school=city.school_a)
    client = login(city.academic_lead_a)
    url = reverse("reports:report-edit", args=[report.pk])
    response = client.post(url, {**NARRATIVE, "problems_causes": "自动保存的草稿。"}, headers={"X-Autosave": "1"})
    assert response.status_code == 200 and "saved_at" in response.json()
    report.refresh_from_db()
    assert report.problems_causes == "自动保存的草稿。" and report.status == Status.DRAFT
    bad = client.post(url, {**NARRATIVE, "meeting_held_on": "不是日期"}, headers={"X-Autosave": "1"})
    assert bad.status_code == 400 and "meeting_held_on" in bad.json()["errors"]


def test_submit_is_disabled_with_the_missing_sections_named_before_the_click(city, semester, login):
    report = ReportFactory(school=city.school_a, measures="")
    html = login(city.academic_lead_a).get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    assert 'disabled aria-describedby="why-submit"' in html
    assert "请先填写：改进措施" in html
    report.measures = "开展作文专项教研。"
    report.save()
    html = login(city.academic_lead_a).get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    assert "why-submit" not in html and 'value="submit"' in html
