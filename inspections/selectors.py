"""Reads of inspection data, always scoped by the user (one selector per model), plus the two read
functions other apps use (`school_star_levels`, `school_inspection_summary`; see docs/inspections.md)."""

from django.db.models import Avg, Case, Count, F, Q, QuerySet, Value, When

from eduquality.listing import SortChoice
from inspections import rules
from inspections.models import (
    Attachment,
    Campaign,
    Draw,
    Notice,
    Observation,
    ObservationQuota,
    RectificationOrder,
    Rubric,
    Sanction,
    StarRating,
    Visit,
    VisitPhoto,
)
from schools.models import Role, RoleAssignment, School, Semester, Teacher
from schools.scoping import grants_of, has_role, is_bureau, is_inspector, school_ids_for, school_leader_ids_for

# ---- Who may do what ------------------------------------------------------------------------------------


def can_manage_inspections(user) -> bool:
    """Rubrics, campaigns, draws, notices, orders, sanctions, quotas: bureau staff."""
    return is_bureau(user)


def sees_city_ratings(user) -> bool:
    return is_bureau(user) or is_inspector(user)


def can_observe(user) -> bool:
    """Observers at the three levels: bureau, inspectors/researchers, school leaders and group leaders."""
    return is_bureau(user) or has_role(
        user, "inspector", "principal", "vice_principal", "academic_lead", "group_leader"
    )


def can_fill_visit(user, visit: Visit) -> bool:
    return not visit.is_locked and visit.inspectors.filter(pk=user.pk).exists()


def quota_school_ids(user) -> set[int]:
    """Schools whose own (higher) observation quotas the user sets: their principal's."""
    return school_ids_for(user, "principal")


def can_answer_order(user, order: RectificationOrder) -> bool:
    return order.status in ("open", "overdue") and order.school_id in school_ids_for(user, "principal")


def can_verify_order(user, order: RectificationOrder) -> bool:
    if order.status != "answered":
        return False
    if is_bureau(user):
        return True
    return is_inspector(user) and Visit.objects.filter(school_id=order.school_id, inspectors=user).exists()


# ---- Scoped querysets ------------------------------------------------------------------------------------


def rubric_qs_for(*, user) -> QuerySet[Rubric]:
    return Rubric.objects.all() if user.is_authenticated else Rubric.objects.none()


def campaign_qs_for(*, user) -> QuerySet[Campaign]:
    """Campaigns and their draws are public to every signed-in user (双随机、一公开)."""
    return Campaign.objects.select_related("semester", "rubric", "created_by", "draw__run_by")


def visit_qs_for(*, user) -> QuerySet[Visit]:
    """Bureau: all. Inspector: the visits assigned to them. School leaders: their school's submitted visits."""
    visits = Visit.objects.select_related("school__district", "campaign", "semester", "rubric")
    if is_bureau(user):
        return visits
    condition = Q(pk__in=[])
    if is_inspector(user):
        condition |= Q(pk__in=Visit.inspectors.through.objects.filter(user_id=user.pk).values("visit_id"))
    leader_schools = school_leader_ids_for(user)
    if leader_schools:
        condition |= Q(school_id__in=leader_schools, status=Visit.Status.SUBMITTED)
    return visits.filter(condition)


def order_qs_for(*, user) -> QuerySet[RectificationOrder]:
    """Bureau: all. Inspector: orders of the schools they inspect. School leaders: their school's."""
    orders = RectificationOrder.objects.select_related("school__district", "visit", "notice")
    if is_bureau(user):
        return orders
    condition = Q(pk__in=[])
    if is_inspector(user):
        condition |= Q(school__inspection_visits__inspectors=user)
    leader_schools = school_leader_ids_for(user)
    if leader_schools:
        condition |= Q(school_id__in=leader_schools)
    return orders.filter(condition).distinct()


def observation_qs_for(*, user) -> QuerySet[Observation]:
    """Bureau: all. Everyone: the ones they observed. School leaders: their school's. Group leaders:
    their school's lessons of their subject. Teachers: their own lessons."""
    observations = Observation.objects.select_related("teacher", "school", "subject", "observer", "semester")
    if is_bureau(user):
        return observations
    condition = Q(observer=user)
    leader_schools = school_leader_ids_for(user)
    if leader_schools:
        condition |= Q(school_id__in=leader_schools)
    for grant in grants_of(user):
        if grant.role == "group_leader":
            condition |= Q(school_id=grant.school_id, subject_id=grant.subject_id)
    if has_role(user, "teacher"):
        condition |= Q(teacher__user=user)
    return observations.filter(condition)


