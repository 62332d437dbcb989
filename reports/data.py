"""Reads that fill a report from the stored statistics (monitoring) and the inspections summary.

Read-only over monitoring's tables: the monitoring app owns them; these are the reports' own views
of them. Everything returned is plain values the templates show as they are.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from monitoring import rules as mrules
from monitoring.items import selectors as item_selectors
from monitoring.models import EarlyWarning, Exam, Indicator, IndicatorReport, Level, Statistic
from monitoring.value_added import selectors as value_added
from reports import charts, findings, rules
from reports.models import Kind, Report
from reports.rules import MEETING_KINDS
from schools.models import School, Semester

NO_INSPECTION_DATA = "暂无督导数据"


@dataclass
class SubjectLine:
    """One subject of one exam at the school (or district), beside the city."""

    subject: str
    stat: Statistic
    city: Statistic | None
    position: str = ""
    grades: bool = False  # the exam shows grades (等级) instead of places

    @property
    def mean_vs_city(self) -> Decimal | None:
        return self.stat.deviation  # 离均差, stored with the statistics


@dataclass
class ExamSection:
    exam: Exam
    lines: list[SubjectLine] = field(default_factory=list)
    all_pass_rate: Decimal | None = None
    city_all_pass_rate: Decimal | None = None
    class_header: list[str] = field(default_factory=list)
    class_rows: list[dict] = field(default_factory=list)
    band_labels: list[str] = field(default_factory=list)
    band_rows: list[dict] = field(default_factory=list)
    charts: list = field(default_factory=list)
    paper_analysis: dict | None = None  # 试卷分析 of a subject report (monitoring.items selectors)
    paper_summary: list = field(default_factory=list)  # the school report's line per subject


def position_text(stat: Statistic, exam: Exam) -> str:
    """The school's place among schools of the same category, or its grade (等级) where the exam's
    policy asks. A report is its school's own document (monitoring.rules.place_shown)."""
    place = exam.place_shown(sees_all_schools=False, own_school=True)
    return mrules.place_text(place, rank=stat.rank, ranked_schools=stat.ranked_schools, grade=stat.grade_letter)


def inspection_summary(*, school: School, semester: Semester | None) -> dict:
    """The inspections app's summary when it is installed; otherwise a note that there is none."""
    try:
        from inspections.selectors import school_inspection_summary
    except ImportError:
        return {"available": False, "note": NO_INSPECTION_DATA}
    if semester is None:  # a year without semesters: nothing was inspected in it
        return {"available": False, "note": NO_INSPECTION_DATA}
    # Only the import is guarded: an error inside the summary is a bug to see, not "no data".
    return {"available": True, "note": "", **school_inspection_summary(school=school, semester=semester)}


def exams_for(*, semesters, school: School | None = None, subject=None):
    exams = Exam.objects.filter(semester__in=semesters, status=Exam.Status.READY).select_related("semester")
    if school is not None:
        exams = exams.filter(schools=school)
    if subject is not None:
        exams = exams.filter(subjects__subject=subject)
    return list(exams.order_by("semester__start_year", "semester__term", "held_on", "grade", "code").distinct())


def _shares(bands: list[int]) -> list[Decimal | None]:
    total = sum(bands)
    return [Decimal(count * 100) / total if total else None for count in bands]


