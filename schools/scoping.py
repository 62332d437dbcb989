"""The one place that decides what a user may see.

Every view, export, PDF and task reads registry data through `<Model>.objects.visible_to(user)`;
a detail view fetches with `get_object_or_404(Model.objects.visible_to(user), pk=pk)`, so an
outsider gets the same 404 as a missing object. Write rights are separate predicates below.
"""

from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Grant:
    role: str
    school_id: int | None
    subject_id: int | None


def grants_of(user) -> frozenset[Grant]:
    """The user's roles, read once per request and cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_eduquality_grants", None)
    if cached is None:
        from schools.models import RoleAssignment

        rows = RoleAssignment.objects.filter(user=user).values_list("role", "school_id", "subject_id")
        cached = frozenset(Grant(*row) for row in rows)
        user._eduquality_grants = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return any(grant.role in roles for grant in grants_of(user))


def is_bureau(user) -> bool:
    """局机关: sees everything. A superuser counts as bureau staff."""
    return bool(getattr(user, "is_superuser", False) and user.is_active) or has_role(user, "bureau")


def is_inspector(user) -> bool:
    return has_role(user, "inspector")


def school_ids_for(user, *roles: str) -> set[int]:
    """Schools where the user holds any of `roles` (any school role when none are named)."""
    wanted = set(roles) or {"principal", "vice_principal", "academic_lead", "group_leader", "teacher"}
    return {grant.school_id for grant in grants_of(user) if grant.role in wanted and grant.school_id}


def school_leader_ids_for(user) -> set[int]:
    """Schools the user leads (校长, 副校长, 业务校长/教导主任): they see the whole school's data."""
    return school_ids_for(user, "principal", "vice_principal", "academic_lead")


def can_manage_registry(user) -> bool:
    """Create, edit and import registry records: bureau staff only."""
    return is_bureau(user)


def own_school_ids(user) -> set[int]:
    """The schools whose minors' data this user may see unmasked (their own)."""
    return school_ids_for(user)


class SchoolQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SchoolQuerySet":
        # Bureau staff and inspectors see the whole directory; school staff their own school.
        if is_bureau(user) or is_inspector(user):
            return self.all()
        return self.filter(pk__in=school_ids_for(user))


class TeacherQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TeacherQuerySet":
        if is_bureau(user) or is_inspector(user):
            return self.all()
        staff_schools = school_ids_for(user, "principal", "vice_principal", "academic_lead", "group_leader")
        own = models.Q(school_id__in=staff_schools)
        if has_role(user, "teacher"):
            own |= models.Q(user=user)
        return self.filter(own) if staff_schools or has_role(user, "teacher") else self.none()


class SchoolClassQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SchoolClassQuerySet":
        if is_bureau(user):
            return self.all()
        return self.filter(school_id__in=school_ids_for(user))


class TeachingGroupQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TeachingGroupQuerySet":
        if is_bureau(user) or is_inspector(user):
            return self.all()
        return self.filter(school_id__in=school_ids_for(user))


class StudentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "StudentQuerySet":
        """Minors' records: bureau staff (masked outside the school) and the school's own leaders
        and group leaders. Inspectors and teachers get none here."""
        if is_bureau(user):
            return self.all()
        return self.filter(
            school_id__in=school_ids_for(user, "principal", "vice_principal", "academic_lead", "group_leader")
        )
