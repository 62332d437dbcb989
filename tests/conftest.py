"""Personas and shared fixtures. Data tests run against PostgreSQL (DATABASE_URL from `make test`)."""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db.backends.signals import connection_created
from django.test import Client

from schools.models import Subject
from tests.factories import (
    PASSWORD,
    SchoolClassFactory,
    SchoolFactory,
    SemesterFactory,
    StudentFactory,
    TeacherFactory,
    TeachingGroupFactory,
    UserFactory,
    grant,
)


def _allow_flushing_the_access_log(sender, connection, **kwargs):
    """The access log refuses TRUNCATE (migration eduquality 0002) except where this session
    variable is on: only here, so the flush between transactional tests can empty it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET eduquality.allow_log_truncate = 'on'")


connection_created.connect(_allow_flushing_the_access_log)


def pytest_configure(config):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise pytest.UsageError(
            "The suite runs against PostgreSQL: set DATABASE_URL=postgres://… (`make test` does it for you)."
        )


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']} {settings.DATABASES['default'].get('NAME')}"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings, request):
    """Argon2 is slow by design; tests that are not about hashing use a fast hasher."""
    if "argon2" not in request.node.name:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class City:
    """Two schools, A and B, with a person in every role; B's people are the outsiders."""

    school_a: object
    school_b: object
    class_a: object
    class_b: object
    teacher_a: object
    teacher_b: object
    student_a: object
    student_b: object
    group_a: object
    bureau: object
    inspector: object
    principal_a: object
    principal_b: object
    academic_lead_a: object
    group_leader_a: object
    teacher_user_a: object
    nobody: object


@pytest.fixture
def reference_data(db):
    """The reference tables of the data migration; a transactional test's flush empties them."""
    from django.apps import apps

    from schools.models import SchoolType
    from schools.reference import load_reference_data

    if not SchoolType.objects.exists():
        load_reference_data(apps)
    from monitoring.items import curriculum
    from monitoring.items.models import AbilityLevel, KnowledgePoint

    if not AbilityLevel.objects.exists():
        curriculum.seed(Subject, KnowledgePoint, AbilityLevel)


@pytest.fixture
def city(reference_data) -> City:
    SemesterFactory()
    school_a = SchoolFactory(name="甲小学")
    school_b = SchoolFactory(name="乙小学")
    class_a = SchoolClassFactory(school=school_a)
    class_b = SchoolClassFactory(school=school_b)
    chinese = Subject.objects.get(code="YW")

    bureau = UserFactory(username="bureau", full_name="局机关")
    grant(bureau, "bureau")
    inspector = UserFactory(username="inspector", full_name="督学")
    grant(inspector, "inspector")
    principal_a = UserFactory(username="principal_a", full_name="甲校长")
    grant(principal_a, "principal", school_a)
    principal_b = UserFactory(username="principal_b", full_name="乙校长")
    grant(principal_b, "principal", school_b)
    academic_lead_a = UserFactory(username="academic_a", full_name="甲教导主任")
    grant(academic_lead_a, "academic_lead", school_a)
    group_leader_a = UserFactory(username="leader_a", full_name="甲语文组长")
    grant(group_leader_a, "group_leader", school_a, chinese)
    teacher_user_a = UserFactory(username="teacher_a", full_name="甲老师")
    grant(teacher_user_a, "teacher", school_a)
    nobody = UserFactory(username="nobody", full_name="无角色")

    teacher_a = TeacherFactory(school=school_a, name="甲老师", user=teacher_user_a)
    teacher_a.subjects.add(chinese)
    teacher_b = TeacherFactory(school=school_b, name="乙老师")
    return City(
        school_a=school_a,
        school_b=school_b,
        class_a=class_a,
        class_b=class_b,
        teacher_a=teacher_a,
        teacher_b=teacher_b,
        student_a=StudentFactory(school=school_a, school_class=class_a, name="张小明"),
        student_b=StudentFactory(school=school_b, school_class=class_b, name="李小红"),
        group_a=TeachingGroupFactory(school=school_a, subject=chinese, leader=teacher_a),
        bureau=bureau,
        inspector=inspector,
        principal_a=principal_a,
        principal_b=principal_b,
        academic_lead_a=academic_lead_a,
        group_leader_a=group_leader_a,
        teacher_user_a=teacher_user_a,
        nobody=nobody,
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def login():
    """login(user) → a test client signed in as that user."""
    return client_for


@pytest.fixture
def password():
    return PASSWORD
