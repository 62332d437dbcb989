"""Strict readers for settings that come from the environment.

Every helper fails loudly (ImproperlyConfigured) on a value it cannot understand, so a typo in
a deployment's environment stops the process at start-up instead of running with a surprise.
"""

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    items = [item.strip() for item in raw.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={raw!r} has an empty item; separate values with single commas")
    return items


def env_database(name: str, default: str) -> dict:
    raw = env_str(name) or default
    if "://" not in raw:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a database URL (postgres://… or sqlite:///…)")
    try:
        config = dj_database_url.parse(raw)
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} cannot be parsed: {exc}") from exc
    if config["ENGINE"] not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
        raise ImproperlyConfigured(f"{name} must point at PostgreSQL or SQLite, not {config['ENGINE']}")
    return config


def env_broker_url(name: str) -> str:
    raw = env_str(name)
    if raw and not raw.startswith(("redis://", "rediss://", "amqp://", "memory://")):
        raise ImproperlyConfigured(f"{name}={raw!r} is not a broker URL (redis://host:6379/0)")
    return raw


def env_cache_url(name: str) -> str:
    raw = env_str(name)
    if raw and not raw.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"{name}={raw!r} is not a Redis URL (redis://host:6379/1)")
    return raw