def school_exam_section(exam: Exam, school: School, *, subject=None, prefix: str) -> ExamSection:
    stats = list(
        Statistic.objects.filter(exam=exam)
        .filter(Q(level=Level.CITY) | Q(school=school))
        .select_related("exam_subject__subject", "school_class")
        .order_by("exam_subject__order", "exam_subject__subject__order")
    )
    if subject is not None:
        stats = [s for s in stats if s.exam_subject_id is None or s.exam_subject.subject_id == subject.pk]
    city = {s.exam_subject_id: s for s in stats if s.level == Level.CITY}
    section = ExamSection(exam=exam)
    for stat in stats:
        if stat.level != Level.SCHOOL:
            continue
        if stat.exam_subject_id is None:
            section.all_pass_rate = stat.all_pass_rate
            section.city_all_pass_rate = city[None].all_pass_rate if None in city else None
            continue
        section.lines.append(
            SubjectLine(
                stat.exam_subject.subject.name,
                stat,
                city.get(stat.exam_subject_id),
                position_text(stat, exam),
                grades=exam.place_shown(sees_all_schools=False, own_school=True) == mrules.PLACE_GRADE,
            )
        )
    classes = [s for s in stats if s.level == Level.CLASS and s.exam_subject_id is not None]
    subject_names = [line.subject for line in section.lines]
    by_class: dict[str, dict[str, Statistic]] = defaultdict(dict)
    for stat in sorted(classes, key=lambda s: s.school_class.number if s.school_class else 0):
        name = stat.school_class.name if stat.school_class else "未分班"
        by_class[name][stat.exam_subject.subject.name] = stat
    section.class_header = subject_names
    section.class_rows = [
        {"name": name, "cells": [cells.get(subject_name) for subject_name in subject_names]}
        for name, cells in by_class.items()
    ]
    if subject is not None and section.lines:
        line = section.lines[0]
        labels = _band_labels(line.stat)
        section.band_labels = labels
        section.band_rows = [
            {"name": "本校", "counts": line.stat.bands},
            {"name": "全市", "counts": line.city.bands if line.city else []},
        ]
        section.charts.append(
            charts.line_chart(
                labels,
                [("本校", _shares(line.stat.bands)), ("全市", _shares(line.city.bands if line.city else []))],
                id_prefix=f"{prefix}-bands",
                title=f"{exam.name}：{line.subject}分数段分布（人数占比 %）",
            )
        )
        if line.stat.exam_subject.items.exists():
            section.paper_analysis = item_selectors.subject_report_section(line.stat.exam_subject, school)
        if section.class_rows:
            section.charts.append(
                charts.bar_chart(
                    [row["name"] for row in section.class_rows],
                    [("平均分", [row["cells"][0].mean if row["cells"][0] else None for row in section.class_rows])],
                    id_prefix=f"{prefix}-classes",
                    title=f"{exam.name}：{line.subject}各班平均分",
                    max_value=float(line.stat.exam_subject.full_marks),
                )
            )
    return section


@dataclass
class TrendRow:
    """One exam of one subject in the consolidated table (成绩汇总)."""

    grade: str
    label: str
    line: SubjectLine


@dataclass
class SubjectTrend:
    """A subject across the semester's exams: one table and one trend chart instead of one table
    per exam (the per-exam detail goes to the appendix)."""

    subject: str
    rows: list[TrendRow]
    chart: str = ""


def exam_label(exam: Exam) -> str:
    """An exam as a row of a semester's table names it: grade and kind (the semester is the report's;
    the appendix gives each exam's full name and date)."""
    return f"{exam.get_grade_display()}{exam.get_kind_display()}"


def _exam_order(exam: Exam) -> tuple:
    """Within a grade: by date where known, else midterm → final → sample → annual (the kinds' order)."""
    return (exam.held_on is None, exam.held_on, Exam.Kind.values.index(exam.kind), exam.code)


def subject_trends(sections: list[ExamSection], *, prefix: str) -> list[SubjectTrend]:
    """Each subject's lines over the semester's exams, grouped by grade. The chart draws the school's
    得分率 per grade over the rounds of exams (期中 → 期末 …; a second exam of one kind in a grade is
    its own round), and the city's beside it when there is one grade only."""
    trends: dict[str, SubjectTrend] = {}
    for section in sorted(sections, key=lambda section: (section.exam.grade, _exam_order(section.exam))):
        grade = section.exam.get_grade_display()
        for line in section.lines:
            trend = trends.setdefault(line.subject, SubjectTrend(line.subject, []))
            trend.rows.append(TrendRow(grade, exam_label(section.exam), line))
    for index, trend in enumerate(trends.values()):
        by_grade: dict[str, dict[str, SubjectLine]] = {}
        for row in trend.rows:
            rounds_of_grade = by_grade.setdefault(row.grade, {})
            kind = row.line.stat.exam.get_kind_display()
            seen = sum(1 for name in rounds_of_grade if name.startswith(kind))
            rounds_of_grade[kind if not seen else f"{kind}{seen + 1}"] = row.line
        rounds = list(dict.fromkeys(name for lines in by_grade.values() for name in lines))
        if len(rounds) < 2:  # one exam: the table says it all
            continue
        series = []
        for grade, lines in by_grade.items():
            single = len(by_grade) == 1
            series.append((f"{grade}本校" if single else grade, [_rate(lines.get(name)) for name in rounds]))
            if single:
                series.append(("全市", [_rate(lines.get(name), city=True) for name in rounds]))
        trend.chart = charts.line_chart(
            rounds,
            series,
            id_prefix=f"{prefix}-trend{index}",
            title=f"{trend.subject}：各次监测得分率（%）",
            max_value=100,
            height=200,
        )
    return list(trends.values())


