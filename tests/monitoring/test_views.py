"""Monitoring pages as their users meet them: the bureau runs exams, schools see only their own."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from eduquality.models import Job
from monitoring.models import (
    EarlyWarning,
    Exam,
    Indicator,
    IndicatorReport,
    Level,
    ResearchVisit,
    Score,
    ScoreCorrection,
    Statistic,
)
from monitoring.statistics import compute_exam
from tests.monitoring.factories import basic_indicators, import_rows, make_exam, row, student_number, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam(city):
    exam = make_exam(schools=[city.school_a, city.school_b], name="2026年秋季三年级期末监测")
    import_rows(
        exam, [row(1, city.school_a, 1, 90, 80), row(2, city.school_a, 1, 70, "缺考"), row(3, city.school_b, 1, 40, 30)]
    )
    compute_exam(exam)
    return exam


def upload(client, exam, content: bytes, name: str = "成绩.xlsx", capture=None):
    file = SimpleUploadedFile(
        name, content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    with capture(execute=True):
        response = client.post(reverse("monitoring:exam-upload", args=[exam.pk]), {"file": file})
    return response


def exam_form_data(code: str, *subjects: tuple[str, str, tuple[str, str, str, str]]) -> dict:
    """The POST of the exam form: the exam's fields, then (subject code, full marks, the four lines)."""
    from schools.models import Semester, Subject

    data = {
        "name": f"{code}监测",
        "code": code,
        "kind": "sample",
        "semester": Semester.objects.get(is_current=True).pk,
        "grade": 3,
        "band_share": "0.100",
        "borderline_margin_share": "0.050",
        "warning_bottom_places": 3,
        "warning_subjects": 2,
        "warning_rank_drop": 5,
        "warning_rate_drop": "0.100",
        "warning_value_added": "0.20",
        "value_added_min_matched": 30,
        "value_added_min_match_rate": "0.800",
        "subjects-TOTAL_FORMS": len(subjects),
        "subjects-INITIAL_FORMS": 0,
        "subjects-MIN_NUM_FORMS": 1,
        "subjects-MAX_NUM_FORMS": 1000,
    }
    for index, (subject, full_marks, lines) in enumerate(subjects):
        prefix = f"subjects-{index}-"
        data[prefix + "subject"] = Subject.objects.get(code=subject).pk
        data[prefix + "full_marks"] = full_marks
        data[prefix + "order"] = index
        for name, share in zip(("excellent_share", "good_share", "pass_share", "low_share"), lines, strict=True):
            data[prefix + name] = share
    return data


def test_bureau_creates_an_exam_with_its_subjects_and_thresholds(city, login):
    data = exam_form_data(
        "CC-2026-03",
        ("YW", "120", ("0.900", "0.750", "0.600", "0.300")),
        ("SX", "100", ("0.850", "0.700", "0.600", "0.400")),
    )
    response = login(city.bureau).post(reverse("monitoring:exam-create"), data)
    exam = Exam.objects.get(code="CC-2026-03")
    assert response.status_code == 302 and response["Location"] == reverse("monitoring:exam-detail", args=[exam.pk])
    chinese = exam.subjects.get(subject__code="YW")
    assert (chinese.full_marks, chinese.excellent_share, chinese.low_share) == (120, Decimal("0.900"), Decimal("0.300"))
    assert exam.subjects.count() == 2
    # No school picked: every school with a class of the grade takes part.
    assert set(exam.schools.all()) == {city.school_a, city.school_b}


def test_thresholds_in_the_wrong_order_are_refused_in_chinese(city, login):
    data = exam_form_data("BAD-1", ("YW", "100", ("0.500", "0.700", "0.600", "0.400")))
    response = login(city.bureau).post(reverse("monitoring:exam-create"), data)
    assert response.status_code == 200
    assert not Exam.objects.filter(code="BAD-1").exists()
    assert "低分线 ≤ 及格线 ≤ 良好线 ≤ 优秀线" in response.content.decode()


def test_an_upload_in_the_browser_runs_as_a_job_and_fills_the_statistics(
    city, login, django_capture_on_commit_callbacks
):
    exam = make_exam(schools=[city.school_a, city.school_b])
    content = workbook(exam, [row(1, city.school_a, 1, 88, 92.5), row(2, city.school_b, 2, 59.5, "缺考")])
    client = login(city.bureau)

    response = upload(client, exam, content, capture=django_capture_on_commit_callbacks)

    job = Job.objects.get()
    assert response["Location"] == reverse("job-detail", args=[job.pk])
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert "导入完成" in job.message and "缺考 1 条" in job.message
    page = client.get(reverse("job-detail", args=[job.pk])).content.decode()
    assert "导入完成" in page
    exam.refresh_from_db()
    assert exam.status == Exam.Status.READY
    city_yw = Statistic.objects.get(exam=exam, level=Level.CITY, exam_subject__subject__code="YW")
    assert city_yw.mean == Decimal("73.75")


