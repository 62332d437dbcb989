"""Minors' data (未成年人个人信息): names and 学籍号 in full only inside the owning school, and
every look at student data written to an access log the application cannot change."""

import re

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from eduquality.models import AccessLog
from schools import codes
from tests.security.helpers import body_of, is_xlsx, walk
from tests.test_permission_matrix import EXPECTED

OUTSIDERS = ["bureau", "inspector", "principal_b"]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_no_page_or_export_shows_a_minors_full_name_or_number_outside_the_school(matrix_world, city, who, client):
    """Every URL of the matrix, as every export and with searches for the student: the full name
    and number of school A's student never reach someone outside school A."""
    client.force_login(getattr(city, who))
    student = city.student_a
    shown = []
    for name, target, response in walk(client, matrix_world, [f"q={student.name}", f"q={student.student_number}"]):
        if response.status_code != 200:
            continue
        # What was searched for stays in the search box and the links that keep the search.
        body = re.sub(r'(value|href)="[^"]*"', "", body_of(response))
        if student.name in body or student.student_number in body:
            shown.append(f"{name} {target}")
    assert not shown, f"{who} sees a minor's full name or number:\n" + "\n".join(shown)


def test_the_bureau_sees_masked_students_in_list_detail_export_search_and_score_page(matrix_world, city, login):
    """The positive side of the same rule: the bureau does see the student, masked."""
    student = city.student_a
    masked_name, masked_number = codes.mask_name(student.name), codes.mask_student_number(student.student_number)
    client = login(city.bureau)
    pages = {
        "list": reverse("schools:student-list"),
        "search": reverse("schools:student-list") + f"?q={student.student_number}",  # by the full 学籍号 only
        "detail": reverse("schools:student-detail", args=[student.pk]),
        "export": reverse("schools:student-export"),
    }
    for what, url in pages.items():
        # What was searched for stays in the search box and the links that keep the search.
        body = re.sub(r'(value|href)="[^"]*"', "", body_of(client.get(url)))
        assert masked_number in body, what
        assert student.student_number not in body, what
        if what != "detail":  # the detail page's heading is the masked name too, checked below
            assert masked_name in body, what
    detail = body_of(client.get(pages["detail"]))
    assert student.name not in detail.replace(f'value="{student.name}"', "")


def test_the_owning_schools_principal_sees_the_full_record(city, login):
    """The control: inside the school the record is in full, so the masking above is not blanket."""
    body = body_of(login(city.principal_a).get(reverse("schools:student-export")))
    assert city.student_a.name in body and city.student_a.student_number in body


# ---- The access log -------------------------------------------------------------------------------


def student_views(city, matrix_world) -> dict[str, str]:
    exam = next(v for k, v in matrix_world["apps"].items() if k.endswith("monitoring.matrix"))["exam"]
    return {
        "学生名单": reverse("schools:student-list") + "?q=张",
        "导出学生名单": reverse("schools:student-export"),
        "学生详情": reverse("schools:student-detail", args=[city.student_a.pk]),
        "学生成绩查询与更正": reverse("monitoring:exam-scores", args=[exam.pk])
        + f"?student={city.student_a.student_number}",
    }


def test_every_view_of_student_data_is_logged_with_who_role_what_and_outcome(matrix_world, city, login):
    before = AccessLog.objects.count()
    for user in (city.bureau, city.principal_a, city.teacher_user_a, city.principal_b):
        client = login(user)
        for url in student_views(city, matrix_world).values():
            client.get(url)
    rows = list(AccessLog.objects.order_by("id"))[before:]
    assert len(rows) == 16
    by = {(row.username, row.what.split(" #")[0].split("（")[0]): row for row in rows}
    assert by[("bureau", "导出学生名单")].allowed is True
    assert "局机关" in by[("bureau", "导出学生名单")].roles
    assert by[("principal_a", "学生详情")].allowed is True
    assert "校长（甲小学）" in by[("principal_a", "学生详情")].roles
    assert by[("principal_b", "学生详情")].allowed is False  # 404: outside the school
    assert by[("teacher_a", "学生名单")].allowed is False  # 403: teachers do not list students
    assert by[("principal_a", "学生成绩查询与更正")].allowed is False
    assert by[("bureau", "学生成绩查询与更正")].path.endswith(city.student_a.student_number)
    assert all(row.created_at and row.user_id for row in rows)