def subject_comparison(sections: list[ExamSection], *, prefix: str) -> str:
    """各学科横向比较: one chart of the school's 得分率 per subject, a bar per grade, each grade at its
    latest exam of the semester (the city's figures stand in the subjects' tables)."""
    latest = {section.exam.grade: section for section in sections if section.lines}
    if not latest:
        return ""
    subjects = list(dict.fromkeys(line.subject for section in latest.values() for line in section.lines))
    series = []
    for grade in sorted(latest):
        by_subject = {line.subject: line for line in latest[grade].lines}
        name = f"{latest[grade].exam.get_grade_display()}（{latest[grade].exam.get_kind_display()}）"
        series.append((name, [_rate(by_subject.get(subject)) for subject in subjects]))
    if len(series) == 1:
        only = latest[next(iter(latest))]
        by_subject = {line.subject: line for line in only.lines}
        series.append(("全市", [_rate(by_subject.get(subject), city=True) for subject in subjects]))
    return charts.bar_chart(
        subjects, series, id_prefix=f"{prefix}-subjects", title="各学科得分率（%）", max_value=100, height=230
    )


def _rate(line: SubjectLine | None, *, city: bool = False):
    stat = (line.city if city else line.stat) if line else None
    return stat.score_rate * 100 if stat is not None and stat.score_rate is not None else None


def borderline_rows(sections: list[ExamSection]) -> list[dict]:
    """临界生与后进生 of a subject, exam by exam: students just under the pass and excellence lines
    (the stored borderline counts) and those under the low-score line (低分率 × sitters)."""
    rows = []
    for section in sections:
        for line in section.lines:
            stat = line.stat
            low = round(stat.low_rate * stat.sitters) if stat.low_rate is not None else None
            rows.append(
                {
                    "label": exam_label(section.exam),
                    "sitters": stat.sitters,
                    "borderline_pass": stat.borderline_pass,
                    "borderline_excellent": stat.borderline_excellent,
                    "low": low,
                    "low_rate": stat.low_rate,
                    "city_low_rate": line.city.low_rate if line.city else None,
                }
            )
    return rows


def _band_labels(stat: Statistic) -> list[str]:
    from monitoring import rules

    exam_subject = stat.exam_subject
    labels = rules.band_labels(exam_subject.full_marks, stat.exam.band_share) if stat.bands else []
    return labels[: len(stat.bands)] or [str(i + 1) for i in range(len(stat.bands))]


def indicator_rows(*, school: School, start_year: int) -> list[dict]:
    filed = {r.indicator_id: r for r in IndicatorReport.objects.filter(school=school, start_year=start_year)}
    rows = []
    for indicator in Indicator.objects.all():
        if not indicator.applies_to(school):
            continue  # a line of another stage (the 初中 sleep line in a 小学's report)
        report = filed.get(indicator.pk)
        value = report.value if report else None
        met = indicator.is_met(value)
        rows.append(
            {
                "name": indicator.name,
                "line": indicator.line_label,
                "value": indicator.value_label(value),
                "met": {True: "达标", False: "未达标", None: "—"}[met],
            }
        )
    return rows


def semesters_of(report: Report) -> list[Semester]:
    if report.semester_id:
        return [report.semester]
    return list(Semester.objects.filter(start_year=report.start_year).order_by("term"))


