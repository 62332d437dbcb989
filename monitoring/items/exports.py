"""Excel exports of paper analysis: a header and rows per table, as the pages show them."""

from eduquality.excel import PERCENT_FORMAT, Sheet, formats_of
from monitoring.exports import percent_cell


def _rate(value):
    """A rate as the number it is (0.857), shown as 85.7% by the column's percent format."""
    return value


def _percent_columns(header: list[str], *titles: str) -> dict[int, str]:
    return formats_of(header, dict.fromkeys(titles, PERCENT_FORMAT))


ITEM_HEADER = ["题号", "题型", "分值", "知识点", "能力层级", "参考人数", "平均分", "得分率", "区分度", "题总相关",
               "满分率", "零分率", "标记", "选项分布（全体/高分组/低分组）"]  # fmt: skip
PROFILE_HEADER = ["知识点", "分值", "本校", "本区县", "全市", "与全市差"]
LOST_HEADER = ["题号", "知识点", "分值", "本校得分率", "全市得分率", "差"]


def item_sheet(title: str, rows: list[dict]) -> Sheet:
    return Sheet(
        title=title,
        header=ITEM_HEADER,
        number_formats=_percent_columns(ITEM_HEADER, "得分率", "满分率", "零分率"),
        rows=[
            [
                row["item"].label,
                row["item"].get_kind_display(),
                row["item"].points,
                row["item"].knowledge_point.name,
                row["item"].ability.name,
                row["stat"].sitters if row["stat"] else "",
                row["stat"].mean if row["stat"] else "",
                _rate(row["stat"].difficulty) if row["stat"] else "",
                row["stat"].discrimination if row["stat"] else "",
                row["stat"].item_rest if row["stat"] else "",
                _rate(row["stat"].full_rate) if row["stat"] else "",
                _rate(row["stat"].zero_rate) if row["stat"] else "",
                "、".join(row["flags"]),
                "；".join(
                    f"{o['letter']}{'*' if o['is_key'] else ''} {o['all']:.1%}/{o['top']:.1%}/{o['bottom']:.1%}"
                    for o in row["options"]
                    if o["all"] is not None and o["top"] is not None and o["bottom"] is not None
                ),
            ]
            for row in rows
        ],
        widths=[8, 8, 8, 20, 10, 10, 10, 10, 10, 10, 10, 10, 16, 48],
    )  # fmt: skip


def two_way_sheet(abilities: list[str], table: list[dict]) -> Sheet:
    return Sheet(
        title="双向细目表（得分率）",
        header=["知识点", *abilities, "合计"],
        rows=[
            [
                row["point"],
                *[
                    f"{c['points'].normalize():f}分 {percent_cell(c['rate'])}" if c["labels"] else ""
                    for c in row["cells"]
                ],
                row["total"],
            ]
            for row in table
        ],
        widths=[24, *[16] * len(abilities), 10],
    )


def profile_sheet(rows: list[dict]) -> Sheet:
    return Sheet(
        title="知识点得分率",
        header=PROFILE_HEADER,
        number_formats=_percent_columns(PROFILE_HEADER, "本校", "本区县", "全市", "与全市差"),
        rows=[
            [
                ("" if row["is_domain"] else "　") + row["point"].name,
                row["points"],
                _rate(row["school"]),
                _rate(row["district"]),
                _rate(row["city"]),
                _rate(row["gap"]),
            ]
            for row in rows
        ],
        widths=[26, 8, 10, 10, 10, 10],
    )


def heatmap_sheet(points, rows: list[dict]) -> Sheet:
    return Sheet(
        title="班级知识点得分率",
        header=["班级", "参考人数", *[p.name for p in points]],
        number_formats=dict.fromkeys(range(2, 2 + len(points)), PERCENT_FORMAT),
        rows=[[row["name"], row["sitters"], *[_rate(c) for c in row["cells"]]] for row in rows],
        widths=[14, 10, *[14] * len(points)],
    )


def lost_sheet(rows: list[dict]) -> Sheet:
    return Sheet(
        title="典型失分题",
        header=LOST_HEADER,
        number_formats=_percent_columns(LOST_HEADER, "本校得分率", "全市得分率", "差"),
        rows=[
            [
                row["item"].label,
                row["item"].knowledge_point.name,
                row["item"].points,
                _rate(row["stat"].difficulty),
                _rate(row["city"].difficulty),
                _rate(row["gap"]),
            ]
            for row in rows
        ],
        widths=[8, 20, 8, 12, 12, 10],
    )


def knowledge_sheets(points, used: dict[int, int], abilities) -> list[Sheet]:
    """知识点体系 as the page shows it: each domain then its points, and the ability levels."""
    return [
        Sheet(
            title="知识点体系",
            header=["领域", "知识点", "顺序", "细目表使用题数"],
            rows=[
                [p.name if p.parent_id is None else "", p.name if p.parent_id else "", p.order, used[p.pk]]
                for p in points
            ],
            widths=[20, 24, 8, 16],
        ),
        Sheet(
            title="能力层级",
            header=["能力层级", "顺序", "细目表使用题数"],
            rows=[[a.name, a.order, a.used] for a in abilities],
            widths=[14, 8, 16],
        ),
    ]