def test_a_rejected_upload_lists_the_problems_and_offers_the_marked_workbook(
    city, login, django_capture_on_commit_callbacks
):
    exam = make_exam(schools=[city.school_a])
    content = workbook(exam, [row(1, city.school_a, 1, 88, 92), row(2, city.school_a, 1, 101, "九十")])
    client = login(city.bureau)

    upload(client, exam, content, capture=django_capture_on_commit_callbacks)

    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    page = client.get(reverse("job-detail", args=[job.pk])).content.decode()
    assert "未导入任何数据" in page and "语文" in page and "数学" in page
    download = client.get(reverse("job-download", args=[job.pk]))
    marked = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert marked.worksheets[0].cell(row=3, column=5).comment is not None
    assert not Score.objects.exists()


def test_an_upload_that_is_not_a_workbook_is_refused_at_once(city, login, django_capture_on_commit_callbacks):
    exam = make_exam(schools=[city.school_a])
    client = login(city.bureau)
    response = upload(client, exam, b"a,b,c", name="成绩.csv", capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert not Job.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "只接受 Excel 工作簿" in page


def test_the_bureau_reads_the_ranking_and_exports_it(exam, city, login):
    client = login(city.bureau)
    page = client.get(reverse("monitoring:exam-ranking", args=[exam.pk])).content.decode()
    assert "甲小学" in page and "乙小学" in page and "第 1 名 / 共 2 所" in page
    response = client.get(reverse("monitoring:exam-ranking", args=[exam.pk]) + "?export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["语文", "数学"]
    rows = list(book["语文"].iter_rows(values_only=True))
    assert rows[0][:2] == ("学校标识码", "学校")
    assert [r[1] for r in rows[1:]] == ["甲小学", "乙小学"]


def test_a_principal_sees_their_school_in_the_exam_but_not_the_others_nor_the_ranking(exam, city, login):
    client = login(city.principal_a)
    own = client.get(reverse("monitoring:exam-school", args=[exam.pk, city.school_a.pk]))
    assert own.status_code == 200 and "甲小学" in own.content.decode()
    assert client.get(reverse("monitoring:exam-school", args=[exam.pk, city.school_b.pk])).status_code == 404
    assert client.get(reverse("monitoring:exam-ranking", args=[exam.pk])).status_code == 403
    detail = client.get(reverse("monitoring:exam-detail", args=[exam.pk])).content.decode()
    assert "乙小学" not in detail and "学校排名" not in detail
    assert client.get(reverse("monitoring:school-trend", args=[city.school_b.pk])).status_code == 404


def test_a_principal_of_a_school_outside_the_exam_cannot_open_it(city, login):
    exam = make_exam(schools=[city.school_a], code="JC-A-ONLY")
    assert login(city.principal_b).get(reverse("monitoring:exam-detail", args=[exam.pk])).status_code == 404


def test_a_corrected_score_keeps_its_history_and_the_statistics_follow(
    exam, city, login, django_capture_on_commit_callbacks
):
    client = login(city.bureau)
    url = reverse("monitoring:exam-scores", args=[exam.pk])
    score = Score.objects.get(
        exam_subject__exam=exam, exam_subject__subject__code="YW", student__student_number=student_number(3)
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"exam_subject": score.exam_subject_id, "student": score.student_id, "value": "60.5", "reason": "复核加分"},
        )
    assert response.status_code == 302
    correction = ScoreCorrection.objects.get()
    assert (correction.old_value, correction.new_value, correction.corrected_by) == (
        Decimal(40),
        Decimal("60.5"),
        city.bureau,
    )
    city_yw = Statistic.objects.get(exam=exam, level=Level.CITY, exam_subject__subject__code="YW")
    assert city_yw.mean == Decimal("73.50")  # (90 + 70 + 60.5) / 3
    page = client.get(url + f"?student={student_number(3)}").content.decode()
    assert "复核加分" in page and "60.5" in page


def test_an_impossible_correction_is_refused_and_changes_nothing(exam, city, login):
    client = login(city.bureau)
    score = Score.objects.get(
        exam_subject__exam=exam, exam_subject__subject__code="YW", student__student_number=student_number(3)
    )
    response = client.post(
        reverse("monitoring:exam-scores", args=[exam.pk]),
        {"exam_subject": score.exam_subject_id, "student": score.student_id, "value": "150", "reason": "录入错误"},
    )
    assert response.status_code == 200
    assert "满分" in response.content.decode() or "100" in response.content.decode()
    assert not ScoreCorrection.objects.exists()
    score.refresh_from_db()
    assert score.score == Decimal(40)


def test_a_researcher_records_a_visit_on_a_warning_and_the_change_is_audited(exam, city, login):
    warning = EarlyWarning.objects.create(exam=exam, school=city.school_b, kind="sharp_fall", reason="语文成绩大幅下滑")
    ResearchVisit.objects.create(warning=warning)
    client = login(city.inspector)
    response = client.post(
        reverse("monitoring:warning-detail", args=[warning.pk]),
        {
            "researcher": city.inspector.pk,
            "visited_on": "2026-11-20",
            "causes": "新教师占比高",
            "measures": "结对帮扶",
            "status": "agreed",
        },
    )
    assert response.status_code == 302
    warning.visit.refresh_from_db()
    assert (warning.visit.status, warning.visit.measures) == ("agreed", "结对帮扶")
    page = client.get(reverse("monitoring:warning-detail", args=[warning.pk])).content.decode()
    assert "督学" in page
    listing = client.get(reverse("monitoring:warning-list") + "?status=agreed").content.decode()
    assert "乙小学" in listing


def test_warnings_are_not_for_school_staff(exam, city, login):
    warning = EarlyWarning.objects.create(exam=exam, school=city.school_a, kind="sharp_fall", reason="x")
    ResearchVisit.objects.create(warning=warning)
    client = login(city.principal_a)
    assert client.get(reverse("monitoring:warning-list")).status_code == 403
    assert client.get(reverse("monitoring:warning-detail", args=[warning.pk])).status_code == 404


def test_a_principal_files_the_basic_indicators_and_the_city_table_shows_what_is_met(city, login):
    basic_indicators()
    indicator = Indicator.objects.filter(direction=Indicator.Direction.AT_LEAST, yes_no=False).first()
    client = login(city.principal_a)
    url = reverse("monitoring:indicator-file", args=[city.school_a.pk]) + "?year=2026"
    below = indicator.line - 1
    response = client.post(url, {f"i_{indicator.pk}": str(below)})
    assert response.status_code == 302
    report = IndicatorReport.objects.get(school=city.school_a, indicator=indicator, start_year=2026)
    assert report.value == below and report.filed_by == city.principal_a
    table = login(city.bureau).get(reverse("monitoring:indicator-table") + "?year=2026").content.decode()
    assert "table-danger" in table
    assert login(city.principal_b).get(reverse("monitoring:indicator-file", args=[city.school_a.pk])).status_code == 404


def test_lists_export_to_excel(exam, city, login):
    client = login(city.bureau)
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("monitoring:exam-list") + "?export=xlsx").content))
    assert list(book.active.iter_rows(values_only=True))[1][1] == "2026年秋季三年级期末监测"
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("monitoring:indicator-table") + "?export=xlsx").content)
    )
    assert book.active.cell(row=1, column=1).value == "学校标识码"


