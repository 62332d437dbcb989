"""The teaching-research rows of the URL × role matrix (protocol: tests/matrix.py)."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from research.models import ActivityAttachment, GrowthRecord
from schools.models import ResearchLiaison
from tests.factories import ZoneFactory
from tests.matrix import ANY_ROLE, POST_ONLY, statuses
from tests.research import factories

CITY_READERS = statuses(403, bureau=200, inspector=200)
SCHOOL_READERS = statuses(200, nobody=403)
LEADERS_AND_CITY = statuses(403, bureau=200, inspector=200, principal=200, academic_lead=200)

EXPECTED = {
    "research:activity-list": ANY_ROLE,
    "research:activity-export": ANY_ROLE,
    "research:activity-create": statuses(200, nobody=403, teacher=403),
    "research:activity-detail": statuses(200, nobody=404),
    # The group's activity: the bureau, its organiser (the group leader) and the school's leaders edit it.
    "research:activity-update": statuses(200, nobody=404, inspector=403, teacher=403),
    "research:activity-confirm": POST_ONLY,
    "research:activity-attendance": POST_ONLY,
    "research:activity-attach": POST_ONLY,
    "research:activity-link": POST_ONLY,
    "research:attachment-download": statuses(200, nobody=404),
    "research:my-table": statuses(302, nobody=403),
    "research:school-table": SCHOOL_READERS,
    "research:city-table": CITY_READERS,
    "research:city-export": CITY_READERS,
    "research:zone-detail": SCHOOL_READERS,
    "research:growth-school": LEADERS_AND_CITY,
    "research:growth-mine": statuses(302, nobody=403, group_leader=403),
    "research:growth-detail": statuses(200, nobody=404),
    "research:growth-record": POST_ONLY,
    "research:growth-reading": POST_ONLY,
    "research:growth-material": statuses(200, nobody=404),  # the teacher's file: whoever sees the teacher
    "research:liaison-list": LEADERS_AND_CITY,
    "research:liaison-create": POST_ONLY,
    "research:my-schools": statuses(403, inspector=200),
}


def build(city) -> dict:
    zone = ZoneFactory(district=city.school_a.district)
    city.school_a.zone = zone
    city.school_a.save(update_fields=["zone"])
    activity = factories.activity(by=city.group_leader_a, group=city.group_a, participants=[city.teacher_a])
    attachment = ActivityAttachment(activity=activity, name="纪要.pdf", size=6, uploaded_by=city.group_leader_a)
    attachment.file.save("minutes.pdf", ContentFile(b"%PDF-1"), save=False)
    attachment.save()
    ResearchLiaison.objects.create(
        researcher=city.inspector, school=city.school_a, starts_on=timezone.localdate() - timedelta(days=10)
    )
    record = GrowthRecord(teacher=city.teacher_a, start_year=2026, task="case", description="案例")
    record.file.save("case.pdf", ContentFile(b"%PDF-1"), save=False)
    record.save()
    return {
        "activity": activity,
        "attachment": attachment,
        "school": city.school_a,
        "zone": zone,
        "teacher": city.teacher_a,
        "record": record,
    }


OBJECT_OF = {
    "activity": "activity",
    "attachment": "attachment",
    "school": "school",
    "zone": "zone",
    "growth": "teacher",
}


def url(name: str, objects: dict) -> str:
    short = name.split(":")[1]
    prefix, _, suffix = short.partition("-")
    if short == "growth-material":
        return reverse(name, args=[objects["record"].pk])
    if prefix in OBJECT_OF and suffix not in ("list", "export", "create", "school", "mine"):
        return reverse(name, args=[objects[OBJECT_OF[prefix]].pk])
    return reverse(name)
