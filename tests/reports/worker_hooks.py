"""Imported by the Celery worker of the reports' worker tests (`celery worker -I tests.reports.worker_hooks`).

While the file named by REPORTS_TEST_HOLD_FILE exists, a render writes its process id there and
waits, so the test can kill the process in the middle of a render."""

import os
import time
from pathlib import Path

from reports import services

_render = services.render_report_pdf


def _held_render(report, **kwargs):
    hold = os.environ.get("REPORTS_TEST_HOLD_FILE")
    if hold and Path(hold).exists():
        Path(hold).write_text(str(os.getpid()))
        while Path(hold).exists():
            time.sleep(0.1)
    return _render(report, **kwargs)


services.render_report_pdf = _held_render