def test_the_home_page_shows_the_bureau_its_open_warnings(exam, city, login):
    open_warnings = EarlyWarning.objects.filter(exam=exam)
    assert open_warnings.exists()  # 乙小学 is last in both subjects
    page = login(city.bureau).get(reverse("home")).content.decode()
    assert f"待跟进的质量预警（{open_warnings.count()} 条）" in page and "乙小学" in page
    assert "待跟进的质量预警" not in login(city.principal_a).get(reverse("home")).content.decode()


def test_the_exam_list_runs_a_fixed_number_of_queries(exam, city, login, django_assert_max_num_queries):
    for n in range(2, 12):
        make_exam(schools=[city.school_a], code=f"JC-Q{n}")
    client = login(city.bureau)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("monitoring:exam-list")).status_code == 200


def test_import_scores_command_uses_the_same_path_and_refuses_bad_files(city, tmp_path):
    exam = make_exam(schools=[city.school_a], code="JC-CLI")
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook(exam, [row(1, city.school_a, 1, 80, 70)]))
    call_command("import_scores", "JC-CLI", str(good))
    assert Score.objects.filter(exam_subject__exam=exam).count() == 2
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook(exam, [row(1, city.school_a, 1, 800, 70)]))
    with pytest.raises(CommandError):
        call_command("import_scores", "JC-CLI", str(bad), "--problems-out", str(tmp_path / "marked.xlsx"))
    assert (tmp_path / "marked.xlsx").exists()
    assert Score.objects.get(exam_subject__exam=exam, exam_subject__subject__code="YW").score == Decimal(80)


