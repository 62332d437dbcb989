"""Small database helpers shared by every app."""

import queue
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connection, connections
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
    quoted_table, quoted_columns = _quoted(table, columns)
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


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_ESCAPED = re.compile(r"\\(.)")
_COPY_UNESCAPES = {"t": "\t", "n": "\n", "r": "\r"}


def copy_escape(text: str) -> str:
    """Free text (a name) as a value in COPY's text format."""
    return text.translate(_COPY_ESCAPES)


def copy_text(table: str, columns: Sequence[str], text: str) -> None:
    """Insert rows already written in COPY's text format: a line per row, values separated by tabs,
    \\N for NULL, free text through `copy_escape`. Formatting a chunk of rows in one join costs a
    fraction of a per-row `write_row`. On SQLite (the demo) the lines are read back into rows."""
    if connection.vendor == "postgresql":
        statement = "COPY {} ({}) FROM STDIN".format(*_quoted(table, columns))
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            copy.write(text)
        return
    rows = ([_copy_value(value) for value in line.split("\t")] for line in text.split("\n") if line)
    copy_rows(table, columns, rows)


def _quoted(table: str, columns: Sequence[str]) -> tuple[str, str]:
    return connection.ops.quote_name(table), ", ".join(connection.ops.quote_name(column) for column in columns)


def _copy_value(value: str) -> str | None:
    if value == "\\N":
        return None
    if "\\" in value:
        return _COPY_ESCAPED.sub(lambda found: _COPY_UNESCAPES.get(found[1], found[1]), value)
    return value


_DONE = object()


@contextmanager
def write_behind(*, ahead: int = 2) -> Iterator[Callable[[Callable[[], None]], None]]:
    """Yields `put(work)`: each piece of work runs, in order, on a second thread that uses this
    thread's database connection, inside its transaction. PostgreSQL works in its own process, so
    the database stores one piece while this thread prepares the next: two cores busy, not one.

    This thread must not use the database until the block ends (a connection serves one statement
    at a time). A failure on the writer is raised here, by the next `put` or at the end of the block;
    an error in the block stops the writer before it propagates, so an atomic block around this one
    rolls back once the writer is done. On SQLite (the demo database) the work simply runs here."""
    if connection.vendor != "postgresql":
        yield lambda work: work()
        return
    shared = connections[DEFAULT_DB_ALIAS]
    pieces: queue.Queue = queue.Queue(maxsize=ahead)
    failures: list[BaseException] = []

    def run() -> None:
        connections[DEFAULT_DB_ALIAS] = shared  # the ORM on this thread: the same connection
        while (work := pieces.get()) is not _DONE:
            if not failures:
                try:
                    work()
                except BaseException as error:  # handed to the other thread
                    failures.append(error)

    def put(work: Callable[[], None]) -> None:
        if failures:
            raise failures[0]
        pieces.put(work)

    shared.inc_thread_sharing()
    # After each round trip the writer needs the GIL back while this thread computes: with the
    # default 5 ms between switches the database would sit idle for much of the time.
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(min(switch_interval, 0.001))
    writer = threading.Thread(target=run, name="write-behind", daemon=True)
    writer.start()
    try:
        try:
            yield put
        except BaseException:
            failures.append(RuntimeError("stopped"))  # the writer skips what is still queued
            raise
        finally:
            pieces.put(_DONE)
            writer.join()
        if failures:
            raise failures[0]
    finally:
        sys.setswitchinterval(switch_interval)
        shared.dec_thread_sharing()
