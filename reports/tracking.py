"""Who has filed which report by the deadline (the bureau's 报送情况 page)."""

from eduquality.listing import SortChoice, urgency_key
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
        code = report.status if report else NOT_STARTED
        rows.append(
            {
                "school": school,
                "subject": subject,
                "report": report,
                "state": state,
                "code": code,
                "tone": "danger" if state.overdue else FILING_TONES[code],
                "filed": report is not None and report.status in {rules.SUBMITTED, rules.ACCEPTED},
                # The bureau opens a report once submitted; a draft is still the school's.
                "readable": report is not None and rules.outsiders_may_read(kind, report.status),
                "due_on": due_on,
            }
        )
    return rows


NOT_STARTED = "none"
# Where each expected report stands, in the order of how much is left to do (also the cards' order).
FILING_STATES = [
    (NOT_STARTED, "未开始"),
    (rules.DRAFT, "草稿未提交"),
    (rules.RETURNED, "退回待修改"),
    (rules.SUBMITTED, "已提交"),
    (rules.ACCEPTED, "已通过"),
]
FILING_TONES = {
    NOT_STARTED: "secondary",
    rules.DRAFT: "warning",
    rules.RETURNED: "warning",
    rules.SUBMITTED: "info",
    rules.ACCEPTED: "success",
}
STATE_RANK = {code: rank for rank, (code, _) in enumerate(FILING_STATES)}
# ?state= filters: one of the states, or every unfiled report, or the unfiled ones past the deadline.
STATE_FILTERS = [("unfiled", "未报送"), ("overdue", "逾期未报"), *FILING_STATES]


def row_matches(row: dict, *, state: str = "", district: int | None = None, text: str = "") -> bool:
    """Whether a tracking row passes the page's filters (state as in STATE_FILTERS)."""
    if state == "unfiled" and row["filed"]:
        return False
    if state == "overdue" and not row["state"].overdue:
        return False
    if state not in ("", "unfiled", "overdue") and row["code"] != state:
        return False
    if district is not None and row["school"].district_id != district:
        return False
    return not text or text in row["school"].name or text in row["school"].code


def state_counts(rows: list[dict]) -> dict[str, int]:
    counts = {code: 0 for code, _ in STATE_FILTERS}
    for row in rows:
        counts[row["code"]] += 1
        counts["unfiled"] += not row["filed"]
        counts["overdue"] += row["state"].overdue
    return counts


# The tracking table's sortable columns (?sort=key or -key); "urgency" is the default.
SORT_KEYS = {
    "urgency": lambda row, today: (
        urgency_key(done=row["filed"], due_on=row["due_on"], today=today),
        STATE_RANK[row["code"]],
        row["school"].code,
    ),
    "school": lambda row, today: (row["school"].code, row["subject"].order if row["subject"] else 0),
    "district": lambda row, today: (row["school"].district.code, row["school"].code),
    "state": lambda row, today: (not row["state"].overdue, STATE_RANK[row["code"]], row["school"].code),
    "submitted": lambda row, today: (
        row["report"] is None or row["report"].submitted_at is None,
        row["report"].submitted_at if row["report"] and row["report"].submitted_at else 0,
        row["school"].code,
    ),
}


def sort_rows(rows: list[dict], *, sort: SortChoice, today) -> list[dict]:
    """Urgency: unfiled reports first (past the deadline, then by the deadline), the least advanced
    first (not started, draft, returned), filed reports last; or by a clicked column."""
    key = SORT_KEYS[sort.key]
    return sorted(rows, key=lambda row: key(row, today), reverse=sort.descending)


def unfiled_schools(*, kind: str, semester: Semester) -> list[School]:
    seen, schools = set(), []
    for row in filing_rows(kind=kind, semester=semester, today=None):
        if not row["filed"] and row["school"].pk not in seen:
            seen.add(row["school"].pk)
            schools.append(row["school"])
    return schools