def test_export_exam_stats_writes_a_sheet_per_subject(exam, tmp_path):
    out = tmp_path / "stats.xlsx"
    call_command("export_exam_stats", exam.code, str(out))
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["语文", "数学"]
    assert book["语文"].max_row == 3


def test_the_correction_page_masks_the_students_name_for_bureau_staff(exam, city, login):
    from schools.models import Student

    student = Student.objects.get(student_number=student_number(1))
    student.name = "欧阳小明"
    student.save()
    page = login(city.bureau).get(reverse("monitoring:exam-scores", args=[exam.pk]) + f"?student={student_number(1)}")
    text = page.content.decode()
    assert "欧阳小明" not in text and "欧" in text


def test_with_the_city_default_of_grades_pages_show_grades_instead_of_ranks(exam, city, login, settings):
    settings.SHOW_GRADES_INSTEAD_OF_RANKS = True  # the city default; the exam is left at 默认
    stat = Statistic.objects.get(exam=exam, level=Level.SCHOOL, school=city.school_a, exam_subject__subject__code="YW")
    page = login(city.principal_a).get(reverse("monitoring:exam-school", args=[exam.pk, city.school_a.pk]))
    text = page.content.decode()
    assert "等级" in text and "同类学校名次" not in text
    assert f"<td>等级 {stat.grade_letter}</td>" in text
    assert "第 1 名" not in text


def test_an_exam_that_asks_for_ranks_shows_the_principal_their_own_place_despite_the_city_default(
    exam, city, login, settings
):
    settings.SHOW_GRADES_INSTEAD_OF_RANKS = True
    exam.grade_policy = Exam.GradePolicy.RANKS
    exam.save()
    text = login(city.principal_a).get(reverse("monitoring:exam-school", args=[exam.pk, city.school_a.pk])).content
    assert "<td>第 1 名 / 共 2 所</td>" in text.decode()


def test_the_ranking_opens_on_the_largest_category_and_can_show_all(city, login):
    from schools.models import SchoolType
    from tests.factories import SchoolFactory

    middle = SchoolFactory(name="丙中学", school_type=SchoolType.objects.get(code="311"))
    exam = make_exam(schools=[city.school_a, city.school_b, middle], code="JC-CATS")
    import_rows(exam, [row(1, city.school_a, 1, 90, 80), row(2, city.school_b, 1, 70, 60), row(3, middle, 1, 50, 50)])
    compute_exam(exam)
    client = login(city.bureau)
    url = reverse("monitoring:exam-ranking", args=[exam.pk])
    first = client.get(url).content.decode()
    assert "甲小学" in first and "丙中学" not in first
    everything = client.get(url + "?category=all").content.decode()
    assert "甲小学" in everything and "丙中学" in everything


def test_the_class_table_lists_classes_in_number_order(city, login):
    exam = make_exam(schools=[city.school_a], code="JC-ORDER")
    import_rows(
        exam, [row(1, city.school_a, 10, 90, 80), row(2, city.school_a, 2, 70, 60), row(3, city.school_a, 1, 50, 50)]
    )
    compute_exam(exam)
    page = login(city.principal_a).get(reverse("monitoring:exam-school", args=[exam.pk, city.school_a.pk]))
    text = page.content.decode()
    positions = [text.index(label) for label in ("三年级(1)班", "三年级(2)班", "三年级(10)班")]
    assert positions == sorted(positions)


def test_the_figures_pages_show_new_figures_after_a_recomputation(
    exam, city, login, django_capture_on_commit_callbacks
):
    client = login(city.bureau)
    school_url = reverse("monitoring:exam-school", args=[exam.pk, city.school_b.pk])
    ranking_url = reverse("monitoring:exam-ranking", args=[exam.pk])
    assert "40.00" in client.get(school_url).content.decode()  # 乙小学's only 语文 score
    assert "40.00" in client.get(ranking_url).content.decode()
    score = Score.objects.get(exam_subject__exam=exam, exam_subject__subject__code="YW", student__school=city.school_b)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("monitoring:exam-scores", args=[exam.pk]),
            {"exam_subject": score.exam_subject_id, "student": score.student_id, "value": "55", "reason": "复核"},
        )
    assert "55.00" in client.get(school_url).content.decode()
    assert "55.00" in client.get(ranking_url).content.decode()


