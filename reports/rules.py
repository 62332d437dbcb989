"""The report workflow as pure functions: who may do what at which stage. No ORM, no clock.

draft → submitted → returned (with comments) → submitted … → accepted. The author's roles edit and
submit a draft or a returned report; the reviewer's roles return or accept a submitted one.
"""

from collections.abc import Set
from dataclasses import dataclass

DRAFT, SUBMITTED, RETURNED, ACCEPTED = "draft", "submitted", "returned", "accepted"

EDIT, SUBMIT, RETURN, ACCEPT = "edit", "submit", "return", "accept"

# Seed 000 §二(四)1: the group leader writes for the school, the academic lead for the principal and
# the teachers, the research department (教研室, in our roles bureau staff and 教研员) for the bureau,
# and the principal accounts to the bureau.
AUTHOR_ROLES: dict[str, frozenset[str]] = {
    "subject": frozenset({"group_leader"}),
    "school": frozenset({"academic_lead"}),
    "district": frozenset({"bureau", "inspector"}),
    "principal_semester": frozenset({"principal"}),
    "principal_account": frozenset({"principal"}),
}
REVIEWER_ROLES: dict[str, frozenset[str]] = {
    "subject": frozenset({"academic_lead", "principal"}),
    "school": frozenset({"principal"}),
    "district": frozenset({"bureau"}),
    "principal_semester": frozenset({"bureau"}),
    "principal_account": frozenset({"bureau"}),
}

TRANSITIONS: dict[tuple[str, str], str] = {
    (DRAFT, SUBMIT): SUBMITTED,
    (RETURNED, SUBMIT): SUBMITTED,
    (SUBMITTED, RETURN): RETURNED,
    (SUBMITTED, ACCEPT): ACCEPTED,
}

ACTION_LABELS = {SUBMIT: "提交", RETURN: "退回修改", ACCEPT: "审阅通过"}


class TransitionError(ValueError):
    pass


# Roles outside the school: bureau staff and 督学/教研员 (who also write the district/city report).
BUREAU_SIDE = frozenset({"bureau", "inspector"})


def outsiders_may_read(kind: str, status: str) -> bool:
    """A report is its authors' until it is submitted: a school's draft is read by its own people
    only (its authors and the school's leaders), never by the bureau side; once submitted (also
    when returned afterwards, or accepted) the bureau side reads it. A district/city report is
    written by the bureau side itself, so its draft is theirs."""
    return status != DRAFT or bool(AUTHOR_ROLES[kind] & BUREAU_SIDE)


def is_editable(status: str) -> bool:
    return status in {DRAFT, RETURNED}


def allowed_actions(kind: str, status: str, roles: Set[str]) -> frozenset[str]:
    """What a person holding `roles` over this report's scope may do to it now."""
    actions = set()
    if roles & AUTHOR_ROLES[kind] and is_editable(status):
        actions |= {EDIT, SUBMIT}
    if roles & REVIEWER_ROLES[kind] and status == SUBMITTED:
        actions |= {RETURN, ACCEPT}
    return frozenset(actions)


def next_status(status: str, action: str) -> str:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise TransitionError(f"报告当前状态下不能执行“{ACTION_LABELS.get(action, action)}”。") from None


def missing_narrative(sections: dict[str, str]) -> list[str]:
    """The labels of narrative sections still empty (a report is submitted only when all are written)."""
    return [label for label, text in sections.items() if not (text or "").strip()]


# Seed 000 §二(四)1: the school and the region analyse their results in a 质量分析会 whose record
# belongs to the report.
MEETING_KINDS = frozenset({"school", "district"})


def missing_meeting(kind: str, meeting: dict[str, object], *, required: bool) -> list[str]:
    """The labels of the meeting record still empty, where policy (`required`) makes the meeting a
    condition of submitting a school or district/city report. `meeting` maps label → value."""
    if not required or kind not in MEETING_KINDS:
        return []
    return [label for label, value in meeting.items() if not str(value or "").strip()]


@dataclass(frozen=True)
class FilingState:
    """Where one expected report stands against its deadline (for the bureau's tracking page)."""

    label: str
    overdue: bool


def filing_state(status: str | None, due_on, today) -> FilingState:
    """`status` None: not even started. Filed means submitted or accepted."""
    if status in {SUBMITTED, ACCEPTED}:
        return FilingState("已提交" if status == SUBMITTED else "已通过", False)
    label = {None: "未开始", DRAFT: "草稿未提交", RETURNED: "退回待修改"}[status]
    return FilingState(label, bool(due_on and today and today > due_on))


# ---- The loop: 改进措施 followed up the next semester (检测 → 分析反馈 → 行为改进) -------------------


def previous_period(start_year: int, term: int | None) -> tuple[int, int | None]:
    """The period whose report's measures a report follows up: the semester before (term 1 of a
    school year follows term 2 of the year before), or the school year before for annual kinds."""
    if term is None:
        return start_year - 1, None
    return (start_year, 1) if term == 2 else (start_year - 1, 2)


def may_track_measures(kind: str, roles: Set[str]) -> bool:
    """Who records how a report's measures were carried out: its authors and its reviewers (the
    school's leaders for a school's reports, the bureau for the region's)."""
    return bool(roles & (AUTHOR_ROLES[kind] | REVIEWER_ROLES[kind]))


def measure_is_overdue(state: str, due_on, today) -> bool:
    """A measure past its deadline that is neither carried out (done) nor closed as not carried out."""
    return state not in {"done", "dropped"} and due_on is not None and today > due_on
