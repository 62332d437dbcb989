"""Each kind of report is filled from the stored statistics: the PDF text holds the right figures."""

import re
from decimal import Decimal

import pytest

from monitoring.models import EarlyWarning, Indicator, IndicatorReport
from reports import data, services
from reports.models import Kind, Status
from schools.models import Subject
from tests.reports.conftest import pdf_text, squeezed
from tests.reports.factories import ReportFactory

pytestmark = pytest.mark.django_db


def rendered_text(report) -> str:
    stored, _ = services.render_report_pdf(report)
    return squeezed(pdf_text(stored.file.read()))


def test_school_report_shows_each_subject_against_the_city(city, semester, exam):
    text = rendered_text(ReportFactory(school=city.school_a))
    # 语文: A's four sitters average (95+88+72+55)/4 = 77.50; the city's eight 70.00; one absentee.
    assert "语文各次监测三率一平均" in text and "三年级期末统考" in text and "4（1）77.5070.00+7.5" in text
    # 数学 is every score minus one: 76.50 against 69.00.
    assert "4（1）76.5069.00+7.5" in text
    assert "全科及格率（本校与全市）" in text and "75.0%62.5%" in text
    assert "第1名/共2所" in text and "各学科得分率" in text  # (squeezed: the PDF's spaces removed)


def test_school_report_gathers_its_subject_reports(city, semester, exam):
    ReportFactory(
        kind=Kind.SUBJECT, school=city.school_a, subject=Subject.objects.get(code="YW"), status=Status.ACCEPTED
    )
    text = rendered_text(ReportFactory(school=city.school_a))
    assert "各学科报告汇总" in text and "语文" in text and "已通过" in text


def test_subject_report_has_class_table_and_band_distribution(city, semester, exam):
    report = ReportFactory(kind=Kind.SUBJECT, school=city.school_a, subject=Subject.objects.get(code="SX"))
    text = rendered_text(report)
    assert "学科教学质量分析报告" in text and "甲小学数学" in text
    assert "76.50" in text and "69.00" in text
    assert "77.50" not in text and "70.00" not in text  # 语文's figures stay out of the 数学 report
    assert "分数段人数" in text and "数学分数段分布" in text and "各班平均分" in text


def test_city_report_compares_the_districts(city, semester, exam):
    report = ReportFactory(
        kind=Kind.DISTRICT, school=None, district=None, semester=None, start_year=semester.start_year
    )
    text = rendered_text(report)
    assert "区域教学质量分析报告" in text and "全市·2026—2027学年" in text
    district_a, district_b = city.school_a.district.name, city.school_b.district.name
    assert f"{district_a}77.5076.50" in text and f"{district_b}62.5061.50" in text


def test_district_report_lists_its_schools_and_warnings(city, semester, exam):
    EarlyWarning.objects.create(exam=exam, school=city.school_a, kind="sharp_fall", reason="语文成绩大幅下滑：测试。")
    report = ReportFactory(kind=Kind.DISTRICT, school=None, district=city.school_a.district, semester=None)
    text = rendered_text(report)
    assert "甲小学" in text and "77.50" in text and "76.50" in text
    assert "乙小学" not in text and "62.50" not in text  # school B is in another district
    assert "语文成绩大幅下滑：测试。" in text


def test_a_schools_own_reports_do_not_show_the_bureaus_warnings(city, semester, exam):
    EarlyWarning.objects.create(exam=exam, school=city.school_a, kind="sharp_fall", reason="语文成绩大幅下滑：测试。")
    report = ReportFactory(kind=Kind.SCHOOL, school=city.school_a, semester=semester)
    assert not any("warnings" in extra for chapter in data.outline(report) for extra in chapter["extras"])
    assert "语文成绩大幅下滑" not in rendered_text(report)


def test_principal_report_shows_the_indicators_met_and_missed(city, semester, exam):
    IndicatorReport.objects.create(
        school=city.school_a,
        indicator=Indicator.objects.get(code="R06A"),
        start_year=2026,
        value=Decimal("92.5"),
        filed_by=city.principal_a,
    )
    IndicatorReport.objects.create(
        school=city.school_a,
        indicator=Indicator.objects.get(code="R12"),
        start_year=2026,
        value=Decimal("85"),
        filed_by=city.principal_a,
    )
    text = rendered_text(ReportFactory(kind=Kind.PRINCIPAL_SEMESTER, school=city.school_a))
    assert "学校学期工作报告" in text
    assert "体质健康监测合格率" in text and "不低于90%" in text
    assert "92.5%" in text and "85%" in text and "未达标" in text and "未填报" in text
    assert "督导与听评课" in text


def test_inspection_summary_comes_from_the_inspections_app(city, semester):
    summary = data.inspection_summary(school=city.school_a, semester=semester)
    assert summary["available"] is True
    assert (summary["star_level"], summary["visits"], summary["observations"]) == (None, 0, 0)


def test_inspection_summary_falls_back_when_the_app_has_none(city, semester, monkeypatch):
    import inspections.selectors

    monkeypatch.delattr(inspections.selectors, "school_inspection_summary")
    summary = data.inspection_summary(school=city.school_a, semester=semester)
    assert summary["available"] is False and summary["note"] == "暂无督导数据"


def test_principal_account_covers_the_whole_school_year(city, semester, exam):
    report = ReportFactory(kind=Kind.PRINCIPAL_ACCOUNT, school=city.school_a, semester=None, start_year=2026)
    text = rendered_text(report)
    assert (
        "校长教学质量述职" in text
        and "2026—2027学年" in text
        and "语文各次监测三率一平均" in text
        and "4（1）77.50" in text
    )


def test_a_report_without_statistics_says_so(city, semester):
    assert "本学期尚无已统计的质量监测数据" in rendered_text(ReportFactory(school=city.school_a))


