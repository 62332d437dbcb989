"""Outsiders — a principal of school B — get nothing of school A: not its objects (404), nor its
rows in any list, search or export, nor a write with school A's ids (the database is unchanged).

Every check walks the whole URL × role matrix, so a page added later is covered without a change."""

import re

from django.urls import resolve

from monitoring.models import Score
from tests.security.helpers import body_of, matrix_urls, snapshot, snapshot_difference, walk
from tests.test_permission_matrix import EXPECTED

OBJECT_KWARGS = {"pk", "school_id"}
# Pages about an object that every signed-in user may read by design (一公开: published campaigns,
# the draw, rubrics and notices).
PUBLIC_OBJECTS = {n for n, row in EXPECTED.items() if row["nobody"] == 200 and row["principal"] == 200}
# Objects the matrix shares between the schools: the city's districts, zones and semesters, and an
# exam both schools sat (each school sees its own figures in it).
SHARED_OBJECTS = {
    "schools:district-detail",
    "schools:zone-detail",
    "schools:semester-detail",
    "monitoring:exam-detail",
    # The exam's papers: the city's item figures and the blueprint (a school's own figures are asked
    # for with ?school=, which the no-leak walk below covers).
    "monitoring:item-analysis",
    "monitoring:item-blueprint",
    "monitoring:item-blueprint-download",
    # A selection campaign is the city's: every school's staff open it, nominate in it and list or
    # export the nominations they may see (their own school's; the list test checks nothing leaks).
    "awards:campaign-detail",
    "awards:nomination-create",
    "awards:nomination-list",
    "awards:nomination-export",
}


def secrets_of_school_a(city) -> list[str]:
    return [
        city.student_a.name,
        city.student_a.student_number,
        city.teacher_a.name,
        city.teacher_a.staff_number,
        city.school_a.name,
        city.school_a.code,
    ]


def test_every_object_url_of_school_a_is_a_404_for_school_b(matrix_world, city, client):
    """An object outside the principal's scope answers like a missing one, on every URL that names
    an object (details, edits, exports of one object, PDFs, attachments, job downloads)."""
    client.force_login(city.principal_b)
    wrong = []
    for name, url in matrix_urls(matrix_world).items():
        match = resolve(url.split("?")[0])
        if not OBJECT_KWARGS & set(match.kwargs) or name in PUBLIC_OBJECTS | SHARED_OBJECTS:
            continue
        if name.startswith("api:v1:"):
            # The API ignores sessions (401 here); with school B's token it answers 404:
            # tests/api/test_api.py::test_an_outsider_token_gets_404_on_school_a_objects.
            continue
        status = client.get(url).status_code
        if status not in (404, 405) and not (status == 403 and EXPECTED[name]["principal"] == 403):
            wrong.append(f"{name} {url}: {status}")
    assert not wrong, "school B's principal reaches school A's objects:\n" + "\n".join(wrong)
    assert client.get(url_of_job(matrix_world)).status_code == 404


def url_of_job(world) -> str:
    return f"/jobs/{world['job'].pk}/download/"


def test_no_list_search_or_export_shows_school_a_to_school_b(matrix_world, city, client):
    """Every page and workbook school B's principal can open, plain and with searches and filters
    aimed at school A's records, holds none of school A's names or numbers."""
    client.force_login(city.principal_b)
    searches = [
        f"q={city.student_a.name}",
        f"q={city.student_a.student_number}",
        f"school={city.school_a.pk}",
        f"q={city.school_a.name}",
    ]
    leaks, opened = [], 0
    for name, target, response in walk(client, matrix_world, searches, skip=PUBLIC_OBJECTS | {"logout"}):
        if response.status_code != 200:
            continue
        opened += 1
        # The search box shows what was searched for, and so do the links that keep the search.
        body = re.sub(r'(value|href)="[^"]*"', "", body_of(response))
        found = [secret for secret in secrets_of_school_a(city) if secret and secret in body]
        if found:
            leaks.append(f"{name} {target}: {found}")
    assert opened > 20, "the walk opened too few pages to prove anything"
    assert not leaks, "school A's records shown to school B:\n" + "\n".join(leaks)


