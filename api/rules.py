"""Pure rules of the personal API tokens: how a token looks, how it is stored, what it may do."""

import hashlib
import secrets
from datetime import datetime

TOKEN_PREFIX = "eqt_"

# 权限范围: what a token may do, on top of what its owner's roles allow.
SCOPES = {
    "read": "读取数据",
    "registry:write": "维护学校名录（按学校标识码新增或更新）",
    "scores:write": "上传监测成绩",
}
LIFETIMES_DAYS = (30, 90, 180, 365)


def new_token() -> tuple[str, str]:
    """(the token shown once to its owner, the short prefix kept to recognise it in lists)."""
    lookup = secrets.token_hex(4)
    return f"{TOKEN_PREFIX}{lookup}_{secrets.token_urlsafe(32)}", f"{TOKEN_PREFIX}{lookup}"


def digest(token: str) -> str:
    """What is stored instead of the token. The token carries 256 random bits, so a plain SHA-256
    cannot be reversed by guessing; a slow password hash would only slow every request down."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_usable(*, expires_at: datetime, revoked_at: datetime | None, now: datetime) -> bool:
    return revoked_at is None and now < expires_at


def allows(scopes: list[str], needed: str) -> bool:
    return needed in scopes
