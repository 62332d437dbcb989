"""The columns of each teaching-research list: the same on the page and in the Excel export."""

from django.utils import timezone

from inspections.exports import Column


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


ACTIVITY_COLUMNS = [
    Column("开始时间", lambda a: _local(a.starts_at), 16),
    Column("层级", lambda a: a.get_level_display(), 8),
    Column("类型", lambda a: a.activity_type.name, 10),
    Column("主题", lambda a: a.topic, 28),
    Column("组织", lambda a: a.organiser_label, 22),
    Column("学科", lambda a: a.subject.name if a.subject_id else "", 8),
    Column("学时", lambda a: a.hours, 6),
    Column("地点", lambda a: a.place, 16),
    Column("应到", lambda a: getattr(a, "invited_count", ""), 6),
    Column("实到", lambda a: getattr(a, "confirmed_count", ""), 6),
]


def city_columns(lines) -> list[Column]:
    def result(index):
        return lambda row: ("达标" if row["results"][index].met else "未达标") if index < len(row["results"]) else ""

    return [
        Column("学校", lambda row: row["school"].name, 24),
        Column("区县", lambda row: row["school"].district.name, 10),
        *[Column(line.requirement, result(i), 14) for i, line in enumerate(lines)],
        Column("达标项", lambda row: f"{row['met']}/{row['total']}", 8),
    ]