def test_position_shows_the_grade_instead_of_the_rank_when_the_exams_policy_asks(city, semester, exam, settings):
    from monitoring.models import Level, Statistic

    stat = Statistic.objects.get(exam=exam, level=Level.SCHOOL, school=city.school_a, exam_subject__subject__code="YW")
    assert data.position_text(stat, exam) == "第 1 名 / 共 2 所"
    settings.SHOW_GRADES_INSTEAD_OF_RANKS = True  # the city default
    assert data.position_text(stat, exam) == "等级 B"  # score rate 77.5%: between the 70% and 85% lines
    exam.grade_policy = "ranks"  # the exam's own choice wins
    assert data.position_text(stat, exam) == "第 1 名 / 共 2 所"
    settings.SHOW_GRADES_INSTEAD_OF_RANKS = False
    exam.grade_policy = "grades"
    assert data.position_text(stat, exam) == "等级 B"


def test_a_report_prints_no_place_for_an_exam_under_the_grades_policy(city, semester, exam):
    exam.grade_policy = "grades"
    exam.save()
    text = rendered_text(ReportFactory(school=city.school_a))
    assert "等级B" in text and "第1名" not in text and "同类学校中列第" not in text


def test_the_star_level_prints_in_words_not_as_a_bare_number(city, semester, exam):
    from inspections.models import StarRating

    StarRating.objects.create(
        school=city.school_a,
        start_year=semester.start_year,
        visit_count=2,
        mean_total=Decimal("86.0"),
        star_level=3,
        target_level=3,
    )
    text = rendered_text(ReportFactory(kind=Kind.SCHOOL, school=city.school_a))
    assert "星级评定★★★☆☆（三星级）" in text


def test_a_subject_is_one_table_and_one_trend_over_the_semesters_exams(city, semester, exam):
    from monitoring.models import Exam
    from tests.reports.factories import scored_exam

    # A second, later final of the same grade in which school A falls back (its 语文 mean 60.00).
    later = scored_exam(
        schools=[city.school_a, city.school_b],
        semester=semester,
        code="T2",
        scores_by_school={city.school_a.pk: [70, 60, 50, 60], city.school_b.pk: [80, 70, 60, 40]},
    )
    Exam.objects.filter(pk=exam.pk).update(held_on="2026-11-10")
    Exam.objects.filter(pk=later.pk).update(held_on="2027-01-12")
    report = ReportFactory(school=city.school_a)
    context = data.build_context(report)
    chinese = next(trend for trend in context["subject_trends"] if trend.subject == "语文")
    assert [(row.label, row.line.stat.mean) for row in chinese.rows] == [
        ("三年级期末统考", Decimal("77.50")),
        ("三年级期末统考", Decimal("60.00")),
    ]
    # One grade: the school's line and the city's over two rounds (a second final is its own round).
    assert "期末统考2" in chinese.chart and chinese.chart.count("<polyline") == 2
    text = rendered_text(report)
    assert text.count("语文各次监测三率一平均") == 1
    assert "附录：各次监测明细" in text and "三年级期末统考T2" in text  # the per-exam detail, named in full


def test_a_subject_report_tells_the_subject_groups_story(city, semester, exam):
    report = ReportFactory(kind=Kind.SUBJECT, school=city.school_a, subject=Subject.objects.get(code="YW"))
    titles = [chapter["title"] for chapter in data.outline(report)]
    assert titles == [
        "基本情况",
        "成绩概况",
        "试卷分析",
        "班级对比",
        "临界生与后进生",
        "问题与原因",
        "改进措施",
        "附录：各次监测明细",
    ]
    text = rendered_text(report)
    # The borderline table, and the class chart and table under 班级对比; no whole-school figure.
    assert "临界生与低分学生人数（各次监测）" in text and "四、班级对比" in text and "语文各班平均分" in text
    assert "全科及格率" not in text and "各学科得分率" not in text


def test_the_city_report_shows_how_the_districts_are_distributed(city, semester, exam):
    report = ReportFactory(
        kind=Kind.DISTRICT, school=None, district=None, semester=None, start_year=semester.start_year
    )
    section = data.build_context(report)["district_sections"][0]
    spread = section["charts"][1]
    # A's district averages (77.50 + 76.50) / 2 % = 77.0 %, B's (62.50 + 61.50) / 2 % = 62.0 %.
    assert "各区县平均得分率分布（区县数）" in spread
    heights = {int(c): float(h) for c, h in re.findall(r'id="[^"]*-bar-0-(\d)"[^>]*height="([\d.]+)"', spread)}
    # Bands: <50, 50–60, 60–70, 70–80, 80–90, ≥90: one district in 60–70 %, one in 70–80 %.
    assert [index for index, height in sorted(heights.items()) if height > 0] == [2, 3]
    assert heights[2] == heights[3]


def test_the_city_report_lists_its_warnings_a_row_per_school(city, semester, exam):
    for kind, reason in [
        ("sharp_fall", "语文成绩大幅下滑：测试。"),
        ("consecutive_bottom", "数学连续两次居后：测试。"),
    ]:
        EarlyWarning.objects.create(exam=exam, school=city.school_a, kind=kind, reason=reason)
    report = ReportFactory(kind=Kind.DISTRICT, school=None, district=None, semester=None, start_year=2026)
    rows = [row for row in data.build_context(report)["warnings_by_school"] if row["school"] == city.school_a.name]
    assert rows == [
        {
            "school": city.school_a.name,
            "count": 2,
            "kind": "成绩大幅下滑、连续两次居后",
            "reason": "语文成绩大幅下滑：测试。等2条",
            "loop": "未建调研任务2",
        }
    ]
