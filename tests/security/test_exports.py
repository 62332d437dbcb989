"""Every Excel export of the portal, fed records whose text starts like a formula or carries
control characters: the workbook holds text, never a formula, and no control character; the
file name survives in Chinese (RFC 5987)."""

import io
import re
import zipfile
from urllib.parse import unquote

import pytest
from django.apps import apps
from django.db import models
from openpyxl import load_workbook

from tests.security.helpers import is_xlsx, walk

FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
PROJECT_APPS = {"schools", "monitoring", "inspections", "reports", "awards"}
# Codes the pages parse (学籍号, 学校标识码 …) keep their form: a formula there is refused on input.
KEEP = {"code", "student_number", "staff_number", "username", "password", "kind", "status", "role"}


def poison_every_text_field() -> int:
    """Every free-text field of every project record gets a formula start and a control character,
    e.g. '=HYPERLINK("http://evil")\\x07…'. Returns how many values were changed."""
    changed = 0
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField))
            and not f.choices
            and not f.primary_key
            and f.name not in KEEP
            and not f.name.endswith(("_number", "code"))
        ]
        if not fields:
            continue
        for index, obj in enumerate(model._default_manager.all()):
            updates = {}
            for f in fields:
                value = getattr(obj, f.attname) or ""
                start = FORMULA_STARTS[(index + len(updates)) % len(FORMULA_STARTS)]
                poisoned = f'{start}cmd|"/c calc"!A0\x07{value}'
                updates[f.attname] = poisoned[: f.max_length] if f.max_length else poisoned
            model._default_manager.filter(pk=obj.pk).update(**updates)
            changed += 1
    return changed


def rfc5987_name(header: str) -> str:
    match = re.search(r"filename\*=utf-8''([^;]+)", header, re.IGNORECASE)
    assert match, f"no RFC 5987 filename* in {header!r}"
    return unquote(match.group(1))


@pytest.mark.parametrize("who", ["bureau", "principal_a"])
def test_every_export_writes_text_never_formulas_and_no_control_characters(matrix_world, city, client, who):
    assert poison_every_text_field() > 10
    client.force_login(getattr(city, who))
    exports, poisoned_cells, problems = {}, 0, []
    for name, target, response in walk(client, matrix_world):
        if not is_xlsx(response) or name.startswith("job-"):
            continue
        exports[target] = response
        content = response.content
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for part in archive.namelist():
                if part.startswith("xl/worksheets/") and re.search(rb"<f[ >]", archive.read(part)):
                    problems.append(f"{target}: a formula in {part}")
        for sheet in load_workbook(io.BytesIO(content)).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        problems.append(f"{target}: formula {cell.coordinate} {cell.value!r}")
                    if isinstance(cell.value, str):
                        if CONTROL.search(cell.value):
                            problems.append(f"{target}: control character in {cell.coordinate} {cell.value!r}")
                        if cell.value.startswith(tuple(FORMULA_STARTS)) and 'cmd|"/c calc"' in cell.value:
                            poisoned_cells += 1
        shown = rfc5987_name(response["Content-Disposition"])
        if not shown.endswith(".xlsx") or "?" in shown or not re.search(r"[\u4e00-\u9fff]", shown):
            problems.append(f"{target}: file name {shown!r}")
    assert len(exports) >= (10 if who == "bureau" else 5), sorted(exports)
    assert poisoned_cells > 20, "the poisoned values did not reach the exports: the test proves nothing"
    assert not problems, "\n".join(problems[:30])


def test_the_chinese_file_name_is_sent_both_ways(city, login):
    """RFC 6266/5987: an ASCII fallback for old clients and the UTF-8 name for the rest."""
    response = login(city.bureau).get("/schools/students/export/")
    header = response["Content-Disposition"]
    assert header.startswith("attachment;")
    assert rfc5987_name(header).startswith("学生名单-")
    assert header.isascii()
