"""What the security checks share: the matrix's URLs, a database snapshot, reading exports back."""

import io
import zipfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from openpyxl import load_workbook

from eduquality.excel import XLSX_CONTENT_TYPE
from tests.test_permission_matrix import EXPECTED, url_for

# Rows that legitimately change on any request (sessions, login records) or record the refusal.
NOT_DATA = {"sessions", "axes", "admin", "contenttypes", "auth"}
NOT_DATA_MODELS = {"eduquality.AccessLog"}
VOLATILE_FIELDS = {"last_login"}  # force_login stamps it


def matrix_urls(world) -> dict[str, str]:
    """Every named URL of the project (the permission matrix fails when one is missing) → the URL
    the matrix asks, for school A's objects."""
    return {name: url_for(name, world) for name in sorted(EXPECTED)}


def snapshot() -> dict:
    """Every row of every project table, and every stored file: equal snapshots, nothing written."""
    tables = {}
    for model in apps.get_models():
        if model._meta.app_label in NOT_DATA or model._meta.label in NOT_DATA_MODELS:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in VOLATILE_FIELDS]
        tables[model._meta.label] = sorted(repr(row) for row in model._default_manager.values_list(*fields))
    media = Path(settings.MEDIA_ROOT)
    tables["(files)"] = (
        sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()) if media.exists() else []
    )
    return tables


def snapshot_difference(before: dict, after: dict) -> list[str]:
    changed = []
    for table in sorted(set(before) | set(after)):
        old, new = set(before.get(table, [])), set(after.get(table, []))
        if old != new:
            changed.append(f"{table}: +{sorted(new - old)[:3]} -{sorted(old - new)[:3]}")
    return changed


def is_xlsx(response) -> bool:
    return response.status_code == 200 and response.get("Content-Type", "").startswith(XLSX_CONTENT_TYPE)


def body_of(response) -> str:
    """The text a person gets from a response: the page, or every cell and sheet XML of a workbook."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith(XLSX_CONTENT_TYPE) and zipfile.is_zipfile(io.BytesIO(content)):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))
        cells = [
            str(cell.value)
            for sheet in load_workbook(io.BytesIO(content)).worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None
        ]
        return xml + "\n".join(cells)
    return content.decode(errors="replace")


def with_query(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}" if query else url


def walk(client, world, searches=(), skip=("logout",)):
    """GET every URL of the matrix; where the page offers an Excel export (a link with
    export=xlsx) the export too; where it has a search box (name="q"), each of `searches`
    (query strings) on the page and its export. Yields (url name, URL asked, response)."""
    for name, url in matrix_urls(world).items():
        if name in skip:
            continue
        response = client.get(url)
        yield name, url, response
        if response.status_code != 200 or response.streaming:
            continue
        page = response.content.decode(errors="replace")
        exports = [with_query(url, "export=xlsx")] if "export=xlsx" in page else []
        targets = list(exports)
        if 'name="q"' in page:
            for query in searches:
                targets += [with_query(url, query)] + [with_query(export, query) for export in exports]
        for target in targets:
            yield name, target, client.get(target)
