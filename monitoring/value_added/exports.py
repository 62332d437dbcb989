"""Excel export of value-added: one sheet per subject and the total (header + row generator)."""

from eduquality.excel import PERCENT_FORMAT, Sheet, formats_of
from monitoring.value_added.models import ValueAdded

HEADER = [
    "学校标识码",
    "学校",
    "区县",
    "类别",
    "本次参考人数",
    "匹配人数",
    "匹配率",
    "入口均值z",
    "出口均值z",
    "增值（标准差）",
    "95%区间下限",
    "95%区间上限",
    "增值（分）",
    "区间下限（分）",
    "区间上限（分）",
    "平均残差",
    "判断",
    "象限",
    "说明",
]


def _round(value: float, places: int = 3) -> float:
    return round(value, places)


def row(va: ValueAdded) -> list:
    rate = va.match_rate
    return [
        va.school.code,
        va.school.name,
        va.school.district.name,
        va.school.category_label,
        va.sitters,
        va.matched,
        rate,
        _round(va.intake),
        _round(va.attainment),
        _round(va.estimate),
        _round(va.lower),
        _round(va.upper),
        _round(va.points, 1),
        _round(va.points_lower, 1),
        _round(va.points_upper, 1),
        _round(va.mean_residual),
        va.classification_label,
        va.quadrant,
        va.note,
    ]


def sheets(figures, subject_names: dict[int | None, str]) -> list[Sheet]:
    """`figures` ordered by subject; one sheet per subject in that order."""
    grouped: dict[int | None, list[ValueAdded]] = {}
    for va in figures:
        grouped.setdefault(va.exam_subject_id, []).append(va)
    return [
        Sheet(
            f"增值-{subject_names.get(key, '总分')}",
            HEADER,
            (row(va) for va in rows),
            number_formats=formats_of(HEADER, {"匹配率": PERCENT_FORMAT}),
        )
        for key, rows in grouped.items()
    ]
