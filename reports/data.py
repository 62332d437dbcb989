"""Reads that fill a report from the stored statistics (monitoring) and the inspections summary.

Read-only over monitoring's tables: the monitoring app owns them; these are the reports' own views
of them. Everything returned is plain values the templates show as they are.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from monitoring.items import selectors as item_selectors
from monitoring.models import EarlyWarning, Exam, Indicator, IndicatorReport, Level, Statistic
from reports import charts
from reports.models import Kind, Report
from schools.models import School, Semester

NO_INSPECTION_DATA = "暂无督导数据"


@dataclass
class SubjectLine:
    """One subject of one exam at the school (or district), beside the city."""

    subject: str
    stat: Statistic
    city: Statistic | None
    position: str = ""

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


def position_text(stat: Statistic) -> str:
    """The school's place among schools of the same category, or its grade (等级) where policy asks."""
    if settings.SHOW_GRADES_INSTEAD_OF_RANKS:
        return f"等级{stat.grade_letter}" if stat.grade_letter else "—"
    if stat.rank is None:
        return "—"
    return f"第{stat.rank}/{stat.ranked_schools}名"


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
            SubjectLine(stat.exam_subject.subject.name, stat, city.get(stat.exam_subject_id), position_text(stat))
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
    if section.lines:
        section.charts.append(
            charts.bar_chart(
                subject_names,
                [
                    (
                        "本校",
                        [
                            line.stat.score_rate * 100 if line.stat.score_rate is not None else None
                            for line in section.lines
                        ],
                    ),
                    (
                        "全市",
                        [
                            line.city.score_rate * 100 if line.city and line.city.score_rate is not None else None
                            for line in section.lines
                        ],
                    ),
                ],
                id_prefix=f"{prefix}-rate",
                title=f"{exam.name}：各学科得分率（%）",
                max_value=100,
            )
        )
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


def _band_labels(stat: Statistic) -> list[str]:
    from monitoring import rules

    exam_subject = stat.exam_subject
    labels = rules.band_labels(exam_subject.full_marks, stat.exam.band_share) if stat.bands else []
    return labels[: len(stat.bands)] or [str(i + 1) for i in range(len(stat.bands))]


def indicator_rows(*, school: School, start_year: int) -> list[dict]:
    filed = {r.indicator_id: r for r in IndicatorReport.objects.filter(school=school, start_year=start_year)}
    rows = []
    for indicator in Indicator.objects.all():
        report = filed.get(indicator.pk)
        value = report.value if report else None
        met = indicator.is_met(value)
        rows.append(
            {
                "name": indicator.name,
                "line": f"{indicator.get_direction_display()}{indicator.line.normalize():f}{indicator.unit}",
                "value": f"{value.normalize():f}{indicator.unit}" if value is not None else "未填报",
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
    return {
        "exam": exam,
        "subjects": subjects,
        "rows": rows,
        "summary": summary,
        "charts": [chart],
        # 试卷分析: each paper's quality and the region's weakest knowledge points (stored item figures).
        "papers": item_selectors.region_report_section(exam, district_id=district.pk if district else None),
    }


def build_context(report: Report) -> dict:
    """Everything a report shows besides its narrative, from the stored data."""
    semesters = semesters_of(report)
    context: dict = {"report": report, "semesters": semesters, "sections": [], "district_sections": []}
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
        return context
    school = report.school
    subject = report.subject if report.kind == Kind.SUBJECT else None
    exams = exams_for(semesters=semesters, school=school, subject=subject)
    context["sections"] = [
        school_exam_section(exam, school, subject=subject, prefix=f"r{report.pk}-e{index}")
        for index, exam in enumerate(exams)
    ]
    if report.kind == Kind.SCHOOL:
        context["subject_reports"] = subject_reports_of(report)
        for section in context["sections"]:  # 试卷分析, a line per subject with a blueprint
            section.paper_summary = item_selectors.school_report_summary(section.exam, school)
    if report.kind in {Kind.SCHOOL, Kind.PRINCIPAL_SEMESTER, Kind.PRINCIPAL_ACCOUNT}:
        # The annual account reads the inspections of the year's last semester.
        last = semesters[-1] if semesters else None
        context["inspection"] = inspection_summary(school=school, semester=report.semester or last)
    if report.kind in {Kind.PRINCIPAL_SEMESTER, Kind.PRINCIPAL_ACCOUNT}:
        context["indicators"] = indicator_rows(school=school, start_year=report.start_year)
    return context


def _district_warnings(schools, semesters) -> list[dict]:
    warnings = (
        EarlyWarning.objects.filter(school__in=schools, exam__semester__in=semesters)
        .select_related("school", "exam", "visit")
        .order_by("school__code", "pk")
    )
    return [
        {
            "school": w.school.name,
            "exam": w.exam.name,
            "kind": w.get_kind_display(),
            "reason": w.reason,
            "loop": w.visit.get_status_display() if hasattr(w, "visit") else "未建调研任务",
        }
        for w in warnings
    ]


CHINESE_NUMERALS = "一二三四五六七八九十"


def outline(report: Report) -> list[dict]:
    """The chapters of a report in order: the table of contents and the body both follow this."""
    # Warnings are the bureau's (监测预警 is internal to bureau roles): only the district and city
    # report, written by the research department, lists them; a school's own reports do not.
    problems_extras = ["district_warnings"] if report.kind == Kind.DISTRICT else []
    principal = report.kind in {Kind.PRINCIPAL_SEMESTER, Kind.PRINCIPAL_ACCOUNT}
    chapters = [
        {"id": "basic", "title": "基本情况", "text": report.basic_situation, "extras": [], "data": False},
        {
            "id": "analysis",
            "title": "成绩分析",
            "text": report.score_analysis,
            "extras": ["indicators"] if principal else [],
            "data": True,
        },
        {
            "id": "problems",
            "title": "问题与原因",
            "text": report.problems_causes,
            "extras": problems_extras,
            "data": False,
        },
        {"id": "measures", "title": "改进措施", "text": report.measures, "extras": [], "data": False},
    ]
    if report.kind == Kind.SCHOOL:
        chapters.append({"id": "meeting", "title": "质量分析会", "text": None, "extras": ["meeting"], "data": False})
        chapters.append(
            {"id": "subjects", "title": "各学科报告汇总", "text": None, "extras": ["subject_reports"], "data": False}
        )
    if report.kind in {Kind.SCHOOL, Kind.PRINCIPAL_SEMESTER, Kind.PRINCIPAL_ACCOUNT}:
        chapters.append(
            {"id": "inspection", "title": "督导与听评课", "text": None, "extras": ["inspection"], "data": False}
        )
    for index, chapter in enumerate(chapters):
        chapter["number"] = CHINESE_NUMERALS[index]
        chapter["anchor"] = f"ch-{chapter['id']}"
    return chapters
