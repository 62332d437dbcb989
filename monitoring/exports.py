"""Excel exporters of quality monitoring: a header and a row generator per sheet.

Rates are written as the numbers they are (0.857) with a percent format, so a workbook sorts and
sums them; every row of a school names its 区县 and 类别; schools of different categories are never
interleaved (places are counted within a category), and under the exam's grades policy the place
columns are replaced by 等级 (monitoring.rules.place_shown).
"""

from decimal import Decimal

from eduquality.excel import PERCENT_FORMAT, Sheet, formats_of
from monitoring import rules
from monitoring.models import Exam, Level, Statistic

FIGURES_HEADER = [
    "参考人数",
    "缺考人数",
    "平均分",
    "标准差",
    "最高分",
    "最低分",
    "优秀率",
    "良好率",
    "及格率",
    "低分率",
    "得分率",
]
RATE_COLUMNS = ("优秀率", "良好率", "及格率", "低分率", "得分率", "全科及格率", "匹配率")
RATE_FORMATS = dict.fromkeys(RATE_COLUMNS, PERCENT_FORMAT)


def percent_cell(value: Decimal | None) -> str:
    """A rate as text with one decimal (85.7%), for a cell that holds more than the rate."""
    return f"{rules.percent(value)}%" if value is not None else ""


def school_header(place: str) -> list[str]:
    places = {rules.PLACE_RANK: ["排名", "同类学校数"], rules.PLACE_GRADE: ["等级"]}.get(place, [])
    return ["学校标识码", "学校", "区县", "类别", *places, *FIGURES_HEADER]


def school_row(stat: Statistic, place: str) -> list:
    places = {
        rules.PLACE_RANK: [stat.rank, stat.ranked_schools],
        rules.PLACE_GRADE: [stat.grade_letter],
    }.get(place, [])
    return [
        stat.school.code,
        stat.school.name,
        stat.school.district.name,
        stat.category_label,
        *places,
        stat.sitters,
        stat.absentees,
        stat.mean,
        stat.sd,
        stat.max,
        stat.min,
        stat.excellent_rate,
        stat.good_rate,
        stat.pass_rate,
        stat.low_rate,
        stat.score_rate,
    ]


def in_category_order(stats, *, grades: bool) -> list[Statistic]:
    """Schools grouped by category, each group in its own order: by place, or under the grades
    policy by grade and then school code."""
    if grades:
        return sorted(stats, key=lambda s: (s.category, rules.grade_order(s.grade_letter), s.school.code))
    return sorted(stats, key=lambda s: (s.category, s.rank is None, s.rank or 0, s.school.code))


def exam_school_sheets(exam: Exam, statistics) -> list[Sheet]:
    """One sheet per subject with a row per school (export_exam_stats and the ranking export), for
    bureau roles: places as the exam's policy shows them to bureau roles."""
    place = exam.place_shown(sees_all_schools=True, own_school=False)
    rows_by_subject = {}
    for stat in statistics.filter(level=Level.SCHOOL, exam_subject__isnull=False).select_related("school__district"):
        rows_by_subject.setdefault(stat.exam_subject_id, []).append(stat)
    header = school_header(place)
    widths = {"学校标识码": 14, "学校": 28, "区县": 14, "类别": 8, "同类学校数": 10, "排名": 8, "等级": 8}
    sheets = []
    for subject in exam.subjects.select_related("subject").order_by("order", "subject__order"):
        stats = in_category_order(rows_by_subject.get(subject.pk, []), grades=place == rules.PLACE_GRADE)
        sheets.append(
            Sheet(
                title=subject.subject.name,
                header=header,
                rows=[school_row(stat, place) for stat in stats],
                widths=[widths.get(title, 10) for title in header],
                number_formats=formats_of(header, RATE_FORMATS),
            )
        )
    return sheets