def foreign_payload(world, city) -> dict:
    """Every field name a form of the portal takes, filled with school A's ids and plausible values:
    if a view forgot its scope, this payload would be valid."""
    apps = {key.rsplit(".", 2)[-2]: value for key, value in world["apps"].items()}
    monitoring, inspections = apps["monitoring"], apps["inspections"]
    exam = monitoring["exam"]
    exam_subject = exam.subjects.first()
    planned = inspections["planned"]
    payload = {
        "school": city.school_a.pk,
        "school_id": city.school_a.pk,
        "teacher": city.teacher_a.pk,
        "student": city.student_a.pk,
        "school_class": city.class_a.pk,
        "exam_subject": exam_subject.pk,
        "subject": exam_subject.subject_id,
        "visit": inspections["visit"].pk,
        "order": inspections["order"].pk,
        "value": "1",
        "reason": "外校更正",
        "response": "外校回复",
        "reflection": "外校反思",
        "researcher": city.bureau.pk,
        "visited_on": "2026-11-01",
        "causes": "外校填写",
        "measures": "外校填写",
        "status": "done",
        "action": "submit",
        "accept": "1",
        "note": "外校",
        "items": "外校整改事项",
        "deadline": "2030-01-01",
        "observed_on": "2026-11-01",
        "lesson_type": "new",
        "topic": "外校课题",
        "announced": "on",
        "kind": "warning",
        "decided_on": "2026-11-01",
        "lessons_listened": "1",
        "things_seen": "x",
        "documents_checked": "x",
        "strengths": "x",
        "problems": "x",
        "suggestions": "x",
        "name": "外校",
        "start_year": "2026",
    }
    for criterion in planned.rubric.areas.all().values_list("criteria__pk", flat=True):
        payload[f"score-{criterion}"] = "1"
    from monitoring.models import Indicator

    for indicator in Indicator.objects.all():
        payload[f"i_{indicator.pk}"] = "1"
    return payload


def test_writes_with_school_a_ids_change_nothing(matrix_world, city, client):
    """School B's principal posts to every URL of the portal, naming school A's school, teacher,
    student, class, exam, visit and order: not one row or file changes."""
    payload = foreign_payload(matrix_world, city)
    before = snapshot()
    answered = {}
    for name, url in matrix_urls(matrix_world).items():
        if name in ("logout", "login"):
            continue
        client.force_login(city.principal_b)
        answered[name] = client.post(url, payload).status_code
    assert not snapshot_difference(before, snapshot()), "a write with school A's ids changed data:\n" + "\n".join(
        snapshot_difference(before, snapshot())
    )
    # The walk really reached the write endpoints (not just a login redirect).
    for name in ("monitoring:indicator-file", "inspections:order-answer", "inspections:visit-fill"):
        assert answered[name] in (403, 404), f"{name}: {answered[name]}"


def test_a_principal_cannot_write_with_another_schools_teacher_or_class(matrix_world, city, login):
    """The mirror case: school A's principal, on a page they may use, names school B's teacher,
    class or school — refused, nothing stored."""
    client = login(city.principal_a)
    before = snapshot()
    client.post(
        "/inspections/observations/new/",
        {
            "teacher": city.teacher_b.pk,
            "school_class": city.class_b.pk,
            "subject": city.teacher_a.subjects.first().pk,
            "observed_on": "2026-11-01",
            "lesson_type": "new",
            "topic": "越权听课",
        },
    )
    assert client.post(f"/monitoring/indicators/{city.school_b.pk}/file/", {"year": 2026}).status_code == 404
    assert not snapshot_difference(before, snapshot())


def test_a_bureau_score_correction_with_a_student_of_another_exam_changes_nothing(matrix_world, city, login):
    """The score-correction form takes the exam from the URL and the student and subject from the
    form: a pair that does not belong to this exam is a 404."""
    from tests.monitoring.factories import make_exam

    exam = next(v for k, v in matrix_world["apps"].items() if k.endswith("monitoring.matrix"))["exam"]
    other = make_exam(schools=[city.school_a], code="JC-OTHER")
    before = snapshot()
    response = login(city.bureau).post(
        f"/monitoring/exams/{other.pk}/scores/",
        {
            "exam_subject": exam.subjects.first().pk,
            "student": Score.objects.first().student_id,
            "value": "1",
            "reason": "x",
        },
    )
    assert response.status_code == 404
    assert not snapshot_difference(before, snapshot())
