"""Small database helpers shared by every app."""

from collections.abc import Iterable, Sequence

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


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert many rows fast: PostgreSQL's COPY, or batched INSERTs on SQLite (the demo database).
    Values are plain Python values (str, int, Decimal, None); the caller has validated them."""
    quoted_table = connection.ops.quote_name(table)
    quoted_columns = ", ".join(connection.ops.quote_name(column) for column in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quoted_table} ({quoted_columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(columns))
        statement = f"INSERT INTO {quoted_table} ({quoted_columns}) VALUES ({placeholders})"
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == 5000:
                cursor.executemany(statement, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(statement, batch)
            count += len(batch)
    return count
