"""Reads of teaching research, always scoped by the user; the semester and city tables of the duties.

Who sees which activity: bureau staff and inspectors/researchers (督学/教研员) every one; school staff
the activities their school organised, the ones a teacher of their school is on, their zone's and the
city's.
Who writes: bureau staff any level; researchers city and zone activities; a school's principal or
academic lead their school's (school, group, inter-school, zone); a group leader their group's.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber, TruncDate

from inspections.models import Observation
from research import rules
from research.models import Activity, ActivityAttachment, GrowthRecord, Participation, ReadingEntry, RuleLine
from schools.models import ResearchLiaison, School, Semester, Teacher, TeachingGroup
from schools.scoping import grants_of, has_role, is_bureau, is_inspector, school_ids_for, school_leader_ids_for

# ---- Who may do what ------------------------------------------------------------------------------------


def sees_all(user) -> bool:
    return is_bureau(user) or is_inspector(user)


def group_leader_grants(user) -> list[tuple[int, int]]:
    """(school id, subject id) of the groups the user leads."""
    return [(g.school_id, g.subject_id) for g in grants_of(user) if g.role == "group_leader"]


def can_organise(user) -> bool:
    return sees_all(user) or bool(school_leader_ids_for(user)) or bool(group_leader_grants(user))


def levels_for(user) -> list[str]:
    """The levels of activity the user may organise."""
    if is_bureau(user):
        return list(Activity.Level.values)
    levels = []
    if school_leader_ids_for(user):
        levels += ["group", "school", "inter_school", "zone"]
    elif group_leader_grants(user):
        levels += ["group"]
    if is_inspector(user):
        levels += [level for level in ("zone", "city") if level not in levels]
    return levels


def organisable_groups(user) -> QuerySet[TeachingGroup]:
    groups = TeachingGroup.objects.select_related("school", "subject")
    if is_bureau(user):
        return groups
    condition = Q(school_id__in=school_leader_ids_for(user))
    for school_id, subject_id in group_leader_grants(user):
        condition |= Q(school_id=school_id, subject_id=subject_id)
    return groups.filter(condition)


def organisable_schools(user) -> QuerySet[School]:
    if is_bureau(user):
        return School.objects.filter(is_active=True)
    ids = school_leader_ids_for(user) | {school_id for school_id, _ in group_leader_grants(user)}
    return School.objects.filter(pk__in=ids)


def can_edit_activity(user, activity: Activity) -> bool:
    """The bureau; the organiser; the leaders of the organising school; a researcher for city/zone ones."""
    if is_bureau(user) or activity.organiser_id == user.pk:
        return True
    if activity.school_id and activity.school_id in school_leader_ids_for(user):
        return True
    if activity.level == "group" and (activity.school_id, activity.subject_id) in group_leader_grants(user):
        return True
    return is_inspector(user) and activity.level in ("city", "zone") and activity.school_id is None


def participant_school_ids(activity: Activity) -> set[int] | None:
    """The schools whose teachers may be on the activity (None: any school): the organiser's scope."""
    if activity.level in ("group", "school"):
        return {activity.school_id}
    if activity.level == "zone":
        return set(School.objects.filter(zone_id=activity.zone_id).values_list("pk", flat=True))
    if activity.level == "inter_school":
        return set(School.objects.filter(district_id=activity.school.district_id).values_list("pk", flat=True))
    return None


def participant_choices(activity: Activity | None, *, user) -> QuerySet[Teacher]:
    """The teachers the form offers: the user's scope (the service checks the activity's)."""
    teachers = Teacher.objects.filter(is_active=True).select_related("school").order_by("school__code", "name")
    if sees_all(user):
        return teachers
    return teachers.filter(school_id__in=school_ids_for(user, "principal", "academic_lead", "group_leader"))


# ---- Scoped querysets ------------------------------------------------------------------------------------


def activity_qs_for(*, user) -> QuerySet[Activity]:
    activities = Activity.objects.select_related(
        "activity_type", "subject", "school", "group__subject", "group__school", "zone", "organiser", "semester"
    )
    if sees_all(user):
        return activities
    schools = school_ids_for(user)
    if not schools:
        return activities.none()
    on_list = Participation.objects.filter(teacher__school_id__in=schools).values("activity_id")
    own_zones = School.objects.filter(pk__in=schools, zone__isnull=False).values("zone_id")
    return activities.filter(
        Q(school_id__in=schools) | Q(pk__in=on_list) | Q(level="city") | Q(level="zone", zone_id__in=own_zones)
    )


