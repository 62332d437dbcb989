"""Reads of reports, always scoped by the user; the roles a user holds over one report."""

from django.db.models import Q, QuerySet

from reports.models import ImprovementMeasure, Kind, Report, ReportPdf, Status
from reports.rules import DRAFT, measure_is_overdue, outsiders_may_read
from schools.models import District, School, Semester, Subject
from schools.scoping import grants_of, is_bureau, is_inspector, school_ids_for


def report_qs_for(*, user) -> QuerySet[Report]:
    """Bureau staff and 督学/教研员 read every report once it is submitted, and the district/city
    reports they write also as drafts (rules.outsiders_may_read). School staff read their school's
    reports as their role allows: leaders all of them, drafts included, a group leader their
    subject's, every teacher the accepted school report (it is written for all teachers)."""
    reports = Report.objects.select_related("school", "subject", "district", "semester", "author")
    leader_schools = school_ids_for(user, "principal", "academic_lead")
    visible = Q(school_id__in=leader_schools)
    if is_bureau(user) or is_inspector(user):
        visible |= ~Q(status=Status.DRAFT) | Q(kind__in=_kinds_drafted_by_bureau_side())
    for grant in grants_of(user):
        if grant.role == "group_leader":
            visible |= Q(kind=Kind.SUBJECT, school_id=grant.school_id, subject_id=grant.subject_id)
    visible |= Q(kind=Kind.SCHOOL, status=Status.ACCEPTED, school_id__in=school_ids_for(user))
    return reports.filter(visible)


def _kinds_drafted_by_bureau_side() -> list[str]:
    return [kind for kind in Kind.values if outsiders_may_read(kind, DRAFT)]


def roles_over(user, report: Report) -> frozenset[str]:
    """The user's roles that bear on this report's scope (the input of rules.allowed_actions)."""
    roles = set()
    if is_bureau(user):
        roles.add("bureau")
    if is_inspector(user):
        roles.add("inspector")
    for grant in grants_of(user):
        if report.school_id is None or grant.school_id != report.school_id:
            continue
        if grant.role == "group_leader" and grant.subject_id != report.subject_id:
            continue
        roles.add(grant.role)
    return frozenset(roles)


def pdfs_of(report: Report) -> QuerySet[ReportPdf]:
    return report.pdfs.select_related("rendered_by").order_by("-version")


def creatable_scopes(user, semester: Semester) -> list[dict]:
    """The reports this user may start for `semester` (or its school year): one entry per scope."""
    scopes = []
    grants = sorted(grants_of(user), key=lambda g: (g.role, g.school_id or 0, g.subject_id or 0))
    schools = School.objects.in_bulk({g.school_id for g in grants if g.school_id})
    subjects = Subject.objects.in_bulk({g.subject_id for g in grants if g.subject_id})
    for grant in grants:
        school = schools.get(grant.school_id)
        if grant.role == "group_leader":
            scopes.append({"kind": Kind.SUBJECT, "school": school, "subject": subjects[grant.subject_id]})
        elif grant.role == "academic_lead":
            scopes.append({"kind": Kind.SCHOOL, "school": school, "subject": None})
        elif grant.role == "principal":
            scopes.append({"kind": Kind.PRINCIPAL_SEMESTER, "school": school, "subject": None})
            scopes.append({"kind": Kind.PRINCIPAL_ACCOUNT, "school": school, "subject": None})
    if is_bureau(user) or is_inspector(user):
        scopes.append({"kind": Kind.DISTRICT, "district": None})
        scopes += [{"kind": Kind.DISTRICT, "district": d} for d in District.objects.order_by("code")]
    for scope in scopes:
        scope.setdefault("school", None)
        scope.setdefault("subject", None)
        scope.setdefault("district", None)
        scope["label"] = _scope_label(scope, semester)
    return scopes


def _scope_label(scope: dict, semester: Semester) -> str:
    kind = scope["kind"]
    if kind == Kind.DISTRICT:
        where = scope["district"].name if scope["district"] else "全市"
    elif kind == Kind.SUBJECT:
        where = f"{scope['school'].name}{scope['subject'].name}"
    else:
        where = scope["school"].name
    period = semester.academic_year_label if kind in {Kind.DISTRICT, Kind.PRINCIPAL_ACCOUNT} else str(semester)
    return f"{where} · {period} · {Kind(kind).label}"


def measures_by_school(*, semester, today) -> list[dict]:
    """Per school, the 改进措施 of its reports of `semester`, counted by state (overdue apart)."""
    rows: dict[int, dict] = {}
    measures = (
        ImprovementMeasure.objects.filter(report__semester=semester, report__school__isnull=False)
        .select_related("report__school")
        .order_by("report__school__code", "pk")
    )
    for m in measures:
        school = m.report.school
        row = rows.setdefault(
            school.pk,
            {"school": school.name, "school_id": school.pk, "reports": set(), "total": 0, "overdue": 0}
            | dict.fromkeys(ImprovementMeasure.State.values, 0),
        )
        row["reports"].add(m.report_id)
        row["total"] += 1
        row[m.state] += 1
        row["overdue"] += measure_is_overdue(m.state, m.due_on, today)
    for row in rows.values():
        row["reports"] = len(row["reports"])
    return list(rows.values())
