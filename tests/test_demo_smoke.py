"""The first README command's path on its embedded defaults: SQLite and in-process tasks.

Runs in subprocesses with no DATABASE_URL and no broker, exactly as `make demo` does: migrate,
seed the demo city (small), then every demo login opens the main pages and the bureau runs an
import whose job finishes in-process.
"""

import os
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow

PAGES_SCRIPT = textwrap.dedent(
    """
    import io, openpyxl
    from django.test import Client
    from django.urls import reverse
    from django.core.files.uploadedfile import SimpleUploadedFile
    from eduquality.models import Job, User
    from schools.models import School

    pages = ["home", "schools:school-list", "schools:teacher-list", "schools:group-list"]
    for username in ["admin", "bureau", "inspector", "principal", "academic", "leader", "teacher"]:
        client = Client()
        signed_in = client.post(reverse("login"), {"username": username, "password": "Demo-2026!"})
        assert signed_in.status_code == 302, (username, signed_in.status_code)
        for name in pages:
            print(username, name, client.get(reverse(name)).status_code)
        school = School.objects.visible_to(User.objects.get(username=username)).order_by("code").first()
        print(username, "school-detail", client.get(reverse("schools:school-detail", args=[school.pk])).status_code)

    bureau = Client()
    bureau.post(reverse("login"), {"username": "bureau", "password": "Demo-2026!"})
    book = openpyxl.Workbook()
    book.active.append(["学校标识码", "学校名称", "办学类型", "区县"])
    book.active.append(["2122990001", "冒烟测试小学", "211 小学", "浑江区"])
    buffer = io.BytesIO(); book.save(buffer)
    response = bureau.post(reverse("schools:school-import"), {"file": SimpleUploadedFile("s.xlsx", buffer.getvalue())})
    print("import", response.status_code, Job.objects.latest("created_at").status)

    # Issue 14 §7 on the reference engine and the demo: every report names its author, no 小学 filed
    # the 初中 sleep line, the 各科合计 rows hold the total scores.
    from monitoring.models import IndicatorReport, Statistic
    from reports.models import Report
    print(
        "words",
        Report.objects.filter(author__isnull=True).count(),
        IndicatorReport.objects.filter(indicator__code="R08B", school__school_type__stages="小学").count(),
        Statistic.objects.filter(exam_subject__isnull=True, level="city", sitters__gt=0, mean__isnull=True).count(),
    )
    """
)


def run(args, env, cwd):
    result = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_demo_path_works_on_sqlite_with_in_process_tasks(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(EDUQUALITY_VAR_DIR=str(tmp_path), DEBUG="1")
    manage = [sys.executable, "manage.py"]
    cwd = settings.BASE_DIR
    run([*manage, "migrate", "-v0"], env, cwd)
    assert (tmp_path / "eduquality.sqlite3").exists()
    seeded = run([*manage, "seed_demo", "--scale", "0.02"], env, cwd)
    assert "Demo-2026!" in seeded
    output = run([*manage, "shell", "-c", PAGES_SCRIPT], env, cwd)
    lines = [line.split() for line in output.splitlines() if line.strip()]
    statuses = [line for line in lines if len(line) == 3 and line[0] != "import"]
    assert len(statuses) == 7 * 5
    assert all(line[2] == "200" for line in statuses), statuses
    assert ["import", "302", "succeeded"] in lines
    assert ["words", "0", "0", "0"] in lines
