"""`manage.py seed_demo`: the demo city of 白山市, built small (--scale 0.03) so the tests stay fast."""

import io
import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, RequestFactory

from schools import codes
from schools.demo import id_check_digit
from schools.models import (
    District,
    RoleAssignment,
    School,
    SchoolClass,
    Semester,
    Student,
    Teacher,
    TeacherHonour,
    TeachingGroup,
    Zone,
)

SCALE = "0.03"
DEMO_PASSWORD = "Demo-2026!"
EXPECTED_ROLES = {
    "admin": {("bureau", None, None)},
    "bureau": {("bureau", None, None)},
    "inspector": {("inspector", None, None)},
    "principal": {("principal", "demo", None)},
    "academic": {("academic_lead", "demo", None)},
    "leader": {("group_leader", "demo", "YW")},
    "teacher": {("teacher", "demo", None)},
    "principal2": {("principal", "other", None)},
}
GRADES_OF_TYPE = {"211": (1, 6), "311": (7, 9), "312": (1, 9), "341": (7, 12), "342": (10, 12), "345": (1, 12)}
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--scale", SCALE, *args, stdout=out)
    return out.getvalue()


def gb11643_check(first17: str) -> str:
    """Written out again here, from the standard, so the builder is checked against something else."""
    remainder = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True)) % 11
    return "10X98765432"[remainder]


def snapshot() -> dict:
    models = [District, Zone, Semester, School, SchoolClass, Teacher, TeacherHonour, TeachingGroup, Student]
    counts = {model.__name__: model.objects.count() for model in models}
    users = dict(get_user_model().objects.values_list("username", "password"))
    return {"counts": counts, "users": users, "roles": RoleAssignment.objects.count()}


@pytest.fixture
def demo_city(reference_data, settings) -> str:
    # Argon2 costs ~0.2 s a password and the build sets eight: a fast hasher keeps these tests quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return seed()


def test_check_digit_follows_gb_11643():
    # The worked examples of GB 11643-1999 and a classic textbook one.
    assert id_check_digit("11010519491231002") == "X"
    assert id_check_digit("44052418800101001") == "4"


def test_it_builds_baishan_with_about_sixty_schools_with_valid_codes(demo_city):
    districts = dict(District.objects.values_list("code", "name"))
    assert len(districts) >= 4
    assert districts["220602"] == "浑江区"
    assert districts["220623"] == "长白朝鲜族自治县"
    assert all(1 <= Zone.objects.filter(district__code=code).count() <= 2 for code in districts)
    schools = list(School.objects.select_related("school_type", "district"))
    assert 55 <= len(schools) <= 65
    assert len({school.name for school in schools}) == len(schools)
    for school in schools:
        problems = codes.school_code_problems(
            school.code, type_prefix=school.school_type.identifier_prefix, province_code=school.district.province_code
        )
        assert problems == [], (school.name, school.code, problems)
    types = {school.school_type_id for school in schools}
    assert {"211", "311", "312", "341", "342", "345"} <= types
    assert sum(school.school_type_id == "211" for school in schools) > len(schools) / 2
    assert any(school.is_city_direct for school in schools)
    assert {school.operator_id for school in schools} == {"21", "22"}
    assert all(school.urban_rural_id and school.address and school.phone for school in schools)


def test_it_gives_every_student_a_valid_student_number_matching_the_class(demo_city):
    students = list(Student.objects.select_related("school__district", "school_class"))
    assert students
    assert len({student.student_number for student in students}) == len(students)
    for student in students:
        number = student.student_number
        assert re.match(codes.STUDENT_NUMBER_PATTERN, number), number
        assert number[1:7] == student.school.district.code
        assert gb11643_check(number[1:18]) == number[18], number
        born = date(int(number[7:11]), int(number[11:13]), int(number[13:15]))
        school_entry_year = 2026 - (student.school_class.grade - 1)
        # Grade 1 of 2026 was born between 2019-09-01 and 2020-08-31.
        assert date(school_entry_year - 7, 9, 1) <= born <= date(school_entry_year - 6, 8, 31), number


