"""The demo city's exams: imported and computed through the real path, with something to show."""

import pytest
from django.urls import reverse

from monitoring.models import EarlyWarning, Exam, IndicatorReport, Level, Statistic
from tests.schools.test_seed_demo import demo_city  # noqa: F401 – builds the demo city at a small scale

pytestmark = pytest.mark.django_db


def test_the_demo_has_comparable_exams_with_statistics_warnings_and_indicators(demo_city, login):  # noqa: F811
    exams = {exam.code: exam for exam in Exam.objects.all()}
    assert set(exams) == {"JC-2026-05-QM", "JC-2026-06-QZ", "JC-2026-08-QZ"}
    later = exams["JC-2026-06-QZ"]
    assert later.comparable_exam == exams["JC-2026-05-QM"]
    assert all(exam.status == Exam.Status.READY for exam in exams.values())
    school_stats = Statistic.objects.filter(exam=later, level=Level.SCHOOL, exam_subject__isnull=False)
    assert school_stats.filter(previous_rank__isnull=False).exists()
    assert EarlyWarning.objects.filter(exam=later).exists()
    assert IndicatorReport.objects.exists()
    from django.contrib.auth import get_user_model

    bureau = get_user_model().objects.get(username="bureau")
    assert login(bureau).get(reverse("monitoring:exam-ranking", args=[later.pk])).status_code == 200
