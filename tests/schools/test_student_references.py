"""A student's school and class are checked by the database once per statement (migration 0004),
as strictly as the foreign keys they replace: nothing that bypasses Django can leave a student
pointing at a school or class that does not exist."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from schools.models import SchoolClass, Student
from tests.factories import SchoolClassFactory, SchoolFactory, StudentFactory

pytestmark = pytest.mark.django_db


def raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_student_of_a_school_or_class_that_does_not_exist_is_refused():
    school_class = SchoolClassFactory()
    insert = (
        "INSERT INTO schools_student (student_number, name, gender, school_id, school_class_id, is_active) "
        "VALUES (%s, '张三', '', %s, %s, true)"
    )
    with pytest.raises(IntegrityError, match="school does not exist"):
        raw(insert, ["G220602201601010001", 999_999, school_class.pk])
    with pytest.raises(IntegrityError, match="class does not exist"):
        raw(insert, ["G220602201601010002", school_class.school_id, 999_999])
    raw(insert, ["G220602201601010003", school_class.school_id, None])  # no class is allowed
    assert Student.objects.filter(student_number="G220602201601010003").exists()


def test_moving_a_student_to_a_school_that_does_not_exist_is_refused():
    student = StudentFactory()
    with pytest.raises(IntegrityError, match="school does not exist"):
        raw("UPDATE schools_student SET school_id = %s WHERE id = %s", [999_999, student.pk])
    student.refresh_from_db()
    assert student.school_id != 999_999


def test_a_school_or_class_its_students_still_name_cannot_be_deleted_behind_django():
    student = StudentFactory()
    with pytest.raises(IntegrityError, match="students still belong"):
        raw("DELETE FROM schools_schoolclass WHERE id = %s", [student.school_class_id])
    with pytest.raises(IntegrityError, match="students still belong"):
        raw("DELETE FROM schools_school WHERE id = %s", [student.school_id])
    assert SchoolClass.objects.filter(pk=student.school_class_id).exists()


def test_through_django_a_deleted_class_leaves_its_students_without_one_and_a_school_is_protected():
    student = StudentFactory()
    student.school_class.delete()  # SET_NULL first, then the delete: the check sees no student left
    student.refresh_from_db()
    assert student.school_class_id is None
    with pytest.raises(ProtectedError):
        student.school.delete()
    empty = SchoolFactory()
    empty.delete()  # a school without students goes
