"""The evidence provider (eduquality/extensions.py): the duties computed from activity records, for the
inspection visit form to show beside the criteria that name them."""

from django.urls import reverse
from django.utils import timezone

from research import rules, selectors

RULES = {
    rules.GROUP_HOURS: "教研组活动每周≥2小时",
    rules.SCHOOL_WIDE: "全校学科教研活动每学期≥2次",
    rules.CONSULTATIONS: "学情会商每学期≥1次",
    rules.MEETING_GAP: "教学工作例会间隔≤14天",
    rules.PARENT_HOURS: "家长学校每学期≥2学时",
    rules.CITY_ATTENDED: "参加市级集中教研每学期≥2次",
}


def evidence(*, school, semester, codes) -> dict[str, dict]:
    today = timezone.localdate()
    as_of = min(today, semester.ends_on) if semester.ends_on else today
    found = {}
    for row in selectors.school_semester_table(school=school, semester=semester, as_of=as_of):
        result = row["result"]
        if result.code not in codes:
            continue
        found[result.code] = {
            "figure": result.figure,
            "line": result.line,
            "met": result.met,
            "detail": result.detail,
            "records": [
                (
                    f"{timezone.localtime(a.starts_at):%m-%d} {a.activity_type.name}：{a.topic}（{a.hours}学时）",
                    reverse("research:activity-detail", args=[a.pk]),
                )
                for a in row["activities"][:8]
            ],
            "more": max(0, len(row["activities"]) - 8),
        }
    return found
