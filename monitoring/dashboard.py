"""The cockpit's monitoring figures (see eduquality/figures.py): open warnings by unit and kind (bureau
roles only, as every warning), the 三率 of the latest exams, and the 三率 of the latest exam one level
down (districts, schools, classes), each a link to that unit."""

from django.db.models import Avg, Count, F
from django.urls import reverse

from eduquality.figures import crosstab, figure, percent
from monitoring.models import EarlyWarning, Exam, Level, ResearchVisit, Statistic
from schools.dashboard import CITY, DISTRICT, SCHOOL, Scope

TREND_EXAMS = 6  # the latest exams of the 三率 trend
RATES = (("excellent_rate", "优秀率", "#2e9d5b"), ("pass_rate", "及格率", "#1f5fa8"), ("low_rate", "低分率", "#c0392b"))


def warning_figure(scope: Scope) -> dict:
    """待跟进的质量预警 (research visit not closed) by district or school, stacked by kind."""
    open_warnings = EarlyWarning.objects.filter(**scope.filter()).exclude(visit__status=ResearchVisit.Status.CLOSED)
    list_url = reverse("monitoring:warning-list")
    if scope.level == SCHOOL:
        by_kind = dict(open_warnings.order_by().values_list("kind").annotate(n=Count("pk")))
        query = f"?q={scope.school.code}"
        return figure(
            key="warnings",
            title="待跟进的质量预警",
            order=10,
            facts=[
                {
                    "label": label,
                    "value": by_kind.get(value, 0),
                    "url": f"{list_url}{query}&kind={value}",
                    "tone": "danger",
                }
                for value, label in EarlyWarning.Kind.choices
                if by_kind.get(value)
            ],
            links=[("预警列表", list_url + query)],
            empty="本校没有待跟进的质量预警。",
        )
    counts = list(open_warnings.order_by().values_list(scope.group_field(), "kind").annotate(n=Count("pk")))
    units = scope.units
    if scope.level == DISTRICT:  # a district's schools: only those with a warning
        flagged = {unit for unit, _, _ in counts}
        units = tuple(u for u in units if u.pk in flagged)
    query = f"?district={scope.district.pk}" if scope.level == DISTRICT else ""
    return figure(
        key="warnings",
        title=f"待跟进的质量预警（各{scope.unit_name}）",
        chart="stack",
        order=10,
        categories=[u.label for u in units],
        series=crosstab(counts, [u.pk for u in units], EarlyWarning.Kind.choices),
        urls=[u.url for u in units],
        axis="条",
        horizontal=scope.level == DISTRICT,
        facts=[
            {"label": "待跟进预警", "value": sum(n for _, _, n in counts), "url": list_url + query, "tone": "danger"}
        ],
        links=[("预警列表", list_url + query)],
        empty="没有待跟进的质量预警。",
    )


def latest_exams(scope: Scope) -> list[Exam]:
    """The latest exams with statistics of the scope's schools, oldest first (one query)."""
    exams = Exam.objects.filter(status=Exam.Status.READY)
    if scope.level == SCHOOL:
        exams = exams.filter(schools=scope.school)
    elif scope.level == DISTRICT:
        exams = exams.filter(schools__district=scope.district).distinct()
    ordered = exams.select_related("semester").order_by(F("held_on").desc(nulls_last=True), "-computed_at", "-pk")
    return list(ordered[:TREND_EXAMS])[::-1]


def exam_label(exam: Exam) -> str:
    """An exam's name short enough for an axis: its semester as 2026秋/2027春, then the rest of the name."""
    semester = exam.semester
    season = f"{semester.start_year}秋" if semester.term == 1 else f"{semester.start_year + 1}春"
    rest = exam.name.removeprefix(str(semester)).removeprefix(semester.academic_year_label)
    return f"{season} {rest.strip()}"


def _rates_by(stats, key: str) -> dict:
    """Mean of the subjects' rates (各科平均) per `key`: {key: {rate field: Decimal}}."""
    rows = stats.filter(exam_subject__isnull=False).order_by().values(key)
    rows = rows.annotate(**{field: Avg(field) for field, _, _ in RATES})
    return {row[key]: row for row in rows}


