"""Hostile uploads, through every upload path of the portal: each refused with a clear Chinese
message at upload time, before any parser reads it, with nothing stored (no job, no attachment,
no file, no row)."""

import io
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from eduquality import excel
from tests.security.helpers import snapshot, snapshot_difference


def workbook_bytes(rows=(("学校标识码", "学校名称"), ("2122000801", "某校"))) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezip(content: bytes, change=None, add: dict | None = None) -> bytes:
    """The same package with a part rewritten (change(name, bytes) → bytes) or parts added."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member.filename)
            target.writestr(member.filename, change(member.filename, data) if change else data)
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return buffer.getvalue()


def change_sheet(function):
    return lambda name, data: function(data.decode()).encode() if name == "xl/worksheets/sheet1.xml" else data


ENTITY_BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>'
)


def hostile_workbooks() -> dict[str, tuple[str, bytes, str]]:
    """name → (file name, content, the words of the message the person gets)."""
    good = workbook_bytes()
    return {
        "renamed CSV": ("学校.xlsx", "学校标识码,学校名称\n2122000801,某校\n".encode(), "不是有效的 Excel 工作簿"),
        "macro workbook by name": ("学校.xlsm", good, "只接受 Excel 工作簿"),
        "macro inside an .xlsx": (
            "学校.xlsx",
            rezip(good, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}),
            "含宏",
        ),
        "macro content type": (
            "学校.xlsx",
            rezip(
                good,
                lambda n, d: (
                    d.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml") if n == "[Content_Types].xml" else d
                ),
            ),
            "含宏",
        ),
        "zip bomb": ("学校.xlsx", rezip(good, add={"xl/media/image1.png": b"\0" * (30 * 1024 * 1024)}), "压缩炸弹"),
        "XML entity bomb": (
            "学校.xlsx",
            rezip(good, change_sheet(lambda x: ENTITY_BOMB + re.sub(r"^<\?xml[^>]*\?>", "", x))),
            "实体炸弹",
        ),
        "a far cell the dimension does not state": (
            "学校.xlsx",
            rezip(
                good,
                change_sheet(
                    lambda x: x.replace(
                        "</sheetData>", '<row r="300000"><c r="ZZ300000"><v>1</v></c></row></sheetData>'
                    )
                ),
            ),
            "数据范围异常",
        ),
        "a dimension of the whole sheet": (
            "学校.xlsx",
            rezip(good, change_sheet(lambda x: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', x))),
            "数据范围异常",
        ),
    }


@pytest.fixture
def no_parser(monkeypatch):
    """Every check must refuse before a parser opens the file."""

    def refuse(*args, **kwargs):
        raise AssertionError("a parser was reached")

    monkeypatch.setattr(excel.CalamineWorkbook, "from_filelike", refuse)
    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.wsgi_request._messages)


def upload_paths(world, city, login):
    """Every upload path: (who posts, URL, form data builder, where the message shows)."""
    apps = {key.rsplit(".", 2)[-2]: value for key, value in world["apps"].items()}
    exam, planned, order = apps["monitoring"]["exam"], apps["inspections"]["planned"], apps["inspections"]["order"]
    return {
        "schools import": (login(city.bureau), reverse("schools:school-import"), lambda f: {"file": f}, "page"),
        "teachers import": (login(city.bureau), reverse("schools:teacher-import"), lambda f: {"file": f}, "page"),
        "score upload": (
            login(city.bureau),
            reverse("monitoring:exam-upload", args=[exam.pk]),
            lambda f: {"file": f},
            "messages",
        ),
        "visit attachment": (
            login(city.inspector),
            reverse("inspections:visit-attach", args=[planned.pk]),
            lambda f: {"files": [f]},
            "messages",
        ),
        "rectification answer": (
            login(city.principal_a),
            reverse("inspections:order-answer", args=[order.pk]),
            lambda f: {"response": "已整改", "files": [f]},
            "messages",
        ),
    }


WORKBOOK_PATHS = ["schools import", "teachers import", "score upload"]
ATTACHMENT_PATHS = ["visit attachment", "rectification answer"]


# An attachment is stored for people to open, never parsed by the portal: its sheet extent is not
# checked (the zip, macro and entity checks are).
SHEET_ONLY = {"a far cell the dimension does not state", "a dimension of the whole sheet"}
ATTACHMENT_WORDS = {"macro workbook by name": "类型不支持", "renamed CSV": "内容与扩展名不符"}


@pytest.mark.parametrize("path", WORKBOOK_PATHS + ATTACHMENT_PATHS)
def test_every_hostile_file_is_refused_in_chinese_and_nothing_is_stored(matrix_world, city, login, no_parser, path):
    """Each case of hostile_workbooks() through this upload path (one world for all the cases)."""
    client, url, data, shown = upload_paths(matrix_world, city, login)[path]
    before = snapshot()
    wrong = []
    for case, (filename, content, words) in hostile_workbooks().items():
        if path in ATTACHMENT_PATHS:
            if case in SHEET_ONLY:
                continue
            words = ATTACHMENT_WORDS.get(case, words)
        response = client.post(url, data(SimpleUploadedFile(filename, content)))
        text = response.content.decode() if shown == "page" else messages_of(response)
        if words not in text:
            wrong.append(f"{case}: expected “{words}”, got {text[-300:]!r}")
    assert not wrong, f"{path}:\n" + "\n".join(wrong)
    assert not snapshot_difference(before, snapshot())


@pytest.mark.parametrize("path", WORKBOOK_PATHS + ATTACHMENT_PATHS)
def test_a_file_over_the_size_limit_is_refused(matrix_world, city, login, settings, monkeypatch, path):
    settings.UPLOAD_MAX_BYTES = 2000
    monkeypatch.setattr("inspections.services.ATTACHMENT_MAX_BYTES", 2000)
    client, url, data, shown = upload_paths(matrix_world, city, login)[path]
    big = workbook_bytes([("学校标识码", "学校名称")] + [(str(n), "某校" * 20) for n in range(300)])
    assert len(big) > 2000
    before = snapshot()
    response = client.post(url, data(SimpleUploadedFile("大文件.xlsx", big)))
    text = response.content.decode() if shown == "page" else messages_of(response)
    assert "上限" in text and ("过大" in text or "超过" in text), text[-500:]
    assert not snapshot_difference(before, snapshot())


def test_a_plain_workbook_still_goes_through_the_same_path(
    matrix_world, city, login, django_capture_on_commit_callbacks
):
    """The control: the checks refuse the hostile files, not every file."""
    from eduquality.models import Job

    client, url, data, _ = upload_paths(matrix_world, city, login)["schools import"]
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url, data(SimpleUploadedFile("学校.xlsx", workbook_bytes())))
    assert response.status_code == 302
    assert Job.objects.filter(kind="schools.import_schools").exists()


def test_the_xml_parser_openpyxl_uses_is_defusedxml():
    """openpyxl reads XML through defusedxml when it is installed: entity expansion is refused."""
    import defusedxml  # noqa: F401 – installed (requirements.txt)
    from openpyxl.xml import functions

    assert openpyxl.DEFUSEDXML is True
    assert functions.fromstring.__module__.startswith("defusedxml")
    with pytest.raises(Exception, match=r"(?i)entit"):
        functions.fromstring(ENTITY_BOMB + "<a>&lol2;</a>")
