"""The columns of each inspection list: the same on the page and in the Excel export."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from inspections import rules


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]
    width: int = 14
    key: str = ""  # ?sort=key sorts the list page and its export by `sort` (the header becomes a link)
    sort: tuple[str, ...] = ()
    tone: Callable[[Any], str] | None = None  # a state shown as a coloured badge: the object → its colour


def _date(attr: str):
    return lambda obj: getattr(obj, attr) or ""


VISIT_TONES = {"planned": "secondary", "draft": "warning", "submitted": "success"}

VISIT_COLUMNS = [
    Column("学校", lambda v: v.school.name, 24, "school", ("school__code", "pk")),
    Column("区县", lambda v: v.school.district.name, 14, "district", ("school__district__code", "school__code", "pk")),
    Column("督导任务", lambda v: v.campaign.title, 28),
    Column("学期", lambda v: str(v.semester), 24),
    Column("督导日期", _date("visited_on"), 12, "date", ("visited_on", "pk")),
    Column("督学", lambda v: "、".join(u.display_name for u in v.inspectors.all()), 20),
    Column("状态", lambda v: v.get_status_display(), 10, "status", ("status", "pk"), lambda v: VISIT_TONES[v.status]),
    Column("总分", lambda v: v.total if v.total is not None else "", 8, "total", ("total", "pk")),
    Column("星级", lambda v: rules.stars(v.star_level), 12, "stars", ("star_level", "pk")),
]

STAR_COLUMNS = [
    Column("学校", lambda r: r.school.name, 24, "school", ("school__code", "pk")),
    Column("学校标识码", lambda r: r.school.code, 14),
    Column("区县", lambda r: r.school.district.name, 14, "district", ("school__district__code", "school__code")),
    Column("督导次数", lambda r: r.visit_count, 8, "visits", ("visit_count", "school__code")),
    Column("平均分", lambda r: r.mean_total, 8, "mean", ("mean_total", "school__code")),
    Column("星级", lambda r: rules.stars(r.star_level), 12, "stars", ("star_level", "mean_total", "school__code")),
    Column(
        "达标",
        lambda r: "未达标" if r.below_target else "达标",
        8,
        tone=lambda r: "danger" if r.below_target else "success",
    ),
]

ORDER_COLUMNS = [
    Column("学校", lambda o: o.school.name, 24),
    Column("区县", lambda o: o.school.district.name),
    Column("来源", lambda o: o.notice.title if o.notice_id else (str(o.visit.campaign) if o.visit_id else "督导"), 30),
    Column("整改事项", lambda o: len(o.item_list), 8),
    Column("下达日期", lambda o: timezone.localdate(o.issued_at), 12),
    Column("整改期限", lambda o: o.deadline, 12),
    Column("状态", lambda o: o.get_status_display(), 12),
    Column("催办次数", lambda o: o.urge_count, 8),
    Column("回复时间", lambda o: o.responded_at or "", 16),
    Column("核查时间", lambda o: o.verified_at or "", 16),
]

OBSERVATION_COLUMNS = [
    Column("听课日期", lambda o: o.observed_on, 12, "date", ("observed_on", "pk")),
    Column("授课教师", lambda o: o.teacher.name, 10, "teacher", ("teacher__name", "pk")),
    Column("学校", lambda o: o.school.name, 22, "school", ("school__code", "observed_on", "pk")),
    Column("学科", lambda o: o.subject.name, 8, "subject", ("subject__order", "observed_on", "pk")),
    Column("课型", lambda o: o.get_lesson_type_display(), 10),
    Column("课题", lambda o: o.topic, 24),
    Column("听课人", lambda o: o.observer.display_name, 10),
    Column("层级", lambda o: o.get_level_display(), 14),
    Column("总分", lambda o: o.total, 8, "total", ("total", "pk")),
    Column(
        "教学反思",
        lambda o: "已反思" if o.reflection else "待反思",
        10,
        tone=lambda o: "success" if o.reflection else "warning",
    ),
]

QUOTA_COLUMNS = [
    Column("姓名", lambda r: r["user"].display_name, 10),
    Column("学校", lambda r: r["school"].name, 24),
    Column("角色", lambda r: r["role"], 16),
    Column("任务节数", lambda r: r["quota"], 8),
    Column("已听节数", lambda r: r["done"], 8),
    Column("完成率%", lambda r: r["progress"], 8),
    Column("状态", lambda r: "未完成" if r["behind"] else "已完成", 8),
]
