"""Journeys use the shared Chromium (tests/test_browser.py) and a real Redis + Celery worker
(tests/test_worker.py)."""

from tests.test_browser import browser  # noqa: F401 – fixtures shared with the browser tests
from tests.test_worker import broker, worker  # noqa: F401 – a real Redis and Celery worker
