"""Schemathesis against the API's own OpenAPI schema: every operation, examples generated from the
schema (valid and invalid), each sent with a token of every persona. No answer may be a 5xx, and every
answer must be one the schema documents, with its content type and body shape.

The examples are bounded (EXAMPLES per operation, derandomized) so the run stays a few seconds in CI.
"""

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import Config, checks, openapi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.main import api
from tests.api.conftest import PERSONAS

ROLES = [persona for persona in PERSONAS if persona != "principal_b"]  # one token of each role

EXAMPLES = 12
CHECKS = [checks.not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# The fuzzing phase only (EXAMPLES per operation): the coverage phase's hundreds of boundary cases per
# operation would cost minutes of CI.
CONFIG = Config.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = openapi.from_dict(api.get_openapi_schema(), config=CONFIG)
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Like Django's test client: the handler must not close the connection that holds the test's
    transaction at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _real_ids(world) -> dict:
    """Path parameters that name school A's objects, so the answers with bodies are checked too."""
    return {
        "district_id": world["district"].pk,
        "school_id": world["school"].pk,
        "exam_id": world["exam"].pk,
        "report_id": world["report"].pk,
        "job_id": str(world["job"].pk),
    }


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_every_persona_within_its_schema(case, api_world, settings):
    settings.API_RATE_LIMIT = "100000/min"
    real, done = _real_ids(api_world), api_world.setdefault("real_ids_sent", set())
    for persona in [None, *ROLES]:
        token = api_world["tokens"][persona] if persona else None
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        case.call_and_validate(headers=headers, checks=CHECKS)
        if case.path_parameters and persona not in done:
            # Once per persona: the same case aimed at school A's objects (a 200 with a body, or 403/404).
            done.add(persona)
            generated = dict(case.path_parameters)
            case.path_parameters = {name: real.get(name, value) for name, value in generated.items()}
            case.call_and_validate(headers=headers, checks=CHECKS)
            case.path_parameters = generated


def test_the_schema_lists_every_operation_of_the_api():
    operations = {(method.upper(), path) for path, item in api.get_openapi_schema()["paths"].items() for method in item}
    assert len(operations) == 18
    assert ("PUT", "/api/v1/registry/schools") in operations and (
        "POST",
        "/api/v1/exams/{exam_id}/scores",
    ) in operations