def test_it_gives_each_school_classes_of_its_grades_with_head_teachers_and_groups(demo_city):
    for school in School.objects.all():
        grades = set(SchoolClass.objects.filter(school=school, start_year=2026).values_list("grade", flat=True))
        low, high = GRADES_OF_TYPE[school.school_type_id]
        assert grades == set(range(low, high + 1)), school.name
    assert not SchoolClass.objects.filter(head_teacher__isnull=True).exists()
    assert all(
        item.head_teacher.school_id == item.school_id for item in SchoolClass.objects.select_related("head_teacher")
    )
    for group in TeachingGroup.objects.select_related("leader", "subject"):
        assert group.leader.school_id == group.school_id
        assert group.leader.subjects.filter(pk=group.subject_id).exists(), str(group)
    assert TeachingGroup.objects.filter(subject__code="WL").exists()
    assert TeacherHonour.objects.exists()
    assert not Teacher.objects.filter(title__isnull=True).exists()


def test_each_demo_user_logs_in_and_holds_the_right_role(demo_city):
    demo_school = School.objects.get(name="白山市实验小学")
    schools = {"demo": demo_school.pk, None: None}
    for username, expected in EXPECTED_ROLES.items():
        client = Client()
        request = RequestFactory().post("/login/")  # django-axes wants the request the login came with
        assert client.login(request=request, username=username, password=DEMO_PASSWORD), username
        user = get_user_model().objects.get(username=username)
        assert user.full_name
        rows = set(RoleAssignment.objects.filter(user=user).values_list("role", "school_id", "subject__code"))
        wanted = {(role, schools.get(school, "other"), subject) for role, school, subject in expected}
        if username == "principal2":
            (row,) = rows
            assert row[0] == "principal"
            assert row[1] not in {None, demo_school.pk}
        else:
            assert rows == wanted, username
    assert get_user_model().objects.get(username="admin").is_superuser
    assert demo_city.count(DEMO_PASSWORD) >= 8
    assert "学校" in demo_city and "学生" in demo_city


def test_the_teacher_and_leader_logins_are_teachers_of_the_principals_school(demo_city):
    principal_school = RoleAssignment.objects.get(user__username="principal", role="principal").school
    teacher = Teacher.objects.get(user__username="teacher")
    assert teacher.school == principal_school
    assert teacher.name == teacher.user.full_name
    leader = Teacher.objects.get(user__username="leader")
    assert TeachingGroup.objects.get(school=principal_school, subject__code="YW").leader == leader


def test_exactly_one_semester_is_current_and_it_is_2026_term_one(demo_city):
    assert Semester.objects.count() == 5
    current = Semester.objects.get(is_current=True)
    assert (current.start_year, current.term) == (2026, 1)
    assert current.starts_on == date(2026, 9, 1)
    for semester in Semester.objects.all():
        assert semester.starts_on < semester.ends_on
        assert semester.ends_on.month == (1 if semester.term == 1 else 7)


def test_running_again_without_reset_changes_nothing(demo_city):
    before = snapshot()
    output = seed()
    assert "已有" in output and "--reset" in output
    assert snapshot() == before


def test_reset_rebuilds_the_same_city(demo_city):
    codes_before = list(School.objects.order_by("code").values_list("code", "name"))
    numbers_before = list(Student.objects.order_by("student_number").values_list("student_number", "name"))
    teachers_before = list(Teacher.objects.order_by("staff_number").values_list("staff_number", "name"))
    seed("--reset")
    assert list(School.objects.order_by("code").values_list("code", "name")) == codes_before
    assert list(Student.objects.order_by("student_number").values_list("student_number", "name")) == numbers_before
    assert list(Teacher.objects.order_by("staff_number").values_list("staff_number", "name")) == teachers_before
    assert Semester.objects.filter(is_current=True).count() == 1
    assert get_user_model().objects.filter(username__in=EXPECTED_ROLES).count() == len(EXPECTED_ROLES)
    assert RoleAssignment.objects.filter(user__username__in=EXPECTED_ROLES).count() == len(EXPECTED_ROLES)
