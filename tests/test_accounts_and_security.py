"""Signing in and out, throttling, headers and error pages — as a user and an attacker meet them."""

import time

from django.test import Client, override_settings
from django.urls import path, reverse
from django.utils import timezone

from eduquality.urls import urlpatterns as project_urlpatterns


def test_login_page_is_in_chinese(client):
    page = client.get(reverse("login")).content.decode()
    assert "用户名" in page and "密码" in page and "登录" in page


def test_a_user_signs_in_and_lands_on_the_home_page(city, client, password):
    response = client.post(reverse("login"), {"username": "principal_a", "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "甲校长" in response.content.decode()


def test_a_wrong_password_is_answered_in_chinese(city, client):
    response = client.post(reverse("login"), {"username": "principal_a", "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_the_session_key_changes_at_login_and_dies_at_logout(city, client, password):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("login"), {"username": "bureau", "password": password})
    during = client.session.session_key
    assert during and during != before
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_repeated_failures_lock_that_username_on_that_ip_with_429(city, password):
    attacker = Client(REMOTE_ADDR="10.1.1.1")
    for _ in range(5):
        attacker.post(reverse("login"), {"username": "principal_a", "password": "guess"})
    locked = attacker.post(reverse("login"), {"username": "principal_a", "password": password})
    assert locked.status_code == 429
    assert "登录已暂停" in locked.content.decode()
    # A colleague behind the same school IP signs in; the same user from elsewhere is not locked.
    colleague = Client(REMOTE_ADDR="10.1.1.1")
    assert colleague.post(reverse("login"), {"username": "academic_a", "password": password}).status_code == 302
    elsewhere = Client(REMOTE_ADDR="10.2.2.2")
    assert elsewhere.post(reverse("login"), {"username": "principal_a", "password": password}).status_code == 302


def test_the_lockout_cools_off(city, password, settings):
    from datetime import timedelta

    settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
    attacker = Client(REMOTE_ADDR="10.3.3.3")
    for _ in range(5):
        attacker.post(reverse("login"), {"username": "bureau", "password": "guess"})
    assert attacker.post(reverse("login"), {"username": "bureau", "password": password}).status_code == 429
    time.sleep(1.2)
    assert attacker.post(reverse("login"), {"username": "bureau", "password": password}).status_code == 302


def test_passwords_are_hashed_with_argon2(city):
    assert city.bureau.password.startswith("argon2")


def test_password_change_works_in_chinese(city, login, password):
    client = login(city.bureau)
    page = client.get(reverse("password_change")).content.decode()
    assert "旧密码" in page or "原密码" in page
    response = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "Quite-new-2026", "new_password2": "Quite-new-2026"},
    )
    assert response.status_code == 302
    city.bureau.refresh_from_db()
    assert city.bureau.check_password("Quite-new-2026")


def test_every_page_sends_a_csp_without_inline_scripts(city, login):
    response = login(city.bureau).get(reverse("home"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "<script>" not in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"


def test_an_idle_session_expires(city, login, settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    client = login(city.bureau)
    session = client.session
    session.set_expiry(1)
    session.save()
    time.sleep(1.5)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_each_request_pushes_the_idle_expiry_forward(city, login):
    from django.contrib.sessions.models import Session

    client = login(city.bureau)
    client.get(reverse("home"))
    first = Session.objects.get(session_key=client.session.session_key).expire_date
    time.sleep(1.1)
    client.get(reverse("home"))
    second = Session.objects.get(session_key=client.session.session_key).expire_date
    assert second > first
    # Thirty minutes of idle time, not a fixed day-long session.
    assert 29 * 60 < (second - timezone.now()).total_seconds() <= 30 * 60


def test_a_deactivated_users_open_session_stops(city, login):
    client = login(city.principal_a)
    assert client.get(reverse("home")).status_code == 200
    city.principal_a.is_active = False
    city.principal_a.save()
    assert client.get(reverse("home")).status_code == 302


def _boom(request):
    raise RuntimeError("secret internal detail /etc/passwd")


urlpatterns = [*project_urlpatterns, path("boom/", _boom)]


@override_settings(DEBUG=False)
def test_404_page_is_chinese_and_shows_nothing_internal(city, login):
    response = login(city.bureau).get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in body
    assert "Traceback" not in body and "urlpatterns" not in body


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_500_page_is_chinese_and_shows_nothing_internal(city):
    client = Client(raise_request_exception=False)
    client.force_login(city.bureau)
    response = client.get("/boom/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "系统出现错误" in body
    assert "secret internal detail" not in body and "RuntimeError" not in body


def test_a_wrong_host_gets_400(client, settings):
    settings.ALLOWED_HOSTS = ["eduquality.example"]
    assert client.get(reverse("login"), HTTP_HOST="evil.example").status_code == 400
