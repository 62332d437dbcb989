"""The Django admin holds students to the portal's rules (issue 14 §9): names and 学籍号 masked by
default, the full record only on an explicit reveal, and every admin page of student data — the
reveal included — in the access log."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse

from eduquality.models import AccessLog
from schools import codes
from schools.models import Student
from tests.factories import UserFactory


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", full_name="系统管理员", is_superuser=True, is_staff=True)


def _body(response) -> str:
    # What was typed into the search box stays in it; the page's own figures are what count.
    return re.sub(r'(value|href)="[^"]*"', "", response.content.decode())


def _logged(user) -> list[tuple[str, bool]]:
    return list(AccessLog.objects.filter(user=user).order_by("pk").values_list("what", "allowed"))


def test_the_admin_list_and_search_mask_names_and_numbers_and_are_logged(city, admin_user, login):
    student = city.student_a
    client = login(admin_user)
    changelist = reverse("admin:schools_studentinadmin_changelist")
    for url in (changelist, f"{changelist}?q={student.student_number}"):
        response = client.get(url)
        assert response.status_code == 200
        body = _body(response)
        assert codes.mask_name(student.name) in body and codes.mask_student_number(student.student_number) in body
        assert student.name not in body and student.student_number not in body
        assert "显示完整姓名与学籍号" not in body  # the list offers no reveal: one student at a time, on the form
    assert _logged(admin_user) == [("学生名单（后台管理）", True), ("学生名单（后台管理）：搜索", True)]


def test_the_admin_change_form_masks_until_an_explicit_reveal_which_is_logged(city, admin_user, login):
    student = city.student_a
    client = login(admin_user)
    change = reverse("admin:schools_studentinadmin_change", args=[student.pk])
    masked = client.get(change)
    assert masked.status_code == 200
    body = _body(masked)
    assert student.name not in body and student.student_number not in body
    assert codes.mask_name(student.name) in body and "显示完整姓名与学籍号" in body
    revealed = client.get(f"{change}?reveal=1")
    assert student.name in revealed.content.decode() and student.student_number in revealed.content.decode()
    history = client.get(reverse("admin:schools_studentinadmin_history", args=[student.pk]))
    assert history.status_code == 200 and student.name not in _body(history)
    assert _logged(admin_user) == [
        (f"学生 #{student.pk}（后台管理）", True),
        (f"学生 #{student.pk}（后台管理，显示完整姓名与学籍号）", True),
        (f"学生 #{student.pk} 修改历史（后台管理）", True),
    ]


def test_saving_the_masked_form_keeps_the_record_and_logs_a_masked_name(city, admin_user, login):
    student = city.student_a
    client = login(admin_user)
    change = reverse("admin:schools_studentinadmin_change", args=[student.pk])
    response = client.post(
        change, {"gender": "", "school": student.school_id, "school_class": student.school_class_id, "is_active": ""}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = Student.objects.get(pk=student.pk)
    assert (saved.name, saved.student_number, saved.is_active) == (student.name, student.student_number, False)
    # The admin's own action log (its 最近动作 and history) names the student masked too.
    assert LogEntry.objects.get(object_id=str(student.pk)).object_repr == codes.mask_name(student.name)


def test_a_refused_admin_look_at_students_is_logged_as_denied(city, login):
    staff = UserFactory(username="staff", is_staff=True)  # admin access, but no right on students
    staff.user_permissions.add(Permission.objects.get(codename="view_school"))
    response = login(staff).get(reverse("admin:schools_studentinadmin_changelist"))
    assert response.status_code == 403
    assert _logged(staff) == [("学生名单（后台管理）", False)]


def test_students_cannot_be_deleted_or_bulk_handled_in_the_admin(city, admin_user, login):
    client = login(admin_user)
    delete = reverse("admin:schools_studentinadmin_delete", args=[city.student_a.pk])
    assert client.get(delete).status_code == 403
    assert 'name="action"' not in client.get(reverse("admin:schools_studentinadmin_changelist")).content.decode()