def attachment_qs_for(*, user) -> QuerySet[ActivityAttachment]:
    return ActivityAttachment.objects.filter(activity__in=activity_qs_for(user=user).values("pk"))


def own_teacher(user) -> Teacher | None:
    if not user.is_authenticated:
        return None
    return Teacher.objects.filter(user=user).select_related("school").first()


def pending_confirmations(*, user) -> QuerySet[Participation]:
    """The activities a teacher is on and has not yet confirmed, soonest first."""
    return (
        Participation.objects.filter(teacher__user=user, status=Participation.Status.INVITED)
        .select_related("activity__activity_type")
        .order_by("activity__starts_at")
    )


# ---- The duties ---------------------------------------------------------------------------------------------


def rule_lines() -> dict[str, Decimal]:
    return dict(RuleLine.objects.values_list("code", "threshold"))


def _facts_by_school(school_ids, semester: Semester) -> dict[int, list[rules.ActivityFact]]:
    """Per school: the activities it organised in the semester, and the city ones its teachers attended
    (two queries)."""
    facts: dict[int, list[rules.ActivityFact]] = defaultdict(list)
    # The local day is computed by the database (in the current time zone), not per row in Python.
    organised = (
        Activity.objects.filter(semester=semester, school_id__in=school_ids)
        .annotate(day=TruncDate("starts_at"))
        .values_list("pk", "activity_type__code", "level", "day", "hours", "group_id", "school_id")
    )
    for pk, code, level, day, hours, group_id, school_id in organised:
        facts[school_id].append(rules.ActivityFact(pk, code, level, day, hours, group_id))
    rows = (
        Participation.objects.filter(
            activity__semester=semester,
            activity__level="city",
            status=Participation.Status.CONFIRMED,
            teacher__school_id__in=school_ids,
        )
        .annotate(day=TruncDate("activity__starts_at"))
        .values_list("teacher__school_id", "activity_id", "activity__activity_type__code", "day", "activity__hours")
        .distinct()
    )
    for school_id, pk, code, day, hours in rows:
        facts[school_id].append(rules.ActivityFact(pk, code, "city", day, hours))
    return facts


def _groups_by_school(school_ids) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for pk, school_id in TeachingGroup.objects.filter(school_id__in=school_ids).values_list("pk", "school_id"):
        groups[school_id].append(pk)
    return groups


def _bounds(semester: Semester, as_of: date) -> tuple[date, date]:
    start = semester.starts_on or date(semester.start_year + (semester.term == 2), 9 if semester.term == 1 else 3, 1)
    end = semester.ends_on or as_of
    return start, end


def semester_results(*, school_ids, semester: Semester, as_of: date) -> dict[int, list[rules.RuleResult]]:
    """School id → its duties' results for the semester (a fixed number of queries for any number)."""
    lines = rule_lines()
    facts = _facts_by_school(school_ids, semester)
    groups = _groups_by_school(school_ids)
    start, end = _bounds(semester, as_of)
    return {
        school_id: rules.school_semester(
            facts.get(school_id, []),
            group_ids=groups.get(school_id, []),
            start=start,
            end=end,
            as_of=as_of,
            lines=lines,
        )
        for school_id in school_ids
    }


def school_semester_table(*, school: School, semester: Semester, as_of: date) -> list[dict]:
    """One row per duty: its line, figure, met or not, and the activities that are its evidence."""
    results = semester_results(school_ids=[school.pk], semester=semester, as_of=as_of)[school.pk]
    lines = {line.code: line for line in RuleLine.objects.all()}
    evidence_ids = {pk for result in results for pk in result.evidence}
    activities = Activity.objects.filter(pk__in=evidence_ids).select_related("activity_type").in_bulk()
    return [
        {
            "line": lines[result.code],
            "result": result,
            "activities": sorted(
                (activities[pk] for pk in result.evidence if pk in activities),
                key=lambda a: a.starts_at,
            ),
        }
        for result in results
    ]


def city_table(*, semester: Semester, as_of: date, schools: QuerySet[School]) -> list[dict]:
    schools = list(schools.select_related("district", "zone"))
    results = semester_results(school_ids=[s.pk for s in schools], semester=semester, as_of=as_of)
    rows = []
    for school in schools:
        school_results = results[school.pk]
        rows.append(
            {
                "school": school,
                "results": school_results,
                "met": sum(r.met for r in school_results),
                "total": len(school_results),
            }
        )
    return rows


# ---- Growth file ---------------------------------------------------------------------------------------------


