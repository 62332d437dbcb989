"""The registry's menu and home-page pieces (see eduquality/extensions.py)."""

from django.db.models import Count, Q
from django.urls import reverse

from schools.dashboard import scope_for
from schools.models import Role, School, Semester, Student, Teacher
from schools.scoping import grants_of, is_bureau, is_inspector, school_ids_for


def menu(user) -> dict | None:
    bureau = is_bureau(user)
    school_staff = bool(school_ids_for(user))
    leaders = bool(school_ids_for(user, "principal", "vice_principal", "academic_lead", "group_leader"))
    registry = []
    if bureau or is_inspector(user) or school_staff:
        registry.append(("学校", reverse("schools:school-list")))
        registry.append(("教师", reverse("schools:teacher-list")))
        registry.append(("教研组", reverse("schools:group-list")))
    if bureau or school_staff:
        registry.append(("班级", reverse("schools:class-list")))
    if bureau or leaders:
        registry.append(("学生", reverse("schools:student-list")))
    if bureau:
        registry += [
            ("区县", reverse("schools:district-list")),
            ("教研片区", reverse("schools:zone-list")),
            ("学期", reverse("schools:semester-list")),
            ("学生信息访问日志", reverse("access-log")),
        ]
    if not registry:
        return None
    return {"label": "学校基础信息", "icon": "building", "children": registry}


def home_heading(user, params) -> dict:
    """The line under the greeting: the current semester, and where the cockpit stands."""
    scope = scope_for(user, params)
    return {
        "semester": Semester.objects.filter(is_current=True).first(),
        "crumbs": scope.crumbs if scope else (),
    }


def home_sections(user, params) -> list[dict]:
    sections = []
    scope = scope_for(user, params)
    if scope is not None and scope.sees_all:
        schools = School.objects.filter(**scope.school_filter())
        people = scope.filter()
        sections.append(
            {
                "order": 10,
                "template": "schools/home_facts.html",
                "scope": scope,
                "facts": {
                    **schools.aggregate(
                        schools=Count("pk", filter=Q(is_active=True)),
                        districts=Count("district", distinct=True),
                        city_direct=Count("pk", filter=Q(is_city_direct=True)),
                    ),
                    "teachers": Teacher.objects.filter(is_active=True, **people).count(),
                    "students": Student.objects.filter(is_active=True, **people).count(),
                },
            }
        )
    grants = grants_of(user)
    mine = School.objects.filter(pk__in=school_ids_for(user)).select_related("district", "school_type")
    my_schools = [
        {"school": school, "roles": sorted(Role(g.role).label for g in grants if g.school_id == school.pk)}
        for school in mine
    ]
    teacher = getattr(user, "teacher", None) if hasattr(user, "teacher") else None
    if my_schools or teacher:
        sections.append(
            {"order": 90, "template": "schools/home_mine.html", "my_schools": my_schools, "teacher_record": teacher}
        )
    return sections
