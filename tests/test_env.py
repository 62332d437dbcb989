"""The environment helpers: good values are read, nonsense stops the process at start-up."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from eduquality.env import env_bool, env_broker_url, env_cache_url, env_database, env_int, env_list, env_str

VAR = "EDUQUALITY_TEST_SETTING"


@pytest.fixture(autouse=True)
def _unset(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)


# ---- env_str --------------------------------------------------------------------------------------


def test_str_is_stripped(monkeypatch):
    monkeypatch.setenv(VAR, "  value  ")
    assert env_str(VAR) == "value"


def test_str_unset_gives_default():
    assert env_str(VAR, "fallback") == "fallback"


# ---- env_bool -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("True", True),
        ("YES", True),
        ("on", True),
        (" yes ", True),
        ("0", False),
        ("false", False),
        ("FALSE", False),
        ("no", False),
        ("off", False),
        ("", False),
    ],
)
def test_bool_understands_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv(VAR, raw)
    assert env_bool(VAR, not expected) is expected


@pytest.mark.parametrize("default", [True, False])
def test_bool_unset_gives_default(default):
    assert env_bool(VAR, default) is default


@pytest.mark.parametrize("raw", ["2", "y", "n", "enable", "truee", "-1", "是"])
def test_bool_nonsense_is_refused(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured, match=VAR):
        env_bool(VAR, True)


# ---- env_int --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [("0", 0), ("60", 60), (" 7 ", 7), ("-3", -3)])
def test_int_reads_integers(monkeypatch, raw, expected):
    monkeypatch.setenv(VAR, raw)
    assert env_int(VAR, 99) == expected


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_int_unset_or_blank_gives_default(monkeypatch, raw):
    if raw is not None:
        monkeypatch.setenv(VAR, raw)
    assert env_int(VAR, 42) == 42


@pytest.mark.parametrize("raw", ["abc", "1.5", "10 MB", "0x10", "1e3", "六十"])
def test_int_nonsense_is_refused(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured, match="is not an integer"):
        env_int(VAR, 1)


def test_int_exactly_at_minimum_is_accepted(monkeypatch):
    monkeypatch.setenv(VAR, "1")
    assert env_int(VAR, 5, minimum=1) == 1


@pytest.mark.parametrize("raw", ["0", "-1"])
def test_int_below_minimum_is_refused(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured, match="below the minimum 1"):
        env_int(VAR, 5, minimum=1)


# ---- env_list -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("example.com", ["example.com"]),
        ("a.example.com,b.example.com", ["a.example.com", "b.example.com"]),
        (" a.example.com , b.example.com ", ["a.example.com", "b.example.com"]),
    ],
)
def test_list_splits_on_commas_and_strips(monkeypatch, raw, expected):
    monkeypatch.setenv(VAR, raw)
    assert env_list(VAR, ["default"]) == expected


def test_list_unset_gives_default():
    assert env_list(VAR, ["127.0.0.1"]) == ["127.0.0.1"]


@pytest.mark.parametrize("raw", ["a,,b", "a,", ",a", "a, ,b"])
def test_list_with_an_empty_item_is_refused(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured, match="empty item"):
        env_list(VAR, [])


@pytest.mark.parametrize("raw", ["", "  "])
def test_list_set_but_blank_gives_default_like_the_other_helpers(monkeypatch, raw):
    # `CSRF_TRUSTED_ORIGINS=` in an env file means "nothing configured", as a blank env_int does;
    # it is not a typo to stop the deployment for.
    monkeypatch.setenv(VAR, raw)
    assert env_list(VAR, ["127.0.0.1"]) == ["127.0.0.1"]


# ---- env_database ---------------------------------------------------------------------------------


def test_database_reads_a_postgres_url(monkeypatch):
    monkeypatch.setenv(VAR, "postgres://edu:secret@db.internal:5433/eduquality")
    config = env_database(VAR, "sqlite:///unused.sqlite3")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("eduquality", "edu", "secret")
    assert (config["HOST"], config["PORT"]) == ("db.internal", 5433)


def test_database_reads_a_sqlite_url(monkeypatch):
    monkeypatch.setenv(VAR, "sqlite:////srv/eduquality/db.sqlite3")
    config = env_database(VAR, "postgres://unused/db")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/srv/eduquality/db.sqlite3"


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_database_unset_or_blank_uses_the_default(monkeypatch, raw):
    if raw is not None:
        monkeypatch.setenv(VAR, raw)
    config = env_database(VAR, "sqlite:////tmp/demo.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/tmp/demo.sqlite3"


@pytest.mark.parametrize(
    ("raw", "phrase"),
    [
        ("eduquality", "is not a database URL"),
        ("localhost:5432/eduquality", "is not a database URL"),
        ("postgress://u@h/db", "cannot be parsed"),
        ("postgres://u@h:notaport/db", "cannot be parsed"),
        ("mysql://u@h/db", "must point at PostgreSQL or SQLite"),
        ("oracle://u@h/db", "must point at PostgreSQL or SQLite"),
    ],
)
def test_database_nonsense_is_refused(monkeypatch, raw, phrase):
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured, match=phrase):
        env_database(VAR, "sqlite:///unused.sqlite3")


# ---- env_broker_url -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["redis://127.0.0.1:6379/0", "rediss://:secret@cache.internal:6380/1", "amqp://guest@mq//", "memory://"],
)
def test_broker_url_accepts_known_transports(monkeypatch, raw):
    monkeypatch.setenv(VAR, f" {raw} ")
    assert env_broker_url(VAR) == raw


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_broker_url_unset_means_no_broker(monkeypatch, raw):
    if raw is not None:
        monkeypatch.setenv(VAR, raw)
    assert env_broker_url(VAR) == ""


@pytest.mark.parametrize("raw", ["127.0.0.1:6379", "localhost", "http://127.0.0.1:6379/0", "redis:/127.0.0.1"])
def test_broker_url_nonsense_is_refused(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured, match="is not a broker URL"):
        env_broker_url(VAR)


@pytest.mark.parametrize("raw", ["redis://127.0.0.1:6379/1", "rediss://:secret@cache.internal:6380/2"])
def test_cache_url_accepts_redis(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    assert env_cache_url(VAR) == raw


@pytest.mark.parametrize("raw", ["127.0.0.1:6379", "memcached://127.0.0.1:11211", "http://cache"])
def test_cache_url_nonsense_is_refused(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured, match="not a Redis URL"):
        env_cache_url(VAR)
