"""The inspections rows of the URL × role matrix (protocol: tests/matrix.py)."""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from inspections import services
from inspections.models import Attachment, VisitPhoto
from tests.inspections import factories
from tests.matrix import ANY_ROLE, BUREAU_ONLY, POST_ONLY, statuses

CITY_READERS = statuses(403, bureau=200, inspector=200)  # 局机关 and 督学
VISIT_READERS = statuses(403, bureau=200, inspector=200, principal=200, academic_lead=200)
SUBMITTED_VISIT = statuses(404, bureau=200, inspector=200, principal=200, academic_lead=200)

EXPECTED = {
    "inspections:rubric-list": CITY_READERS,
    "inspections:rubric-detail": statuses(200),
    "inspections:rubric-copy": POST_ONLY,
    "inspections:rubric-publish": POST_ONLY,
    "inspections:campaign-list": ANY_ROLE,
    "inspections:campaign-create": BUREAU_ONLY,
    "inspections:campaign-detail": statuses(200),  # 一公开: every signed-in user
    "inspections:campaign-draw": POST_ONLY,
    "inspections:draw-list": statuses(200),
    "inspections:visit-list": VISIT_READERS,
    "inspections:visit-export": VISIT_READERS,
    "inspections:visit-detail": SUBMITTED_VISIT,
    # A visit not yet submitted: only its inspector fills it; the bureau sees it but may not fill it.
    "inspections:visit-fill": statuses(404, bureau=403, inspector=200),
    "inspections:visit-attach": POST_ONLY,
    "inspections:visit-photo-upload": POST_ONLY,
    "inspections:visit-photo": SUBMITTED_VISIT,  # a photo of the submitted visit
    "inspections:visit-letter": SUBMITTED_VISIT,
    "inspections:attachment-download": SUBMITTED_VISIT,  # an attachment of the submitted visit
    "inspections:star-table": CITY_READERS,
    "inspections:star-export": CITY_READERS,
    "inspections:school-history": statuses(
        403, nobody=404, bureau=200, inspector=200, principal=200, academic_lead=200
    ),
    "inspections:notice-create": POST_ONLY,
    "inspections:notice-detail": statuses(200, nobody=404),
    "inspections:order-list": VISIT_READERS,
    "inspections:order-export": VISIT_READERS,
    "inspections:order-create": BUREAU_ONLY,
    "inspections:order-detail": SUBMITTED_VISIT,
    "inspections:order-answer": POST_ONLY,
    "inspections:order-verify": POST_ONLY,
    "inspections:order-urge": POST_ONLY,
    "inspections:order-extend": POST_ONLY,
    "inspections:sanction-create": BUREAU_ONLY,
    "inspections:observation-list": ANY_ROLE,
    "inspections:observation-export": ANY_ROLE,
    "inspections:observation-create": statuses(200, nobody=403, teacher=403),
    "inspections:observation-detail": statuses(200, nobody=404, inspector=404),
    "inspections:observation-reflect": POST_ONLY,
    "inspections:teacher-file": statuses(200, nobody=404),
    "inspections:quota-table": BUREAU_ONLY,
    "inspections:quota-export": BUREAU_ONLY,
    "inspections:quota-edit": statuses(403, bureau=200, principal=200),  # the city's line; a school's own
}


def build(city) -> dict:
    visit = factories.submitted_visit(
        by=city.bureau, school=city.school_a, inspector=city.inspector, fraction=Decimal("0.5")
    )
    planned = factories.drawn_visit(by=city.bureau, school=city.school_a, inspector=city.inspector, title="专项督导")
    today = timezone.localdate()
    notice = services.issue_notice(
        start_year=visit.semester.start_year, deadline=today + timedelta(days=30), by=city.bureau, today=today
    )
    observation = factories.observation(by=city.principal_a, teacher=city.teacher_a)
    attachment = Attachment(visit=visit, name="照片.jpg", size=4, uploaded_by=city.inspector)
    attachment.file.save("photo.jpg", ContentFile(b"\xff\xd8\xff\xe0"), save=False)
    attachment.save()
    photo = VisitPhoto(visit=visit, name="课堂.jpg", size=4, client_uuid=uuid.uuid4(), uploaded_by=city.inspector)
    photo.file.save("classroom.jpg", ContentFile(b"\xff\xd8\xff\xe0"), save=False)
    photo.save()
    return {
        "photo": photo,
        "attachment": attachment,
        "rubric": visit.rubric,
        "campaign": visit.campaign,
        "visit": visit,
        "planned": planned,
        "notice": notice,
        "order": notice.orders.get(),
        "observation": observation,
        "school": city.school_a,
        "teacher": city.teacher_a,
    }


OBJECT_OF = {
    "rubric": "rubric",
    "campaign": "campaign",
    "visit": "visit",
    "school-history": "school",
    "notice": "notice",
    "order": "order",
    "observation": "observation",
    "teacher-file": "teacher",
    "attachment-download": "attachment",
    "visit-photo": "photo",
    "visit-photo-upload": "visit",
}


def url(name: str, objects: dict) -> str:
    short = name.split(":")[1]
    if short == "visit-fill":
        return reverse(name, args=[objects["planned"].pk])
    if short in OBJECT_OF:
        return reverse(name, args=[objects[OBJECT_OF[short]].pk])
    prefix = short.rsplit("-", 1)[0]
    if prefix in OBJECT_OF and short.rsplit("-", 1)[1] not in ("list", "export", "create", "table"):
        return reverse(name, args=[objects[OBJECT_OF[prefix]].pk])
    return reverse(name)
