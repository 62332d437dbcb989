"""Requests as an attacker sends them: without a CSRF token, to a wrong host, after the account was
switched off; and the cookies a production deployment sets."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.api import matrix as api_matrix
from tests.security.helpers import matrix_urls, snapshot, snapshot_difference

REPO_ROOT = Path(__file__).resolve().parents[2]
API_OPERATIONS = {f"api:v1:{name}" for name in api_matrix.OPERATIONS}


@pytest.mark.parametrize("role", ["anonymous", "bureau", "principal_a", "inspector", "teacher_user_a"])
def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(matrix_world, city, role):
    """Every URL of the matrix, POSTed like a forged cross-site form: 403, no row or file changed."""
    client = Client(enforce_csrf_checks=True)
    if role != "anonymous":
        client.force_login(getattr(city, role))
    before = snapshot()
    accepted = []
    for name, url in matrix_urls(matrix_world).items():
        response = client.post(url, {"username": "bureau", "password": "x", "action": "submit"})
        if name in API_OPERATIONS:
            # The JSON API takes bearer tokens only and ignores the session cookie a forged form
            # carries: no CSRF check is needed, and the answer is a refusal (401, or 405).
            if response.status_code not in (401, 405):
                accepted.append(f"{name} {url}: {response.status_code}")
        elif response.status_code != 403 or "CSRF" not in response.content.decode(errors="replace"):
            accepted.append(f"{name} {url}: {response.status_code}")
    assert not accepted, "POST accepted without a CSRF token:\n" + "\n".join(accepted)
    assert not snapshot_difference(before, snapshot())


def test_a_post_with_the_token_goes_through(city, password):
    """The control: the same client with the token from the form signs in, so the 403s above are
    the CSRF check and nothing else."""
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("login"), {"username": "bureau", "password": password, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_a_wrong_host_gets_400_on_every_url(matrix_world, city, settings):
    settings.ALLOWED_HOSTS = ["eduquality.example"]
    client = Client()
    client.force_login(city.bureau)
    wrong = [
        name
        for name, url in matrix_urls(matrix_world).items()
        if client.get(url, HTTP_HOST="evil.example").status_code != 400
    ]
    assert not wrong


def test_a_deactivated_users_open_session_stops_on_every_page(matrix_world, city, login):
    client = login(city.bureau)
    assert client.get(reverse("home")).status_code == 200
    city.bureau.is_active = False
    city.bureau.save(update_fields=["is_active"])
    still_open = []
    for name, url in matrix_urls(matrix_world).items():
        response = client.get(url)
        if response.status_code == 200 and name not in ("login", "healthz"):
            still_open.append(name)
    assert not still_open, still_open


def test_the_session_key_changes_at_login_and_the_old_one_dies_at_logout(city, password):
    client = Client()
    client.get(reverse("login"))
    client.session.save()
    anonymous_key = client.session.session_key
    client.post(reverse("login"), {"username": "bureau", "password": password})
    signed_in_key = client.cookies["sessionid"].value
    assert signed_in_key != anonymous_key
    client.post(reverse("logout"))
    # Replaying the old cookie after logout gets the login page: the session is gone on the server.
    thief = Client()
    thief.cookies["sessionid"] = signed_in_key
    response = thief.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client, override_settings
# Only the static files' storage differs from a deployment: no collectstatic here (hashed names).
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
from django.contrib.auth import get_user_model
user = get_user_model().objects.get(username="bureau")
user.set_password(PASSWORD)  # with the deployment's hasher
user.save()
client = Client(HTTP_HOST="eduquality.example")
login = client.get("/login/", secure=True)
assert login.status_code == 200, (login.status_code, login.headers)
signed_in = client.post("/login/", {"username": "bureau", "password": PASSWORD}, secure=True)
def flags(response, name):
    morsel = response.cookies[name]
    return {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]), "samesite": morsel["samesite"]}
plain = Client(HTTP_HOST="eduquality.example").get("/login/")
print(json.dumps({
    "status": signed_in.status_code,
    "csrftoken": flags(login, "csrftoken"),
    "sessionid": flags(signed_in, "sessionid"),
    "plain_http": [plain.status_code, plain.get("Location", "")],
    "hsts": login.get("Strict-Transport-Security", ""),
}))
"""


@pytest.mark.django_db(transaction=True)
def test_production_settings_set_secure_httponly_samesite_cookies(reference_data, password):
    """The settings of a deployment (DEBUG=0), in a process of their own: sign in over HTTPS and
    read the Set-Cookie flags; plain HTTP is redirected to HTTPS."""
    from tests.factories import UserFactory
    from tests.test_worker import worker_database_url

    UserFactory(username="bureau")
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x" * 64,
        "ALLOWED_HOSTS": "eduquality.example",
        "DATABASE_URL": worker_database_url(),
        "DJANGO_SETTINGS_MODULE": "eduquality.settings",
    }
    probe = PRODUCTION_PROBE.replace("PASSWORD", repr(password))
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["status"] == 302
    assert seen["sessionid"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert seen["csrftoken"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert seen["plain_http"][0] == 301 and seen["plain_http"][1].startswith("https://")
    assert "max-age=31536000" in seen["hsts"]


def test_repeated_failed_logins_answer_429_with_the_chinese_lockout_page(city, password):
    attacker = Client(REMOTE_ADDR="10.9.9.9")
    statuses = [
        attacker.post(reverse("login"), {"username": "bureau", "password": "guess"}).status_code for _ in range(5)
    ]
    # The fifth failure is the limit (AXES_FAILURE_LIMIT): it is already answered with the lockout.
    assert statuses == [200, 200, 200, 200, 429]
    locked = attacker.post(reverse("login"), {"username": "bureau", "password": password})
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "登录已暂停" in body
    assert "<html" in body.lower()