def attachment_qs_for(*, user) -> QuerySet[Attachment]:
    """An attachment is visible with its visit or its rectification order."""
    return Attachment.objects.filter(
        Q(visit__in=visit_qs_for(user=user).values("pk")) | Q(order__in=order_qs_for(user=user).values("pk"))
    )


def photo_qs_for(*, user) -> QuerySet[VisitPhoto]:
    """A visit photo is visible with its visit."""
    return VisitPhoto.objects.filter(visit__in=visit_qs_for(user=user).values("pk"))


def teacher_for_file(*, user, pk: int) -> Teacher:
    """A teacher whose classroom-teaching file the user may open (the registry's scope)."""
    from django.shortcuts import get_object_or_404

    teacher = get_object_or_404(Teacher.objects.visible_to(user).select_related("school"), pk=pk)
    return teacher


def draws_public() -> QuerySet[Draw]:
    return Draw.objects.select_related("campaign__semester", "run_by").order_by("-run_at")


def notice_qs_for(*, user) -> QuerySet[Notice]:
    """Notices are bureau documents sent to schools: bureau and inspectors see all, a school its own."""
    if is_bureau(user) or is_inspector(user):
        return Notice.objects.all()
    return Notice.objects.filter(schools__in=school_ids_for(user)).distinct()


def notices_for_year(*, start_year: int) -> QuerySet[Notice]:
    return Notice.objects.filter(start_year=start_year)


def order_status_counts(orders: QuerySet[RectificationOrder]) -> dict[str, int]:
    """整改看板 cards: how many of `orders` (already scoped and filtered) are in each status (one query)."""
    counts = dict(orders.order_by().values_list("status").annotate(n=Count("pk", distinct=True)))
    return {value: counts.get(value, 0) for value in RectificationOrder.Status.values}


# The 整改看板's sortable columns (?sort=key or -key); "urgency" is the default.
ORDER_SORTS = {
    "urgency": ("urgency", "deadline", "pk"),
    "school": ("school__name", "pk"),
    "district": ("school__district__code", "school__name", "pk"),
    "issued": ("issued_at", "pk"),
    "deadline": ("deadline", "pk"),
    "status": ("status_rank", "deadline", "pk"),
    "urged": ("urge_count", "deadline", "pk"),
}


def sorted_orders(orders: QuerySet[RectificationOrder], *, sort: SortChoice, today) -> QuerySet[RectificationOrder]:
    """`orders` in the order of `sort`. Urgency: unanswered orders past their deadline first (the
    longest overdue first), then unanswered orders by nearest deadline, then answered orders waiting
    for verification, verified orders last (listing.urgency_key with the answered step in between)."""
    done = ("answered", "verified")
    orders = orders.annotate(
        urgency=Case(
            When(status="verified", then=Value(3)),
            When(status="answered", then=Value(2)),
            When(~Q(status__in=done) & Q(deadline__lt=today), then=Value(0)),
            default=Value(1),
        ),
        status_rank=Case(
            *(When(status=value, then=Value(rank)) for rank, value in enumerate(("overdue", "open", "answered"))),
            default=Value(3),
        ),
    )
    fields = ORDER_SORTS[sort.key]
    return orders.order_by(*(F(name).desc() if sort.descending else F(name).asc() for name in fields))


# ---- Tables ---------------------------------------------------------------------------------------------


def star_table(*, start_year: int) -> QuerySet[StarRating]:
    return StarRating.objects.filter(start_year=start_year).select_related("school__district", "school__school_type")


def star_rating_qs_for(*, user) -> QuerySet[StarRating]:
    """Star ratings: bureau staff and inspectors every school's, school leaders their own school's."""
    ratings = StarRating.objects.select_related("school")
    if sees_city_ratings(user):
        return ratings
    return ratings.filter(school_id__in=school_leader_ids_for(user))


def rating_years() -> list[int]:
    return list(StarRating.objects.order_by("-start_year").values_list("start_year", flat=True).distinct())


