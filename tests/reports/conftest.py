import re
import subprocess

import pytest

from schools.models import Semester
from tests.reports.factories import scored_exam


@pytest.fixture
def semester(city):
    return Semester.objects.get(is_current=True)


@pytest.fixture
def exam(city, semester):
    """Grade-3 final of school A (mean 77.50 in 语文) and school B (mean 62.50), with statistics."""
    return scored_exam(
        schools=[city.school_a, city.school_b],
        semester=semester,
        scores_by_school={city.school_a.pk: [95, 88, 72, 55, None], city.school_b.pk: [80, 70, 60, 40]},
    )


def pdf_text(content: bytes) -> str:
    result = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
    return result.stdout.decode()


def squeezed(text: str) -> str:
    """Text without whitespace: pdftotext spaces CJK text as it likes."""
    return re.sub(r"\s", "", text)


def pdf_fonts(content: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def submitted_school_reports(semester) -> list:
    """Every active school's 全校报告 of the semester, submitted (a batch renders only those)."""
    from reports import services
    from reports.models import Kind, Report, Status
    from schools.models import School

    reports = [
        services.create_report(kind=Kind.SCHOOL, semester=semester, by=None, school=school)
        for school in School.objects.filter(is_active=True)
    ]
    Report.objects.filter(pk__in=[r.pk for r in reports]).update(status=Status.SUBMITTED)
    return reports
