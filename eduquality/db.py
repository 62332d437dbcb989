"""Small database helpers shared by every app."""

from django.db import connection
from django.db.models import F
from django.db.models.functions import Collate

# PostgreSQL's ICU collation orders Chinese by pinyin (阿 < 李 < 王 < 张 < 赵).
PINYIN_COLLATION = "zh-x-icu"


def pinyin(field: str):
    """An ORDER BY expression that sorts `field` by pinyin on PostgreSQL (code-point order on SQLite)."""
    if connection.vendor == "postgresql":
        return Collate(F(field), PINYIN_COLLATION)
    return F(field)
