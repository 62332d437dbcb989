"""The cockpit's report figure (see eduquality/figures.py): how far the schools of the scope have
filed each kind of school report of the current period against its deadline (报送进度)."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from eduquality.figures import figure
from reports import rules
from reports.models import ANNUAL_KINDS, Deadline, Kind, Report
from schools.dashboard import SCHOOL, Scope
from schools.models import School, Semester, TeachingGroup

# The reports schools file (the district report is the bureau's own), with the short names of the chart.
FILED_KINDS = (Kind.SUBJECT, Kind.SCHOOL, Kind.PRINCIPAL_SEMESTER, Kind.PRINCIPAL_ACCOUNT)
SHORT_NAMES = {
    Kind.SUBJECT: "学科报告",
    Kind.SCHOOL: "全校报告",
    Kind.PRINCIPAL_SEMESTER: "学期工作报告",
    Kind.PRINCIPAL_ACCOUNT: "校长述职",
}


@dataclass(frozen=True)
class Progress:
    """One kind of report: of `expected`, how many are filed, begun (draft or returned) and not begun;
    after the deadline every report not filed is overdue."""

    kind: str
    expected: int
    filed: int
    begun: int
    due_on: object
    overdue: int

    @property
    def waiting(self) -> int:
        """Not filed and not yet late."""
        return self.expected - self.filed - self.overdue


def filing_progress(kind: str, expected: int, statuses: dict[str, int], due_on, today) -> Progress:
    """`statuses`: the number of existing reports per status. Reports beyond `expected` (e.g. of a
    school closed since) count as filed but never make the figures exceed it."""
    filed = min(expected, statuses.get(rules.SUBMITTED, 0) + statuses.get(rules.ACCEPTED, 0))
    begun = min(expected - filed, statuses.get(rules.DRAFT, 0) + statuses.get(rules.RETURNED, 0))
    late = bool(due_on and today and today > due_on)
    return Progress(kind, expected, filed, begun, due_on, (expected - filed) if late else 0)


def progress_for(scope: Scope, semester: Semester, today) -> list[Progress]:
    """Four queries: schools, teaching groups, reports by kind and status, deadlines."""
    period = Q(start_year=semester.start_year) & (
        Q(semester=semester) | Q(semester__isnull=True, kind__in=ANNUAL_KINDS)
    )
    schools = School.objects.filter(is_active=True, **scope.school_filter())
    school_count = schools.count()
    group_count = TeachingGroup.objects.filter(school__in=schools).count()
    counts = {}
    rows = Report.objects.filter(period, kind__in=FILED_KINDS, school__in=schools).order_by()
    for kind, status, n in rows.values_list("kind", "status").annotate(n=Count("pk")):
        counts.setdefault(kind, {})[status] = n
    deadlines = dict(Deadline.objects.filter(period, kind__in=FILED_KINDS).values_list("kind", "due_on"))
    return [
        filing_progress(
            kind,
            group_count if kind == Kind.SUBJECT else school_count,
            counts.get(kind, {}),
            deadlines.get(kind),
            today,
        )
        for kind in FILED_KINDS
    ]


def filing_figure(scope: Scope, user_is_bureau: bool) -> dict | None:
    semester = Semester.objects.filter(is_current=True).first()
    if semester is None:
        return None
    progress = [p for p in progress_for(scope, semester, timezone.localdate()) if p.expected]
    categories = [SHORT_NAMES[p.kind] + (f"（{p.due_on:%m-%d}）" if p.due_on else "") for p in progress]
    if user_is_bureau:
        urls = [f"{reverse('reports:tracking')}?kind={p.kind}&semester={semester.pk}" for p in progress]
        links = [("报送情况与催报", reverse("reports:tracking"))]
    else:
        urls = [f"{reverse('reports:report-list')}?kind={p.kind}" for p in progress]
        links = [("质量分析报告", reverse("reports:report-list"))]
    overdue = sum(p.overdue for p in progress)
    return figure(
        key="filing",
        title=f"报告报送进度（{semester}）",
        chart="stack",
        order=20,
        categories=categories,
        series=[
            {"name": "已报送", "data": [p.filed for p in progress], "color": "#2e9d5b"},
            {"name": "未报送", "data": [p.waiting for p in progress], "color": "#b0b8c1"},
            {"name": "逾期未报", "data": [p.overdue for p in progress], "color": "#c0392b"},
        ],
        urls=urls,
        axis="份",
        horizontal=True,
        facts=[
            {
                "label": "已报送",
                "value": f"{sum(p.filed for p in progress)}/{sum(p.expected for p in progress)}",
                "url": links[0][1],
                "tone": "success",
            },
            {"label": "逾期未报", "value": overdue, "url": links[0][1], "tone": "danger" if overdue else ""},
        ],
        links=links,
        note="括号内为截止日期；未设截止日期的报告不计逾期。",
        empty="本学期没有应报送的报告。",
        # A school's leaders see three figures: this one takes the first row alone.
        wide=scope.level == SCHOOL and not scope.sees_all,
    )