def test_pages_without_student_data_are_not_logged(city, login):
    before = AccessLog.objects.count()
    client = login(city.bureau)
    client.get(reverse("schools:school-list"))
    client.get(reverse("schools:teacher-export"))
    assert AccessLog.objects.count() == before


def test_the_access_log_refuses_update_delete_and_truncate(city, login):
    """The PostgreSQL trigger of migration eduquality 0002: inserts only."""
    login(city.bureau).get(reverse("schools:student-list"))
    entry = AccessLog.objects.latest("id")
    table = AccessLog._meta.db_table
    attempts = {
        "ORM update": lambda: AccessLog.objects.filter(pk=entry.pk).update(allowed=False),
        "ORM delete": lambda: AccessLog.objects.filter(pk=entry.pk).delete(),
        "SQL UPDATE": lambda: connection.cursor().execute(f"UPDATE {table} SET what = 'x' WHERE id = %s", [entry.pk]),
        "SQL DELETE": lambda: connection.cursor().execute(f"DELETE FROM {table} WHERE id = %s", [entry.pk]),
        # The test connection may truncate (for the flush between tests); the application's may not.
        "TRUNCATE": lambda: connection.cursor().execute(
            f"SET LOCAL eduquality.allow_log_truncate = 'off'; TRUNCATE {table}"
        ),
    }
    for what, attempt in attempts.items():
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
        assert AccessLog.objects.filter(pk=entry.pk, what=entry.what, allowed=entry.allowed).exists(), what
    # Inserting still works.
    AccessLog.objects.create(username="x", what="y", path="/", method="GET", allowed=True)


def test_the_bureau_reads_filters_and_exports_the_access_log(city, login):
    login(city.principal_b).get(reverse("schools:student-detail", args=[city.student_a.pk]))
    login(city.principal_a).get(reverse("schools:student-list"))
    client = login(city.bureau)
    page = client.get(reverse("access-log") + "?allowed=false").content.decode()
    assert "principal_b" in page and "拒绝" in page
    assert "principal_a" not in page
    found = client.get(reverse("access-log") + "?q=principal_a").content.decode()
    assert "principal_a" in found and "学生名单" in found
    export = client.get(reverse("access-log") + "?export=xlsx")
    assert is_xlsx(export)
    assert "principal_b" in body_of(export)
    assert EXPECTED["access-log"]["principal"] == 403
    assert login(city.principal_a).get(reverse("access-log")).status_code == 403


def test_downloading_a_score_imports_marked_workbook_is_logged(city, login):
    from django.core.files.base import ContentFile

    from eduquality.models import Job

    job = Job.objects.create(owner=city.bureau, kind="monitoring.import_scores", title="导入成绩", status="failed")
    job.result_file.save("problems.xlsx", ContentFile(b"x"))
    other = Job.objects.create(owner=city.bureau, kind="schools.import_schools", title="导入学校", status="failed")
    other.result_file.save("problems.xlsx", ContentFile(b"x"))
    before = AccessLog.objects.count()
    login(city.bureau).get(reverse("job-download", args=[job.pk]))
    login(city.principal_b).get(reverse("job-download", args=[job.pk]))
    login(city.bureau).get(reverse("job-download", args=[other.pk]))
    rows = list(AccessLog.objects.order_by("id"))[before:]
    assert [(r.username, r.allowed) for r in rows] == [("bureau", True), ("principal_b", False)]
