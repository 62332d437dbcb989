"""Who has filed which report by the deadline (the bureau's 报送情况 page)."""

from reports import rules
from reports.models import ANNUAL_KINDS, Deadline, Kind, Report
from schools.models import School, Semester, TeachingGroup


def _period(kind: str, semester: Semester) -> dict:
    return {"start_year": semester.start_year, "semester": None if kind in ANNUAL_KINDS else semester}


def deadline_of(*, kind: str, semester: Semester) -> Deadline | None:
    return Deadline.objects.filter(kind=kind, **_period(kind, semester)).first()


def filing_rows(*, kind: str, semester: Semester, today) -> list[dict]:
    """One row per expected report: every active school, or every teaching group for subject reports."""
    deadline = deadline_of(kind=kind, semester=semester)
    due_on = deadline.due_on if deadline else None
    reports = {
        (r.school_id, r.subject_id): r
        for r in Report.objects.filter(kind=kind, **_period(kind, semester)).select_related("author")
    }
    if kind == Kind.SUBJECT:
        expected = [
            (group.school, group.subject)
            for group in TeachingGroup.objects.filter(school__is_active=True)
            .select_related("school__district", "subject")
            .order_by("school__code", "subject__order")
        ]
    else:
        expected = [(school, None) for school in School.objects.filter(is_active=True).select_related("district")]
    rows = []
    for school, subject in expected:
        report = reports.get((school.pk, subject.pk if subject else None))
        state = rules.filing_state(report.status if report else None, due_on, today)
        rows.append(
            {
                "school": school,
                "subject": subject,
                "report": report,
                "state": state,
                "filed": report is not None and report.status in {rules.SUBMITTED, rules.ACCEPTED},
                # The bureau opens a report once submitted; a draft is still the school's.
                "readable": report is not None and rules.outsiders_may_read(kind, report.status),
            }
        )
    return rows


def unfiled_schools(*, kind: str, semester: Semester) -> list[School]:
    seen, schools = set(), []
    for row in filing_rows(kind=kind, semester=semester, today=None):
        if not row["filed"] and row["school"].pk not in seen:
            seen.add(row["school"].pk)
            schools.append(row["school"])
    return schools