def trend_figure(scope: Scope, exams: list[Exam]) -> dict:
    """三率 of the latest exams at the scope's level; a school's beside the city's."""
    stats = Statistic.objects.filter(exam__in=[e.pk for e in exams])
    level_filter = {
        CITY: {"level": Level.CITY},
        DISTRICT: {"level": Level.DISTRICT, "district_id": scope.district.pk if scope.district else None},
        SCHOOL: {"level": Level.SCHOOL, "school_id": scope.school.pk if scope.school else None},
    }[scope.level]
    own = _rates_by(stats.filter(**level_filter), "exam_id")
    series = [
        {"name": label, "data": [percent(own.get(e.pk, {}).get(field)) for e in exams], "color": color}
        for field, label, color in RATES
    ]
    if scope.level != CITY:
        city = _rates_by(stats.filter(level=Level.CITY), "exam_id")
        series += [
            {
                "name": f"全市{label}",
                "data": [percent(city.get(e.pk, {}).get(field)) for e in exams],
                "color": color,
                "dashed": True,
            }
            for field, label, color in RATES
        ]
    if scope.level == SCHOOL:
        urls = [reverse("monitoring:exam-school", args=[e.pk, scope.school.pk]) for e in exams]
    else:
        urls = [reverse("monitoring:exam-detail", args=[e.pk]) for e in exams]
    return figure(
        key="rates-trend",
        title=f"三率趋势（最近 {len(exams)} 次监测，各科平均）" + ("，与全市对比" if scope.level != CITY else ""),
        chart="line",
        order=50,
        categories=[exam_label(e) for e in exams],
        series=series,
        urls=urls,
        percent=True,
        links=[("质量监测", reverse("monitoring:exam-list"))],
        empty="还没有完成统计的监测。",
        wide=True,
    )


def units_figure(scope: Scope, exams: list[Exam]) -> dict:
    """三率 of the latest exam one level down: districts, a district's schools, a school's classes."""
    exam = exams[-1] if exams else None
    stats = Statistic.objects.filter(exam=exam) if exam else Statistic.objects.none()
    if scope.level == SCHOOL:
        rows = (
            stats.filter(level=Level.CLASS, school_id=scope.school.pk, exam_subject__isnull=False)
            .order_by("school_class__grade", "school_class__number")
            .values("school_class_id", "school_class__grade", "school_class__number")
            .annotate(**{field: Avg(field) for field, _, _ in RATES})
        )
        rows = list(rows)
        categories = [f"{r['school_class__grade']}年级{r['school_class__number']}班" for r in rows]
        urls = [reverse("schools:class-detail", args=[r["school_class_id"]]) for r in rows]
        by_unit = dict(enumerate(rows))
        keys = list(range(len(rows)))
        unit_name = "班级"
    else:
        level, key = (Level.DISTRICT, "district_id") if scope.level == CITY else (Level.SCHOOL, "school_id")
        found = _rates_by(stats.filter(level=level, **scope.filter()), key)
        units = [u for u in scope.units if u.pk in found]
        categories, urls = [u.label for u in units], [u.url for u in units]
        by_unit, keys, unit_name = found, [u.pk for u in units], scope.unit_name
    series = [
        {"name": label, "data": [percent(by_unit[k].get(field)) for k in keys], "color": color}
        for field, label, color in RATES
    ]
    return figure(
        key="rates-units",
        title=f"各{unit_name}三率" + (f"（{exam.name}）" if exam else ""),
        chart="bar",
        order=55,
        categories=categories,
        series=series,
        urls=urls,
        percent=True,
        horizontal=True,
        links=[("本次监测", reverse("monitoring:exam-detail", args=[exam.pk]))] if exam else [],
        note="点击" + unit_name + "查看下一级。" if categories else "",
        empty="最近一次监测没有这一层级的统计。",
        wide=True,
    )
