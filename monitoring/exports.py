"""Excel exporters of quality monitoring: a header and a row generator per sheet."""

from decimal import Decimal

from eduquality.excel import Sheet
from monitoring import rules
from monitoring.models import Exam, Level, Statistic

SCHOOL_HEADER = [
    "学校标识码",
    "学校",
    "参考人数",
    "缺考人数",
    "平均分",
    "标准差",
    "最高分",
    "最低分",
    "优秀率",
    "及格率",
    "低分率",
    "排名",
]


def percent_cell(value: Decimal | None) -> str:
    """Rates as percentages with one decimal, as the bureau's tables print them: 85.7%."""
    return f"{rules.percent(value)}%" if value is not None else ""


def school_row(stat: Statistic) -> list:
    return [
        stat.school.code,
        stat.school.name,
        stat.sitters,
        stat.absentees,
        stat.mean,
        stat.sd,
        stat.max,
        stat.min,
        percent_cell(stat.excellent_rate),
        percent_cell(stat.pass_rate),
        percent_cell(stat.low_rate),
        stat.rank,
    ]


def exam_school_sheets(exam: Exam, statistics) -> list[Sheet]:
    """One sheet per subject with a row per school (export_exam_stats and the ranking export)."""
    rows_by_subject = {}
    for stat in statistics.filter(level=Level.SCHOOL, exam_subject__isnull=False).order_by(
        "exam_subject__order", "rank", "school__code"
    ):
        rows_by_subject.setdefault(stat.exam_subject_id, []).append(stat)
    sheets = []
    for subject in exam.subjects.select_related("subject").order_by("order", "subject__order"):
        sheets.append(
            Sheet(
                title=subject.subject.name,
                header=SCHOOL_HEADER,
                rows=[school_row(stat) for stat in rows_by_subject.get(subject.pk, [])],
                widths=[14, 28, 10, 10, 10, 10, 10, 10, 10, 10, 10, 8],
            )
        )
    return sheets
