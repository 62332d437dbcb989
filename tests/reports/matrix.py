"""The reports app's rows of the URL × role matrix (see tests/matrix.py)."""

from django.core.files.base import ContentFile
from django.urls import reverse

from reports.models import ImprovementMeasure, Kind, ReportPdf, Status
from tests.matrix import BUREAU_ONLY, POST_ONLY, statuses
from tests.reports.factories import ReportFactory

# School A's submitted school report: bureau and 教研员 read every report, A's leaders theirs; the
# group leader and teachers see a school report only once accepted; nobody has no role at all.
REPORT_READERS = statuses(200, nobody=403, group_leader=404, teacher=404)
# Editing a submitted report: nobody may (the author's turn is over) — outsiders 404 first.
REPORT_EDIT = statuses(403, nobody=403, group_leader=404, teacher=404)

EXPECTED = {
    "reports:report-list": statuses(200, nobody=403),
    "reports:report-export": statuses(200, nobody=403),
    "reports:report-create": statuses(200, nobody=403),
    "reports:report-detail": REPORT_READERS,
    "reports:report-edit": REPORT_EDIT,
    "reports:report-transition": POST_ONLY,
    "reports:report-render": POST_ONLY,
    "reports:report-pdf": REPORT_READERS,
    "reports:tracking": BUREAU_ONLY,
    "reports:tracking-export": BUREAU_ONLY,
    "reports:deadline-set": POST_ONLY,
    "reports:tracking-remind": POST_ONLY,
    "reports:batch-render": POST_ONLY,
    "reports:measure-add": POST_ONLY,
    "reports:measure-state": POST_ONLY,
    "reports:measures-overview": BUREAU_ONLY,
}


def build(city) -> dict:
    report = ReportFactory(kind=Kind.SCHOOL, school=city.school_a, status=Status.SUBMITTED, author=city.academic_lead_a)
    stored = ReportPdf(report=report, version=1, content_hash="0" * 64, status_at_render=report.status)
    stored.file.save("matrix.pdf", ContentFile(b"%PDF-1.7"), save=False)
    stored.save()
    measure = ImprovementMeasure.objects.create(
        report=report, text="作文专项教研", owner="甲语文组长", due_on="2027-01-10"
    )
    return {"report": report, "measure": measure}


def url(name: str, objects: dict) -> str:
    if name == "reports:report-pdf":
        return reverse(name, kwargs={"pk": objects["report"].pk, "version": 1})
    if name == "reports:measure-state":
        return reverse(name, kwargs={"pk": objects["measure"].pk})
    if name in {
        "reports:report-detail",
        "reports:report-edit",
        "reports:report-transition",
        "reports:report-render",
        "reports:measure-add",
    }:
        return reverse(name, kwargs={"pk": objects["report"].pk})
    return reverse(name)
