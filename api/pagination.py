"""Cursor pagination: a page of rows after an opaque cursor, and the cursor of the next page.

The cursor is the last row's primary key (base64), so pages stay stable while rows are added and a
client walks a list of any length with one indexed query per page.
"""

import base64
import binascii
from typing import Any

from ninja import Field, Schema
from ninja.pagination import PaginationBase

from api.problems import ApiProblem

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def encode(pk: int) -> str:
    return base64.urlsafe_b64encode(f"after:{pk}".encode()).decode().rstrip("=")


def decode(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, value = text.split(":", 1)
        if kind != "after" or not value.isdigit() or len(value) > 18:
            raise ValueError(text)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise ApiProblem(400, "cursor 无效：请使用上一页返回的 next 原样传回。", slug="bad-cursor") from error


class CursorPagination(PaginationBase):
    class Input(Schema):
        cursor: str | None = Field(None, max_length=40, description="上一页返回的 next；不填为第一页")
        page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="每页条数")

    class Output(Schema):
        results: list[Any]
        next: str | None = Field(description="下一页的 cursor；null 表示已是最后一页")

    items_attribute = "results"

    def paginate_queryset(self, queryset, pagination: Input, request=None, **params) -> dict:
        rows = queryset.order_by("pk")
        if pagination.cursor:
            rows = rows.filter(pk__gt=decode(pagination.cursor))
        page = list(rows[: pagination.page_size + 1])
        more = len(page) > pagination.page_size
        page = page[: pagination.page_size]
        return {"results": page, "next": encode(page[-1].pk) if more else None}