def quota_lines() -> list[rules.QuotaLine]:
    return [
        rules.QuotaLine(role, lessons, semester_id, school_id)
        for role, lessons, semester_id, school_id in ObservationQuota.objects.values_list(
            "role", "lessons", "semester_id", "school_id"
        )
    ]


def quota_table(*, semester: Semester, school_ids=None) -> list[dict]:
    """Every holder of a role with a quota this semester (the city's line, or their school's higher one),
    their observations this semester and progress; behind first. Three queries whatever the number
    of people."""
    lines = quota_lines()
    roles = {line.role for line in lines}
    assignments = (
        RoleAssignment.objects.filter(role__in=roles, school__isnull=False)
        .select_related("user", "school")
        .order_by("school__code", "role")
    )
    if school_ids is not None:
        assignments = assignments.filter(school_id__in=school_ids)
    done = dict(
        Observation.objects.filter(semester=semester)
        .values("observer_id")
        .annotate(n=Count("pk"))
        .values_list("observer_id", "n")
    )
    rows = []
    for assignment in assignments:
        quota = rules.effective_quota(
            lines, role=assignment.role, semester_id=semester.pk, school_id=assignment.school_id
        )
        if quota is None:
            continue
        count = done.get(assignment.user_id, 0)
        rows.append(
            {
                "user": assignment.user,
                "school": assignment.school,
                "role": Role(assignment.role).label,
                "quota": quota,
                "done": count,
                "progress": rules.quota_progress(count, quota),
                "behind": count < quota,
            }
        )
    rows.sort(key=lambda row: (not row["behind"], row["progress"]))
    return rows


def my_quota(*, user, semester: Semester | None) -> dict | None:
    """The user's highest quota this semester among their roles (the school's own line where higher)."""
    if semester is None:
        return None
    lines = quota_lines()
    owed = [
        rules.effective_quota(lines, role=grant.role, semester_id=semester.pk, school_id=grant.school_id)
        for grant in grants_of(user)
    ]
    owed = [quota for quota in owed if quota is not None]
    if not owed:
        return None
    quota = max(owed)
    done = Observation.objects.filter(semester=semester, observer=user).count()
    return {"quota": quota, "done": done, "progress": rules.quota_progress(done, quota)}


# ---- Read API for other apps -------------------------------------------------------------------------------


def school_star_levels(*, school_year: str) -> dict[int, int]:
    """School id → star level (0–5) for the school year ('2025-2026'); only schools with a rating."""
    start_year = rules.parse_school_year(school_year)
    return dict(StarRating.objects.filter(start_year=start_year).values_list("school_id", "star_level"))


def school_inspection_summary(*, school, semester) -> dict:
    """One school's inspection figures for a semester: its star level for the semester's school year
    (None when unrated), submitted visits and lesson observations in the semester, and rectification
    orders not yet verified (open, answered or overdue)."""
    rating = StarRating.objects.filter(school=school, start_year=semester.start_year).first()
    return {
        "star_level": rating.star_level if rating else None,
        # As a reader expects it printed: ★★★☆☆（三星级）, not a bare 3.
        "star_label": rules.star_label(rating.star_level if rating else None),
        "visits": Visit.objects.filter(school=school, semester=semester, status=Visit.Status.SUBMITTED).count(),
        "observations": Observation.objects.filter(school=school, semester=semester).count(),
        "open_rectifications": RectificationOrder.objects.filter(school=school)
        .exclude(status=RectificationOrder.Status.VERIFIED)
        .count(),
    }


def school_history(*, school: School) -> dict:
    """A school's star levels by year, its visits, notices, orders and sanctions (a fixed number of queries)."""
    return {
        "ratings": list(StarRating.objects.filter(school=school).order_by("-start_year")),
        "visits": list(
            Visit.objects.filter(school=school, status=Visit.Status.SUBMITTED)
            .select_related("campaign", "semester")
            .order_by("-visited_on")
        ),
        "orders": list(RectificationOrder.objects.filter(school=school).order_by("-issued_at")),
        "sanctions": list(Sanction.objects.filter(school=school).select_related("decided_by")),
        "notices": list(Notice.objects.filter(schools=school)),
        "visit_stats": Visit.objects.filter(school=school, status=Visit.Status.SUBMITTED).aggregate(
            n=Count("pk"), mean=Avg("total")
        ),
    }
