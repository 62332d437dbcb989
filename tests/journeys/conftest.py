"""Journeys use the shared Chromium (tests/test_browser.py), a real Redis + Celery worker
(tests/test_worker.py) and the awards tests' campaign in judging (tests/awards/conftest.py)."""

from tests.awards.conftest import awards_world, kind  # noqa: F401 – a campaign in judging, with its judges
from tests.test_browser import browser  # noqa: F401 – fixtures shared with the browser tests
from tests.test_worker import broker, worker  # noqa: F401 – a real Redis and Celery worker