def subject_reports_of(report: Report) -> list[dict]:
    children = (
        Report.objects.filter(kind=Kind.SUBJECT, school=report.school, semester=report.semester)
        .select_related("subject", "author")
        .order_by("subject__order")
    )
    return [
        {
            "subject": child.subject.name,
            "status": child.get_status_display(),
            "author": str(child.author or ""),
            "summary": child.score_analysis,
        }
        for child in children
    ]


def district_exam_section(exam: Exam, district, *, prefix: str) -> dict:
    """Schools of a district (or the districts of the city) side by side in one exam."""
    level = Level.SCHOOL if district else Level.DISTRICT
    stats = Statistic.objects.filter(exam=exam).select_related("exam_subject__subject", "school", "district")
    if district:
        stats = stats.filter(Q(level=Level.CITY) | Q(district=district, level__in=[Level.DISTRICT, Level.SCHOOL]))
    else:
        stats = stats.filter(level__in=[Level.CITY, Level.DISTRICT])
    stats = list(stats.order_by("exam_subject__order"))
    subjects = []
    for stat in stats:
        if stat.exam_subject_id and stat.exam_subject.subject.name not in subjects:
            subjects.append(stat.exam_subject.subject.name)
    units: dict[str, dict] = {}
    for stat in stats:
        if stat.level != level:
            continue
        unit = stat.school if level == Level.SCHOOL else stat.district
        entry = units.setdefault(unit.name, {"name": unit.name, "code": unit.code, "cells": {}, "all_pass": None})
        if stat.exam_subject_id is None:
            entry["all_pass"] = stat.all_pass_rate
        else:
            entry["cells"][stat.exam_subject.subject.name] = stat
    rows = []
    for entry in sorted(units.values(), key=lambda e: e["code"]):
        rates = [s.score_rate for s in entry["cells"].values() if s.score_rate is not None]
        rows.append(
            {
                "name": entry["name"],
                "cells": [entry["cells"].get(name) for name in subjects],
                "all_pass": entry["all_pass"],
                "average_rate": sum(rates) / len(rates) if rates else None,
            }
        )
    totals = [s for s in stats if s.exam_subject_id and s.level == (Level.DISTRICT if district else Level.CITY)]
    city = {s.exam_subject.subject.name: s for s in stats if s.exam_subject_id and s.level == Level.CITY}
    summary = [
        {"subject": s.exam_subject.subject.name, "stat": s, "city": city.get(s.exam_subject.subject.name)}
        for s in totals
    ]
    chart = charts.bar_chart(
        [row["name"] for row in rows],
        [("平均得分率", [row["average_rate"] * 100 if row["average_rate"] is not None else None for row in rows])],
        id_prefix=f"{prefix}-units",
        title=f"{exam.name}：各{'学校' if district else '区县'}平均得分率（%）",
        max_value=100,
    )
    shown = [chart]
    if district is None or len(rows) >= 5:  # the distribution of the schools (or districts)
        shown.append(distribution_chart(rows, unit="学校" if district else "区县", prefix=f"{prefix}-spread"))
    return {
        "exam": exam,
        "subjects": subjects,
        "rows": rows,
        "summary": summary,
        "charts": shown,
        # 试卷分析: each paper's quality and the region's weakest knowledge points (stored item figures).
        "papers": item_selectors.region_report_section(exam, district_id=district.pk if district else None),
    }


DISTRIBUTION_BANDS = [(0, 50), (50, 60), (60, 70), (70, 80), (80, 90), (90, 101)]