def growth_file(*, teacher: Teacher, start_year: int, as_of: date) -> dict:
    """A teacher's year: 六个一, reading, activity hours, observations given and received, honours."""
    records = {r.task: r for r in GrowthRecord.objects.filter(teacher=teacher, start_year=start_year)}
    reading = list(ReadingEntry.objects.filter(teacher=teacher, start_year=start_year).select_related("book"))
    attended = Participation.objects.filter(
        teacher=teacher, status=Participation.Status.CONFIRMED, activity__semester__start_year=start_year
    )
    hours = attended.aggregate(total=Sum("activity__hours"))["total"] or Decimal(0)
    received = Observation.objects.filter(teacher=teacher, semester__start_year=start_year)
    given = (
        Observation.objects.filter(observer_id=teacher.user_id, semester__start_year=start_year)
        if teacher.user_id
        else Observation.objects.none()
    )
    honours = teacher.honour_records.filter(year__in=[start_year, start_year + 1]).select_related("honour")
    target = rules.reading_target(start_year, as_of)
    return {
        "records": records,
        "reading": reading,
        "reading_target": target,
        "hours": hours,
        "activities": list(attended.select_related("activity__activity_type").order_by("activity__starts_at")[:50]),
        "received": list(received.select_related("observer", "subject").order_by("observed_on")),
        "given": list(given.select_related("teacher", "subject").order_by("observed_on")),
        "honours": list(honours),
        "done": len(records),
    }


def school_growth_table(*, school_ids, start_year: int) -> list[dict]:
    """The school's teachers with their 六个一 done, books read and confirmed hours (three queries)."""
    teachers = list(Teacher.objects.filter(school_id__in=school_ids, is_active=True).select_related("school"))
    ids = [t.pk for t in teachers]
    done = dict(
        GrowthRecord.objects.filter(teacher_id__in=ids, start_year=start_year)
        .values("teacher_id")
        .annotate(n=Count("pk"))
        .values_list("teacher_id", "n")
    )
    books = dict(
        ReadingEntry.objects.filter(teacher_id__in=ids, start_year=start_year)
        .values("teacher_id")
        .annotate(n=Count("pk"))
        .values_list("teacher_id", "n")
    )
    hours = dict(
        Participation.objects.filter(
            teacher_id__in=ids, status=Participation.Status.CONFIRMED, activity__semester__start_year=start_year
        )
        .values("teacher_id")
        .annotate(h=Sum("activity__hours"))
        .values_list("teacher_id", "h")
    )
    return [
        {
            "teacher": t,
            "done": done.get(t.pk, 0),
            "completion": rules.completion(done.get(t.pk, 0), 6),
            "books": books.get(t.pk, 0),
            "hours": hours.get(t.pk) or Decimal(0),
        }
        for t in teachers
    ]


def teacher_for_growth(*, user, pk: int) -> Teacher:
    """A teacher whose growth file the user may open: their own, their school's (leaders), all (bureau and
    researchers)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Teacher.objects.visible_to(user).select_related("school"), pk=pk)


# ---- Researcher liaison ----------------------------------------------------------------------------------------


def liaison_qs_for(*, user) -> QuerySet[ResearchLiaison]:
    liaisons = ResearchLiaison.objects.select_related("researcher", "school__district", "subject")
    if is_bureau(user):
        return liaisons
    if is_inspector(user):
        return liaisons.filter(researcher=user)
    return liaisons.filter(school_id__in=school_leader_ids_for(user))


def my_liaison_schools(*, user, on: date) -> list[School]:
    ids = ResearchLiaison.objects.on(on).filter(researcher=user).values("school_id")
    return list(School.objects.filter(pk__in=ids).select_related("district", "zone"))


def recent_activities(*, school_ids: list[int], semester: Semester, per_school: int = 3) -> dict[int, list[Activity]]:
    """Each school's latest `per_school` activities of the semester, in one query."""
    latest = (
        Activity.objects.filter(school_id__in=school_ids, semester=semester)
        .select_related("activity_type")
        .annotate(
            recency=Window(RowNumber(), partition_by=[F("school_id")], order_by=[F("starts_at").desc(), F("pk").desc()])
        )
        .filter(recency__lte=per_school)
        .order_by("school_id", "recency")
    )
    by_school = {school_id: [] for school_id in school_ids}
    for activity in latest:
        by_school[activity.school_id].append(activity)
    return by_school


def is_teacher(user) -> bool:
    return has_role(user, "teacher")
