"""The pure rules of personal tokens."""

from datetime import UTC, datetime, timedelta

import pytest

from api import rules

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def test_a_new_token_is_long_random_and_starts_with_its_prefix():
    first, prefix = rules.new_token()
    second, _ = rules.new_token()
    assert first != second and first.startswith(prefix) and prefix.startswith(rules.TOKEN_PREFIX)
    assert len(first) >= 50


def test_the_digest_is_fixed_and_does_not_contain_the_token():
    token, _ = rules.new_token()
    assert rules.digest(token) == rules.digest(token) and len(rules.digest(token)) == 64
    assert token not in rules.digest(token)


@pytest.mark.parametrize(
    ("expires_at", "revoked_at", "usable"),
    [
        (NOW + timedelta(seconds=1), None, True),
        (NOW, None, False),  # expired at exactly its expiry
        (NOW - timedelta(days=1), None, False),
        (NOW + timedelta(days=30), NOW - timedelta(seconds=1), False),
    ],
)
def test_a_token_is_usable_until_it_expires_or_is_revoked(expires_at, revoked_at, usable):
    assert rules.is_usable(expires_at=expires_at, revoked_at=revoked_at, now=NOW) is usable


def test_a_scope_is_allowed_only_when_granted():
    assert rules.allows(["read"], "read")
    assert not rules.allows(["read"], "scores:write")