def distribution_chart(rows: list[dict], *, unit: str, prefix: str) -> str:
    """How many schools (districts) fall in each band of average score rate (平均得分率)."""
    counts = [0] * len(DISTRIBUTION_BANDS)
    for row in rows:
        if row["average_rate"] is None:
            continue
        percent = row["average_rate"] * 100
        for index, (low, high) in enumerate(DISTRIBUTION_BANDS):
            if low <= percent < high:
                counts[index] += 1
    labels = ["50%以下", *(f"{low}–{high}%" for low, high in DISTRIBUTION_BANDS[1:-1]), "90%及以上"]
    top = max(4, -(-max(counts) // 4) * 4)  # whole numbers on the axis's four steps
    return charts.bar_chart(
        labels,
        [(f"{unit}数", counts)],
        id_prefix=prefix,
        title=f"各{unit}平均得分率分布（{unit}数）",
        height=220,
        max_value=top,
    )


def build_context(report: Report) -> dict:
    """Everything a report shows besides its narrative, from the stored data."""
    semesters = semesters_of(report)
    context: dict = {"report": report, "semesters": semesters, "sections": [], "district_sections": []}
    context["measure_items"] = measure_rows(report.measure_items.select_related("subject"), today=timezone.localdate())
    if report.kind == Kind.DISTRICT:
        exams = exams_for(semesters=semesters)
        context["district_sections"] = [
            district_exam_section(exam, report.district, prefix=f"r{report.pk}-e{index}")
            for index, exam in enumerate(exams)
        ]
        schools = School.objects.filter(is_active=True)
        if report.district_id:
            schools = schools.filter(district=report.district)
        context["warnings_by_school"] = _district_warnings(schools, semesters)
        context["measure_follow_up"] = measure_follow_up(report, [], today=timezone.localdate())
        context["value_added"], context["value_added_notes"] = _with_rows(
            [value_added.report_school_rows(exam, report.district) for exam in exams if exam.comparable_exam_id]
        )
        return context
    school = report.school
    subject = report.subject if report.kind == Kind.SUBJECT else None
    exams = exams_for(semesters=semesters, school=school, subject=subject)
    context["sections"] = [
        school_exam_section(exam, school, subject=subject, prefix=f"r{report.pk}-e{index}")
        for index, exam in enumerate(exams)
    ]
    context["subject_trends"] = subject_trends(context["sections"], prefix=f"r{report.pk}")
    context["measure_follow_up"] = measure_follow_up(report, context["sections"], today=timezone.localdate())
    if subject is not None:
        latest = {section.exam.grade: section for section in context["sections"]}  # the latest exam per grade
        context["class_sections"] = [latest[grade] for grade in sorted(latest)]
        context["borderline_rows"] = borderline_rows(context["sections"])
        context["paper_analysis"] = [section for section in context["sections"] if section.paper_analysis]
        for section in context["paper_analysis"]:  # the stated finding, in the findings' own words
            section.paper_analysis["finding"] = "".join(f.text for f in paper_findings(section))
    context["all_pass_rows"] = [
        {"label": exam_label(section.exam), "own": section.all_pass_rate, "city": section.city_all_pass_rate}
        for section in sorted(context["sections"], key=lambda section: (section.exam.grade, _exam_order(section.exam)))
        if section.all_pass_rate is not None
    ]
    if subject is None:
        context["subject_comparison"] = subject_comparison(context["sections"], prefix=f"r{report.pk}")
    if report.kind == Kind.SCHOOL:
        context["subject_reports"] = subject_reports_of(report)
        context["class_value_added"], context["value_added_notes"] = _with_rows(
            [value_added.report_class_rows(exam, school) for exam in exams if exam.comparable_exam_id]
        )
        for section in context["sections"]:  # 试卷分析, a line per subject with a blueprint
            section.paper_summary = item_selectors.school_report_summary(section.exam, school)
    if report.kind in {Kind.SCHOOL, Kind.PRINCIPAL_SEMESTER, Kind.PRINCIPAL_ACCOUNT}:
        # The annual account reads the inspections of the year's last semester.
        last = semesters[-1] if semesters else None
        context["inspection"] = inspection_summary(school=school, semester=report.semester or last)
    if report.kind in {Kind.PRINCIPAL_SEMESTER, Kind.PRINCIPAL_ACCOUNT}:
        context["indicators"] = indicator_rows(school=school, start_year=report.start_year)
    return context


def _with_rows(sections: list[dict]) -> tuple[list[dict], list[str]]:
    """The value-added sections that have figures, and the distinct reasons the others have none
    (a semester of 19 exams should not print 19 empty tables)."""
    notes = sorted({section["message"] for section in sections if not section["rows"] and section["message"]})
    return [section for section in sections if section["rows"]], notes


def _district_warnings(schools, semesters) -> list[dict]:
    """The region's warnings a row per school (a city has dozens): how many, of which kinds, the
    first reason, and where the research visits (调研) stand."""
    warnings = (
        EarlyWarning.objects.filter(school__in=schools, exam__semester__in=semesters)
        .select_related("school", "exam", "visit")
        .order_by("school__code", "pk")
    )
    by_school: dict[int, dict] = {}
    for w in warnings:
        row = by_school.setdefault(
            w.school_id, {"school": w.school.name, "count": 0, "kinds": {}, "reasons": [], "loop": {}}
        )
        row["count"] += 1
        row["kinds"][w.get_kind_display()] = row["kinds"].get(w.get_kind_display(), 0) + 1
        row["reasons"].append(w.reason)
        state = w.visit.get_status_display() if hasattr(w, "visit") else "未建调研任务"
        row["loop"][state] = row["loop"].get(state, 0) + 1
    return [
        {
            "school": row["school"],
            "count": row["count"],
            "kind": "、".join(f"{kind}{n}" if n > 1 else kind for kind, n in row["kinds"].items()),
            "reason": row["reasons"][0] + (f"等{row['count']}条" if row["count"] > 1 else ""),
            "loop": "，".join(f"{state}{n}" for state, n in row["loop"].items()),
        }
        for row in by_school.values()
    ]


CHINESE_NUMERALS = "一二三四五六七八九十"


def outline(report: Report) -> list[dict]:
    """The chapters of a report in order: the table of contents and the body both follow this."""
    # Warnings are the bureau's (监测预警 is internal to bureau roles): only the district and city
    # report, written by the research department, lists them; a school's own reports do not.
    problems_extras = ["district_warnings"] if report.kind == Kind.DISTRICT else []
    principal = report.kind in {Kind.PRINCIPAL_SEMESTER, Kind.PRINCIPAL_ACCOUNT}
    # 增值评价: the schools' in the district/city report, the school's classes' in the school report.
    value_added_extras = {Kind.DISTRICT: ["value_added"], Kind.SCHOOL: ["class_value_added"]}.get(report.kind, [])
    chapters = [
        {"id": "basic", "title": "基本情况", "text": report.basic_situation, "extras": [], "data": False},
        {
            "id": "analysis",
            "title": "成绩分析",
            "text": report.score_analysis,
            "extras": (["indicators"] if principal else []) + value_added_extras,
            "data": True,
        },
        {
            "id": "problems",
            "title": "问题与原因",
            "text": report.problems_causes,
            "extras": problems_extras,
            "data": False,
        },
        {"id": "measures", "title": "改进措施", "text": report.measures, "extras": ["measure_items"], "data": False},
    ]
    if report.kind == Kind.SUBJECT:
        # 学科组 (seed 000 §二(四)1): 成绩概况 → 试卷分析 → 班级对比 → 临界生与后进生 → 问题与原因 → 改进措施.
        chapters[1]["title"] = "成绩概况"
        chapters[2:2] = [
            {"id": "paper", "title": "试卷分析", "text": None, "extras": ["paper_analysis"], "data": False},
            {"id": "classes", "title": "班级对比", "text": None, "extras": ["class_comparison"], "data": False},
            {"id": "students", "title": "临界生与后进生", "text": None, "extras": ["borderline"], "data": False},
        ]
    previous = previous_report(report)
    if previous is not None and previous.measure_items.exists():
        chapters.insert(
            len(chapters) - 1,  # just before 改进措施
            {
                "id": "loop",
                "title": "上期改进措施落实情况",
                "text": None,
                "extras": ["measure_follow_up"],
                "data": False,
            },
        )
    if report.kind in MEETING_KINDS:
        chapters.append({"id": "meeting", "title": "质量分析会", "text": None, "extras": ["meeting"], "data": False})
    if report.kind == Kind.SCHOOL:
        chapters.append(
            {"id": "subjects", "title": "各学科报告汇总", "text": None, "extras": ["subject_reports"], "data": False}
        )
    if report.kind in {Kind.SCHOOL, Kind.PRINCIPAL_SEMESTER, Kind.PRINCIPAL_ACCOUNT}:
        chapters.append(
            {"id": "inspection", "title": "督导与听评课", "text": None, "extras": ["inspection"], "data": False}
        )
    if report.kind in {Kind.SCHOOL, Kind.SUBJECT}:  # the per-exam detail, last
        chapters.append(
            {"id": "appendix", "title": "附录：各次监测明细", "text": None, "extras": ["appendix"], "data": False}
        )
    for index, chapter in enumerate(chapters):
        chapter["number"] = CHINESE_NUMERALS[index]
        chapter["anchor"] = f"ch-{chapter['id']}"
    return chapters


# ---- findings (分析结论) ---------------------------------------------------------------------------


def subject_figures(line: SubjectLine) -> findings.SubjectFigures:
    """One subject line of a report as the plain figures the findings read."""
    stat, city = line.stat, line.city
    grade = stat.grade_letter if line.grades else ""
    return findings.SubjectFigures(
        subject=line.subject,
        full_marks=stat.exam_subject.full_marks,
        sitters=stat.sitters,
        mean=stat.mean,
        city_mean=city.mean if city else None,
        excellent_rate=stat.excellent_rate,
        city_excellent_rate=city.excellent_rate if city else None,
        pass_rate=stat.pass_rate,
        city_pass_rate=city.pass_rate if city else None,
        low_rate=stat.low_rate,
        city_low_rate=city.low_rate if city else None,
        rank=None if grade else stat.rank,
        ranked_schools=0 if grade else stat.ranked_schools,
        grade_letter=grade or "",
        previous_rank=None if grade else stat.previous_rank,
        previous_ranked_schools=0 if grade else stat.previous_ranked_schools,
        previous_mean=stat.previous_mean,
        city_previous_mean=city.previous_mean if city else None,
        borderline_excellent=stat.borderline_excellent,
        borderline_pass=stat.borderline_pass,
    )


def paper_findings(section: ExamSection) -> list[findings.Finding]:
    """The weakest knowledge points and the items lost most against the city (试卷分析)."""
    analysis = section.paper_analysis
    if not analysis or not section.lines:
        return []
    subject = section.lines[0].subject
    points = [
        findings.RateBeside(row["point"].name, row["school"], row["city"])
        for row in analysis["weakest_points"]
        if row["school"] is not None and row["city"] is not None
    ]
    items = [
        findings.RateBeside(f"第{row['item'].label}题", row["stat"].difficulty, row["city"].difficulty)
        for row in analysis["lost_items"]
        if row["stat"] is not None and row["city"] is not None
    ]
    return findings.weakest(subject, points, kind="knowledge_point", noun="知识点") + findings.weakest(
        subject, items, kind="item", noun=""
    )


def section_findings(section: ExamSection) -> list[findings.Finding]:
    """What one exam's figures say about the school (or one subject of it): per subject against the
    city, its place, its change since the comparable exam, its borderline students and its classes."""
    found: list[findings.Finding] = []
    for column, line in enumerate(section.lines):
        found += findings.subject_findings(subject_figures(line))
        class_means = [(row["name"], row["cells"][column].mean) for row in section.class_rows if row["cells"][column]]
        if gap := findings.class_gap(line.subject, class_means, line.stat.exam_subject.full_marks):
            found.append(gap)
    return found + paper_findings(section)


def district_findings(section: dict, *, unit: str) -> list[findings.Finding]:
    """A district against the city per subject, and the spread of its schools (or of the city's
    districts: `unit` 区县) in each subject."""
    found: list[findings.Finding] = []
    for entry in section["summary"]:
        stat, city = entry["stat"], entry["city"]
        if city is not None and city.pk != stat.pk:  # the city report has nothing to set beside itself
            line = findings.SubjectFigures(
                subject=entry["subject"],
                full_marks=stat.exam_subject.full_marks,
                sitters=stat.sitters,
                mean=stat.mean,
                city_mean=city.mean,
                excellent_rate=stat.excellent_rate,
                city_excellent_rate=city.excellent_rate,
                pass_rate=stat.pass_rate,
                city_pass_rate=city.pass_rate,
                low_rate=stat.low_rate,
                city_low_rate=city.low_rate,
            )
            found += [f for f in [findings.mean_against_city(line), *findings.rates_against_city(line)] if f]
        column = section["subjects"].index(entry["subject"])
        means = [(row["name"], row["cells"][column].mean) for row in section["rows"] if row["cells"][column]]
        if gap := findings.class_gap(entry["subject"], means, stat.exam_subject.full_marks, unit=unit):
            found.append(gap)
    return found


def report_findings(context: dict) -> list[dict]:
    """The findings of a report, exam by exam, the latest exam first."""
    report = context["report"]
    unit = "学校" if report.district_id else "区县"
    by_exam = [(section.exam, section_findings(section)) for section in context.get("sections", [])]
    by_exam += [(s["exam"], district_findings(s, unit=unit)) for s in context.get("district_sections", [])]
    # Value-added: the schools (a school's classes) whose interval lies off zero.
    value_added_by_exam = {
        section["exam"].pk: value_added_findings(section["rows"])
        for section in context.get("value_added", []) + context.get("class_value_added", [])
    }
    by_exam = [(exam, found + value_added_by_exam.get(exam.pk, [])) for exam, found in by_exam]
    return [{"exam": exam, "findings": found} for exam, found in reversed(by_exam) if found]


# ---- the loop: last period's 改进措施 and the figures that followed ---------------------------------


def previous_report(report: Report) -> Report | None:
    """The same scope's report of the period before (its measures are followed up in this one)."""
    term = report.semester.term if report.semester_id else None
    start_year, previous_term = rules.previous_period(report.start_year, term)
    reports = Report.objects.filter(
        kind=report.kind,
        school_id=report.school_id,
        subject_id=report.subject_id,
        district_id=report.district_id,
        start_year=start_year,
    )
    if previous_term is None:
        return reports.filter(semester__isnull=True).first()
    return reports.filter(semester__term=previous_term).select_related("semester").first()


def measure_rows(measures, *, today) -> list[dict]:
    return [
        {"measure": m, "overdue": rules.measure_is_overdue(m.state, m.due_on, today), "outcome": ""} for m in measures
    ]


def _latest_line(sections: list[ExamSection], subject_name: str) -> SubjectLine | None:
    lines = [line for section in sections for line in section.lines if line.subject == subject_name]
    return lines[-1] if lines else None


def measure_follow_up(report: Report, sections: list[ExamSection], *, today) -> list[dict]:
    """Last period's measures with their state and, for a measure aimed at a subject, how the
    school's gap to the city in that subject moved from last period's latest exam to this one's."""
    previous = previous_report(report)
    if previous is None:
        return []
    rows = measure_rows(previous.measure_items.select_related("subject"), today=today)
    for row in rows:
        subject = row["measure"].subject
        if subject is None or report.school_id is None or previous.semester_id is None:
            continue
        earlier = exams_for(semesters=[previous.semester], school=report.school, subject=subject)
        before = (
            _latest_line(
                [school_exam_section(earlier[-1], report.school, subject=subject, prefix="loop")], subject.name
            )
            if earlier
            else None
        )
        now = _latest_line(sections, subject.name)
        if not (before and now and before.city and now.city):
            row["outcome"] = "暂无可对比的监测成绩。"
            continue
        figures = findings.SubjectFigures(
            subject=subject.name,
            full_marks=now.stat.exam_subject.full_marks,
            sitters=now.stat.sitters,
            mean=now.stat.mean,
            city_mean=now.city.mean,
            previous_mean=before.stat.mean,
            city_previous_mean=before.city.mean,
        )
        row["outcome"] = findings.change_since_comparable(figures, before="上学期").text
    return rows


def value_added_findings(rows: list[dict]) -> list[findings.Finding]:
    """A finding for each unit (school or class) whose value-added interval lies off zero."""
    found = []
    for row in rows:
        if None in (row["points"], row["lower"], row["upper"]):
            continue
        finding = findings.value_added(
            findings.ValueAddedFigures(f"{row['name']}总分", row["points"], row["lower"], row["upper"])
        )
        if finding.tone != findings.NEUTRAL:
            found.append(finding)
    return found
