"""factory_boy factories for the registry. Reference tables come from the data migration."""

import factory
from django.contrib.auth import get_user_model

from schools.models import (
    District,
    RoleAssignment,
    School,
    SchoolClass,
    SchoolType,
    Semester,
    Student,
    Subject,
    Teacher,
    TeacherTitle,
    TeachingGroup,
    Zone,
)

PASSWORD = "Test-pass-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or PASSWORD)
        if create:
            user.save(update_fields=["password"])


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    # 2299xx: a range of well-formed codes no test names, so a test that creates 220605 (江源区)
    # never receives a factory district by accident, whatever ran before it.
    code = factory.Sequence(lambda n: f"2299{n % 100:02d}")
    name = factory.Sequence(lambda n: f"测试区{n}")


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"第{n}片区")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    code = factory.Sequence(lambda n: f"2122{n:06d}")
    name = factory.Sequence(lambda n: f"测试第{n}小学")
    school_type = factory.LazyFunction(lambda: SchoolType.objects.get(code="211"))
    district = factory.SubFactory(DistrictFactory)


class SemesterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Semester
        django_get_or_create = ("start_year", "term")

    start_year = 2026
    term = 1
    is_current = True


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    school = factory.SubFactory(SchoolFactory)
    start_year = 2026
    grade = 3
    number = factory.Sequence(lambda n: n + 1)


class TeacherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Teacher

    school = factory.SubFactory(SchoolFactory)
    staff_number = factory.Sequence(lambda n: f"T{n:07d}")
    name = factory.Sequence(lambda n: f"教师{n}")
    title = factory.LazyFunction(lambda: TeacherTitle.objects.get(name="一级教师"))


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    student_number = factory.Sequence(lambda n: f"G22060220150101{n:04d}")
    name = factory.Sequence(lambda n: f"学生{n}")
    school = factory.SubFactory(SchoolFactory)
    school_class = factory.LazyAttribute(lambda o: SchoolClassFactory(school=o.school))


class TeachingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeachingGroup

    school = factory.SubFactory(SchoolFactory)
    subject = factory.LazyFunction(lambda: Subject.objects.get(code="YW"))


def grant(user, role: str, school=None, subject=None) -> RoleAssignment:
    assignment = RoleAssignment.objects.create(user=user, role=role, school=school, subject=subject)
    if hasattr(user, "_eduquality_grants"):
        del user._eduquality_grants
    return assignment