def _junior_school(city):
    from schools.models import SchoolType
    from tests.factories import SchoolFactory

    return SchoolFactory(name="丙初级中学", school_type=SchoolType.objects.get(code="311"))


def test_a_primary_school_is_judged_on_the_primary_sleep_line_only(city, login):
    """Issue 14 §7: a 小学 was judged on the 初中 sleep line (9 h) — the indicator's stages were never used."""
    basic_indicators()
    primary_line = Indicator.objects.get(code="R08A")  # 小学生每天睡眠时间 ≥ 10 h
    junior_line = Indicator.objects.get(code="R08B")  # 初中学生每天睡眠时间 ≥ 9 h
    junior = _junior_school(city)
    form = login(city.principal_a).get(reverse("monitoring:indicator-file", args=[city.school_a.pk]) + "?year=2026")
    assert f"i_{primary_line.pk}" in form.content.decode()
    assert f"i_{junior_line.pk}" not in form.content.decode()
    # Filed 8.5 h: below both lines; the 小学 is judged once, on its own line.
    for school, indicator in ((city.school_a, primary_line), (junior, junior_line)):
        IndicatorReport.objects.create(
            school=school, indicator=indicator, start_year=2026, value=Decimal("8.5"), filed_by=city.bureau
        )
    response = login(city.bureau).get(reverse("monitoring:indicator-table") + "?year=2026")
    rows = {row["school"].pk: row for row in response.context["page"]}
    indicators = list(Indicator.objects.all())
    primary = dict(zip(indicators, rows[city.school_a.pk]["cells"], strict=True))
    assert primary[primary_line]["met"] is False and primary[junior_line]["text"] == "不适用"
    assert (rows[city.school_a.pk]["met"], rows[city.school_a.pk]["filed"]) == (0, 1)
    junior_cells = dict(zip(indicators, rows[junior.pk]["cells"], strict=True))
    assert junior_cells[primary_line]["text"] == "不适用" and junior_cells[junior_line]["met"] is False


def test_yes_no_indicators_are_filed_and_shown_as_shi_or_fou(city, login):
    """Issue 14 §7: a qualitative requirement read “不低于1” over a column of 1.00 and 0.00."""
    basic_indicators()
    direction = Indicator.objects.get(code="R01")  # 坚持正确办学方向
    assert direction.yes_no and direction.line_label == "须为“是”"
    client = login(city.principal_a)
    url = reverse("monitoring:indicator-file", args=[city.school_a.pk]) + "?year=2026"
    form = client.get(url).content.decode()
    assert '<option value="1">是</option>' in form and '<option value="0">否</option>' in form
    assert client.post(url, {f"i_{direction.pk}": "0"}).status_code == 302
    assert IndicatorReport.objects.get(school=city.school_a, indicator=direction).value == 0
    table = login(city.bureau).get(reverse("monitoring:indicator-table") + "?year=2026")
    page = table.content.decode()
    assert "须为“是”" in page and "不低于1<" not in page
    row = next(r for r in table.context["page"] if r["school"] == city.school_a)
    cell = dict(zip(Indicator.objects.all(), row["cells"], strict=True))[direction]
    assert (cell["text"], cell["met"]) == ("否", False)
    book = openpyxl.load_workbook(
        io.BytesIO(login(city.bureau).get(reverse("monitoring:indicator-table") + "?year=2026&export=xlsx").content)
    )
    values = next(row for row in book.active.iter_rows(values_only=True) if row[1] == city.school_a.name)
    assert "否（未达标）" in values


def test_the_researcher_picker_lists_only_researchers_not_the_bureau_or_the_admin(exam, city, login):
    from tests.factories import UserFactory, grant

    admin = UserFactory(username="admin", full_name="系统管理员", is_superuser=True, is_staff=True)
    grant(admin, "bureau")
    warning = EarlyWarning.objects.create(exam=exam, school=city.school_b, kind="sharp_fall", reason="语文成绩大幅下滑")
    ResearchVisit.objects.create(warning=warning)
    page = login(city.bureau).get(reverse("monitoring:warning-detail", args=[warning.pk]))
    choices = list(page.context["form"].fields["researcher"].queryset)
    assert choices == [city.inspector]
    assert "---------" not in page.content.decode()
