"""Excel in and out: formula-safe writing, templates, checked reading, marked workbooks."""

import io
import struct
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import quote

import pytest
from openpyxl import Workbook, load_workbook

from eduquality.excel import (
    XLSX_CONTENT_TYPE,
    Problem,
    Sheet,
    Table,
    TemplateColumn,
    WorkbookRejected,
    check_upload,
    export_response,
    header_problems,
    marked_workbook,
    read_table,
    template_workbook,
    text_of,
    write_workbook,
    xlsx_response,
)

# ---- Helpers ------------------------------------------------------------------------------------


def open_workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def openpyxl_bytes(rows, *, title="Sheet") -> bytes:
    """A workbook as a person's Excel would save it (openpyxl, values typed in as they come)."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = title
    for row in rows:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(
            archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/sheet")
        )


def legacy_xls(rows) -> bytes:
    """A minimal BIFF8 .xls (Excel 97–2003) in an OLE2 compound file, built by hand so the suite
    needs neither LibreOffice nor a writer library: a globals substream (BOF, CODEPAGE, BOUNDSHEET,
    SST, EOF) and one worksheet (BOF, DIMENSIONS, LABELSST/NUMBER cells, EOF)."""

    def record(kind, data=b""):
        return struct.pack("<HH", kind, len(data)) + data

    def bof(substream):
        return record(0x0809, struct.pack("<HHHHII", 0x0600, substream, 0x0DBB, 0x07CC, 0, 6))

    def unicode_string(text, length_format):
        return struct.pack(length_format, len(text)) + b"\x01" + text.encode("utf-16-le")

    strings, cells = [], b""
    for row_index, row in enumerate(rows):
        for column_index, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                if value not in strings:
                    strings.append(value)
                cells += record(0x00FD, struct.pack("<HHHI", row_index, column_index, 0, strings.index(value)))
            else:
                cells += record(0x0203, struct.pack("<HHHd", row_index, column_index, 0, float(value)))
    width = max(len(row) for row in rows)
    worksheet = bof(0x0010) + record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0)) + cells + record(0x0A)
    sst = record(
        0x00FC, struct.pack("<II", len(strings), len(strings)) + b"".join(unicode_string(s, "<H") for s in strings)
    )

    def globals_substream(sheet_offset):
        boundsheet = struct.pack("<IBB", sheet_offset, 0, 0) + unicode_string("Sheet1", "<B")
        return bof(0x0005) + record(0x0042, struct.pack("<H", 0x04B0)) + record(0x0085, boundsheet) + sst + record(0x0A)

    stream = globals_substream(len(globals_substream(0))) + worksheet
    # At least 4096 bytes, so the stream lives in regular sectors rather than the mini stream.
    stream = stream.ljust(max(4096, -(-len(stream) // 512) * 512), b"\0")
    sectors = len(stream) // 512
    end_of_chain, free, fat_sector, no_stream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    # Sector 0 is the FAT, 1..n the Workbook stream, n+1 the directory.
    fat = [fat_sector, *range(2, sectors + 1), end_of_chain, end_of_chain]
    fat += [free] * (128 - len(fat))
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<9I", 0, 1, sectors + 1, 0, 0x1000, end_of_chain, 0, end_of_chain, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )

    def directory_entry(name, kind, child, start, size):
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", no_stream, no_stream, child)
            + bytes(36)
            + struct.pack("<IQ", start, size)
        )

    directory = (
        directory_entry("Root Entry", 5, 1, end_of_chain, 0)
        + directory_entry("Workbook", 2, no_stream, 1, len(stream))
        + directory_entry("", 0, no_stream, 0, 0) * 2
    )
    return header + struct.pack("<128I", *fat) + stream + directory


# ---- Writing: nothing becomes a formula ---------------------------------------------------------

# (written, read back): XML turns a bare carriage return into a line feed; the cell stays text.
RISKY_TEXT = [
    ("=1+1", "=1+1"),
    ('=HYPERLINK("http://evil.example","点我")', '=HYPERLINK("http://evil.example","点我")'),
    ("+86 123", "+86 123"),
    ("-5", "-5"),
    ("-2+3+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0"),
    ("@SUM(A1)", "@SUM(A1)"),
    ("\tx", "\tx"),
    ("\rx", "\nx"),
    ("0123", "0123"),
]


@pytest.mark.parametrize(("written", "read_back"), RISKY_TEXT)
def test_formula_like_text_stays_text_in_an_export(written, read_back):
    content = write_workbook([Sheet("名单", ["值"], [[written]])])
    cell = open_workbook(content).active["A2"]
    assert cell.data_type == "s"
    assert cell.value == read_back


def test_export_holds_no_formula_element():
    content = write_workbook([Sheet("名单", ["=表头"], [[written] for written, _ in RISKY_TEXT])])
    assert "<f>" not in sheet_xml(content)
    assert "<f " not in sheet_xml(content)


def test_formula_like_header_stays_text():
    cell = open_workbook(write_workbook([Sheet("名单", ["=A1"], [])])).active["A1"]
    assert (cell.value, cell.data_type) == ("=A1", "s")


@pytest.mark.parametrize(
    ("written", "read_back"),
    [
        ("a\x00b", "ab"),
        ("a\x08b", "ab"),
        ("a\x0bb", "ab"),
        ("a\x0cb", "ab"),
        ("a\x1fb", "ab"),
        ("a\x7fb", "ab"),
        ("\x01\x02=1+1", "=1+1"),
        ("第一行\n第二行", "第一行\n第二行"),
        ("a\tb", "a\tb"),
    ],
)
def test_control_characters_are_stripped_but_tab_and_newline_kept(written, read_back):
    cell = open_workbook(write_workbook([Sheet("名单", ["值"], [[written]])])).active["A2"]
    assert cell.value == read_back
    assert cell.data_type == "s"


def test_control_characters_in_header_and_sheet_title_are_stripped():
    workbook = open_workbook(write_workbook([Sheet("学校\x00名单", ["学校\x1f名称"], [])]))
    assert workbook.sheetnames == ["学校名单"]
    assert workbook.active["A1"].value == "学校名称"


def test_long_sheet_title_is_cut_to_excels_31_characters():
    title = "学" * 40
    assert open_workbook(write_workbook([Sheet(title, ["a"], [])])).sheetnames == ["学" * 31]


def test_numbers_decimals_and_dates_are_written_as_values():
    rows = [[Decimal("12.50"), 3, 2.25, date(2025, 9, 1), True, False, None]]
    worksheet = open_workbook(write_workbook([Sheet("成绩", list("ABCDEFG"), rows)])).active
    decimal_cell, int_cell, float_cell, date_cell, yes_cell, no_cell, empty_cell = worksheet[2]
    assert decimal_cell.data_type == "n"
    assert Decimal(str(decimal_cell.value)) == Decimal("12.50")
    assert (int_cell.value, int_cell.data_type) == (3, "n")
    assert float_cell.value == 2.25
    assert date_cell.is_date
    assert date_cell.value.date() == date(2025, 9, 1)
    assert date_cell.number_format == "yyyy-mm-dd"
    assert (yes_cell.value, no_cell.value) == ("是", "否")
    assert empty_cell.value is None


def test_aware_datetime_is_written_in_local_time():
    # 00:30 UTC is 08:30 in Asia/Shanghai, the time a user there expects to see.
    written = datetime(2025, 9, 1, 0, 30, tzinfo=UTC)
    cell = open_workbook(write_workbook([Sheet("日志", ["时间"], [[written]])])).active["A2"]
    assert cell.value == datetime(2025, 9, 1, 8, 30)
    assert cell.number_format == "yyyy-mm-dd hh:mm"


def test_column_number_format_is_applied():
    sheet = Sheet("成绩", ["姓名", "得分率"], [["张三", Decimal("0.8567")]], number_formats={1: "0.00%"})
    cell = open_workbook(write_workbook([sheet])).active["B2"]
    assert cell.number_format == "0.00%"


def test_several_sheets_with_header_frozen_and_rows_from_a_generator():
    def rows():
        yield from ([f"学校{i}", i] for i in range(1, 4))

    workbook = open_workbook(
        write_workbook([Sheet("学校", ["名称", "序号"], rows()), Sheet("说明", ["说明"], [["仅供测试"]])])
    )
    assert workbook.sheetnames == ["学校", "说明"]
    schools = workbook["学校"]
    assert [[c.value for c in row] for row in schools.iter_rows()] == [
        ["名称", "序号"],
        ["学校1", 1],
        ["学校2", 2],
        ["学校3", 3],
    ]
    assert schools.freeze_panes == "A2"
    assert schools["A1"].font.bold
    assert workbook["说明"]["A2"].value == "仅供测试"


def test_text_of_gives_codes_their_digits():
    assert text_of(2122000001.0) == "2122000001"
    assert text_of(2122000001) == "2122000001"
    assert text_of("  甲小学 ") == "甲小学"
    assert text_of(None) == ""
    assert text_of(2.5) == "2.5"


# ---- Download responses ---------------------------------------------------------------------------


def test_xlsx_response_names_a_chinese_file_the_rfc_5987_way():
    response = xlsx_response("学校名单-20250901.xlsx", b"content")
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('学校名单-20250901.xlsx')}" in disposition
    assert response.content == b"content"


def test_xlsx_response_adds_the_extension():
    response = xlsx_response("学校名单", b"x")
    assert "filename*=utf-8''" + quote("学校名单.xlsx") in response["Content-Disposition"]


def test_xlsx_response_plain_ascii_name():
    assert xlsx_response("report", b"x")["Content-Disposition"] == 'attachment; filename="report.xlsx"'


def test_export_response_is_a_readable_workbook():
    response = export_response("成绩", [Sheet("成绩", ["姓名"], [["张三"]])])
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert open_workbook(response.content).active["A2"].value == "张三"


# ---- Import templates -----------------------------------------------------------------------------

TEMPLATE_COLUMNS = [
    TemplateColumn("学校标识码", 14, note="10位数字", text=True),
    TemplateColumn("学校名称", 30),
    TemplateColumn("办别", choices=["公办", "民办", "其他"], note="从下拉列表中选择"),
]


def test_template_has_the_header_and_comments_with_the_rules():
    worksheet = open_workbook(template_workbook("学校导入", TEMPLATE_COLUMNS)).active
    assert worksheet.title == "学校导入"
    assert [cell.value for cell in worksheet[1]] == ["学校标识码", "学校名称", "办别"]
    assert worksheet["A1"].comment.text == "10位数字"
    assert worksheet["B1"].comment is None
    assert worksheet["C1"].comment.text == "从下拉列表中选择"
    assert worksheet.column_dimensions["B"].width == 30
    assert worksheet.freeze_panes == "A2"


def test_template_offers_a_drop_down_list_for_a_column_with_choices():
    workbook = open_workbook(template_workbook("学校导入", TEMPLATE_COLUMNS))
    validations = workbook.active.data_validations.dataValidation
    assert len(validations) == 1
    validation = validations[0]
    assert validation.type == "list"
    assert validation.formula1 == "'选项'!$C$1:$C$3"
    assert str(validation.sqref) == "C2:C5000"
    assert validation.showErrorMessage
    assert "办别" in validation.error
    options = workbook["选项"]
    assert options.sheet_state == "hidden"
    assert [options.cell(row=row, column=3).value for row in (1, 2, 3)] == ["公办", "民办", "其他"]


def test_template_text_column_keeps_leading_zeros():
    worksheet = open_workbook(template_workbook("学校导入", TEMPLATE_COLUMNS)).active
    assert worksheet["A2"].number_format == "@"
    assert worksheet["A1001"].number_format == "@"
    assert worksheet["B2"].number_format == "General"


def test_template_example_row_sits_right_under_the_header():
    # With a text column the template formats rows 2–1001; the example must still be row 2, not
    # row 1002, where a user would never see it and an import would read it as data.
    content = template_workbook("学校导入", TEMPLATE_COLUMNS, [["2122000101", "示范小学", "公办"]])
    worksheet = open_workbook(content).active
    assert [cell.value for cell in worksheet[2]] == ["2122000101", "示范小学", "公办"]
    assert read_table(content, "学校导入.xlsx").rows == [(2, ["2122000101", "示范小学", "公办"])]


def test_template_example_without_text_columns_is_row_two_and_formula_safe():
    columns = [TemplateColumn("姓名"), TemplateColumn("备注")]
    worksheet = open_workbook(template_workbook("教师导入", columns, [["王老师", "=1+1"]])).active
    assert worksheet["A2"].value == "王老师"
    assert (worksheet["B2"].value, worksheet["B2"].data_type) == ("=1+1", "s")


def test_template_is_accepted_by_check_upload():
    check_upload(template_workbook("学校导入", TEMPLATE_COLUMNS), "学校导入.xlsx")


# ---- Reading ----------------------------------------------------------------------------------------


def test_read_table_gives_header_and_plain_rows_with_spreadsheet_row_numbers():
    content = openpyxl_bytes(
        [
            [" 学校标识码 ", "学校名称", "学生人数", None],
            [2122000001, "  甲小学  ", 1200],
            [None, None, None],
            ["2122000002", "乙小学", 35.5],
            ["   ", None, None],
            [None, "丙小学"],
        ]
    )
    table = read_table(content, "学校.xlsx")
    assert table.header == ["学校标识码", "学校名称", "学生人数"]
    assert table.rows == [
        (2, [2122000001, "甲小学", 1200]),
        (4, ["2122000002", "乙小学", 35.5]),
        (6, [None, "丙小学", None]),
    ]
    code = table.rows[0][1][0]
    assert type(code) is int
    assert text_of(code) == "2122000001"


def test_read_table_drops_values_under_no_header():
    table = read_table(openpyxl_bytes([["姓名"], ["张三", "多余"], [None, "只有多余"]]), "x.xlsx")
    assert table.rows == [(2, ["张三"])]


def test_read_table_reads_dates():
    table = read_table(openpyxl_bytes([["日期"], [date(2025, 9, 1)]]), "x.xlsx")
    assert table.rows == [(2, [date(2025, 9, 1)])]


def test_read_table_strips_control_characters():
    # openpyxl refuses to write them, an old .xls can hold them.
    table = read_table(legacy_xls([["备注\x01"], ["a\x02b\x1f"]]), "x.xls")
    assert table.header == ["备注"]
    assert table.rows == [(2, ["ab"])]


def test_read_table_keeps_formula_like_text_as_text():
    table = read_table(write_workbook([Sheet("s", ["备注"], [["=1+1"], ["@SUM(A1)"]])]), "x.xlsx")
    assert table.rows == [(2, ["=1+1"]), (3, ["@SUM(A1)"])]


def test_read_table_round_trips_our_own_export():
    rows = [["2122000001", "甲小学", Decimal("98.5")], ["2122000002", "乙小学", 0]]
    table = read_table(write_workbook([Sheet("学校", ["学校标识码", "学校名称", "得分"], rows)]), "学校.xlsx")
    assert table.header == ["学校标识码", "学校名称", "得分"]
    assert table.rows == [(2, ["2122000001", "甲小学", 98.5]), (3, ["2122000002", "乙小学", 0])]


def test_read_table_reads_a_legacy_xls():
    content = legacy_xls(
        [["学校标识码", "学校名称"], [2122000001, "  甲小学 "], [None, None], ["2122000002", "乙小学"]]
    )
    table = read_table(content, "学校名单.xls")
    assert table.header == ["学校标识码", "学校名称"]
    assert table.rows == [(2, [2122000001, "甲小学"]), (4, ["2122000002", "乙小学"])]


def test_read_table_refuses_an_empty_first_sheet():
    with pytest.raises(WorkbookRejected, match="第一张工作表是空的"):
        read_table(openpyxl_bytes([]), "空.xlsx")


def test_read_table_refuses_too_many_rows():
    content = openpyxl_bytes([["姓名"], *([f"学生{i}"] for i in range(6))])
    assert len(read_table(content, "x.xlsx", max_rows=6).rows) == 6
    with pytest.raises(WorkbookRejected, match="数据行超过上限 5 行"):
        read_table(content, "x.xlsx", max_rows=5)


def test_read_table_refuses_a_workbook_that_cannot_be_parsed():
    content = zip_bytes({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "not xml at all"})
    with pytest.raises(WorkbookRejected, match="无法读取该工作簿"):
        read_table(content, "坏.xlsx")


def test_read_table_refuses_a_broken_xls():
    with pytest.raises(WorkbookRejected, match="无法读取该工作簿"):
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000), "坏.xls")


def test_read_table_checks_the_upload_first():
    with pytest.raises(WorkbookRejected, match="不是有效的 Excel 工作簿"):
        read_table("学校标识码,学校名称\n2122000001,甲小学\n".encode(), "学校.xlsx")


# ---- Upload checks ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """A 'workbook' whose one sheet inflates to 300 MB of zeros from a few hundred KB."""
    buffer = io.BytesIO()
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(300):
                member.write(chunk)
    return buffer.getvalue()


def test_zip_bomb_is_refused(zip_bomb):
    assert len(zip_bomb) < 2 * 1024 * 1024
    with pytest.raises(WorkbookRejected, match="疑似压缩炸弹"):
        check_upload(zip_bomb, "成绩.xlsx")


def test_file_over_the_size_limit_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    content = b"PK\x03\x04" + bytes(1024 * 1024)
    with pytest.raises(WorkbookRejected, match="文件过大") as rejected:
        check_upload(content, "成绩.xlsx")
    assert "上限为 1 MB" in str(rejected.value)


def test_file_exactly_at_the_size_limit_is_accepted(settings):
    content = write_workbook([Sheet("s", ["a"], [["b"]])])
    settings.UPLOAD_MAX_BYTES = len(content)
    check_upload(content, "成绩.xlsx")
    settings.UPLOAD_MAX_BYTES = len(content) - 1
    with pytest.raises(WorkbookRejected, match="文件过大"):
        check_upload(content, "成绩.xlsx")


MACRO_WORKBOOK = {
    "[Content_Types].xml": "<Types/>",
    "xl/workbook.xml": "<workbook/>",
    "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro",
}


@pytest.mark.parametrize(
    ("content", "filename", "phrase"),
    [
        pytest.param(b"", "empty.xlsx", "不是有效的 Excel 工作簿", id="empty"),
        pytest.param("学校标识码,学校名称\n2122000001,甲小学\n".encode(), "学校.xlsx", "另存为 .xlsx", id="csv"),
        pytest.param("\ufeff学校标识码,学校名称\n".encode(), "学校.xlsx", "不是有效的 Excel 工作簿", id="csv-bom"),
        pytest.param(b"<html><table></table></html>", "学校.xls", "不是有效的 Excel 工作簿", id="html-as-xls"),
        pytest.param(b"%PDF-1.7 ...", "学校.xlsx", "不是有效的 Excel 工作簿", id="pdf"),
        pytest.param(b"PK\x03\x04 this is not really a zip", "学校.xlsx", "文件已损坏", id="broken-zip"),
        pytest.param(zip_bytes({"readme.txt": "hello"}), "学校.xlsx", "不是有效的 Excel 工作簿（.xlsx）", id="zip"),
        pytest.param(
            zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}),
            "学校.xlsx",
            "不是有效的 Excel 工作簿（.xlsx）",
            id="docx",
        ),
        pytest.param(zip_bytes(MACRO_WORKBOOK), "学校.xlsx", "不接受含宏的工作簿", id="vba-project"),
        pytest.param(openpyxl_bytes([["a"]]), "学校.xlsm", "不接受含宏的工作簿", id="xlsm-name"),
        pytest.param(openpyxl_bytes([["a"]]), "学校.XLSM", "不接受含宏的工作簿", id="xlsm-upper-case"),
        pytest.param(openpyxl_bytes([["a"]]), "学校.xltm", "不接受含宏的工作簿", id="xltm-name"),
        pytest.param(legacy_xls([["a"]]), "学校.xlsx", "扩展名不符", id="ole2-named-xlsx"),
        pytest.param(legacy_xls([["a"]]), "学校.doc", "扩展名不符", id="ole2-named-doc"),
    ],
)
def test_check_upload_refuses_what_is_not_a_plain_workbook(content, filename, phrase):
    with pytest.raises(WorkbookRejected, match=phrase):
        check_upload(content, filename)


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        pytest.param(openpyxl_bytes([["学校标识码"], ["2122000001"]]), "学校.xlsx", id="xlsx"),
        pytest.param(openpyxl_bytes([["学校标识码"]]), "学校.XLSX", id="xlsx-upper-case"),
        pytest.param(write_workbook([Sheet("s", ["a"], [[1]] * 1000)]), "导出.xlsx", id="our-export"),
        pytest.param(legacy_xls([["学校标识码"], [2122000001]]), "学校.xls", id="xls"),
        pytest.param(legacy_xls([["学校标识码"]]), "学校.XLS", id="xls-upper-case"),
    ],
)
def test_check_upload_accepts_plain_workbooks(content, filename):
    check_upload(content, filename)


# A sheet's extent: what python-calamine would allocate is judged from every cell reference.


def big_sheet(rows: int = 60_000, *, dimension: str | None = None, extra: str = "") -> bytes:
    """A sheet of several MB (past the check's first part), written as XML, like the city's score
    sheets; `extra` goes in after the last row, `dimension` is the range the sheet states."""
    body = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>G{n:018d}</t></is></c><c r="B{n}"><v>{n % 100}</v></c>'
        f'<c r="C{n}"><v>{n % 7}.5</v></c></row>'
        for n in range(1, rows + 1)
    )
    stated = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'{stated}<sheetData>{body}{extra}</sheetData><pageMargins header="0.5" footer="0.5"/></worksheet>'
    )
    parts = {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>", "xl/worksheets/sheet1.xml": sheet}
    return zip_bytes(parts)


@pytest.mark.parametrize(
    ("dimension", "extra"),
    [
        pytest.param(None, '<row r="60001"><c r="ZZ300000"><v>1</v></c></row>', id="lone-far-cell"),
        pytest.param(None, '<row r="2000000"><c r="A2000000"><v>1</v></c></row>', id="row-beyond-excel"),
        pytest.param(None, '<row r="40000000"><c r="Z40000000"><v>1</v></c></row>', id="row-of-eight-digits"),
        pytest.param(None, '<row r="60001"><c r="AAAA60001"><v>1</v></c></row>', id="column-of-four-letters"),
        pytest.param("A1:C60000", '<row r="60000"><c r="A0060001"><v>1</v></c></row>', id="far-row-with-leading-zeros"),
        pytest.param("A1:C60000", '<row r="60001"><c r="A60001"><v>1</v></c></row>', id="row-beyond-the-stated"),
        pytest.param("A1:C60000", '<row r="60000"><c r="D60000"><v>1</v></c></row>', id="column-beyond-the-stated"),
        pytest.param("A1:XFD1048576", "", id="stated-whole-sheet"),
    ],
)
def test_a_sheet_whose_cells_reach_beyond_what_it_states_or_a_reader_holds_is_refused(dimension, extra):
    with pytest.raises(WorkbookRejected, match="数据范围异常"):
        check_upload(big_sheet(dimension=dimension, extra=extra), "成绩.xlsx")


@pytest.mark.parametrize(
    ("dimension", "extra"),
    [
        pytest.param(None, "", id="no-stated-range"),
        pytest.param("A1:C60000", "", id="stated-exactly"),
        pytest.param("A1:C60001", "", id="stated-a-row-more"),
        pytest.param(None, '<row r="60001"><c r="H60001"><v>1</v></c></row>', id="a-note-in-a-later-column"),
        pytest.param(None, '<row r="60001"><c r="B60001"><is><t>r="ZZ300000"</t></is></c></row>', id="text-like-a-ref"),
        pytest.param(None, '<row r="1000000"><c r="C1000000"><v>1</v></c></row>', id="far-row-within-limits"),
    ],
)
def test_a_large_sheet_within_its_extent_is_accepted(dimension, extra):
    check_upload(big_sheet(dimension=dimension, extra=extra), "成绩.xlsx")


# ---- Header problems --------------------------------------------------------------------------------

EXPECTED = ["学校标识码", "学校名称"]


@pytest.mark.parametrize(
    "header",
    [
        ["学校标识码", "学校名称"],
        ["学校名称", "学校标识码"],
        ["学校标识码", "学校名称", "备注"],
        ["学校标识码", "", "学校名称"],
    ],
)
def test_header_with_every_required_column_has_no_problems(header):
    assert header_problems(header, EXPECTED, optional=["备注"]) == []


def test_missing_header_is_reported():
    problems = header_problems(["学校标识码"], EXPECTED)
    assert problems == [Problem(1, "学校名称", "缺少必需的列“学校名称”，请使用下载的模板。")]


def test_unknown_header_is_reported_with_its_column_letter():
    problems = header_problems(["学校标识码", "学校名称", "校长"], EXPECTED)
    assert len(problems) == 1
    assert problems[0].row == 1
    assert problems[0].column == "校长"
    assert "第C列" in problems[0].message
    assert "不是模板中的列" in problems[0].message


def test_duplicated_header_is_reported_once():
    problems = header_problems(["学校标识码", "学校名称", "学校名称"], EXPECTED)
    assert problems == [Problem(1, "学校名称", "表头“学校名称”重复出现。")]


def test_every_header_problem_is_reported_together():
    problems = header_problems(["学号", "学号"], EXPECTED)
    messages = [p.message for p in problems]
    assert sum("不是模板中的列" in m for m in messages) == 2
    assert sum("重复出现" in m for m in messages) == 1
    assert sum("缺少必需的列" in m for m in messages) == 2


def test_problem_as_dict():
    assert Problem(3, "学校名称", "不能为空。").as_dict() == {"row": 3, "column": "学校名称", "message": "不能为空。"}


# ---- Marked workbook --------------------------------------------------------------------------------

PROBLEM_FILL = "00FFC7CE"


def marked_table():
    return Table(
        header=["学校标识码", "学校名称"],
        rows=[(2, ["2122000001", "甲小学"]), (3, ["21220", "乙小学"]), (5, ["2122000003", "=HYPERLINK(1)"])],
    )


def test_marked_workbook_fills_and_comments_the_bad_cells():
    problems = [
        Problem(3, "学校标识码", "学校标识码应为10位数字。"),
        Problem(3, "学校标识码", "学校标识码前两位应为21。"),
        Problem(5, "学校名称", "学校名称不能以=开头。"),
    ]
    worksheet = open_workbook(marked_workbook(marked_table(), problems)).worksheets[0]
    assert worksheet.title == "数据（已标注问题）"
    bad_code = worksheet["A3"]
    assert bad_code.value == "21220"
    assert bad_code.fill.fgColor.rgb == PROBLEM_FILL
    assert bad_code.comment.text == "学校标识码应为10位数字。\n学校标识码前两位应为21。"
    good = worksheet["A2"]
    assert good.fill.fgColor.rgb != PROBLEM_FILL
    assert good.comment is None
    assert worksheet["B3"].comment is None


def test_marked_workbook_lists_every_problem_in_a_sheet():
    problems = [
        Problem(1, "学校名称", "缺少必需的列“学校名称”。"),
        Problem(3, "学校标识码", "学校标识码应为10位数字。"),
        Problem(5, "", "该行与第2行重复。"),
        Problem(9, "学校名称", "不在表中的行也要列出。"),
    ]
    listing = open_workbook(marked_workbook(marked_table(), problems))["问题清单"]
    assert [[cell.value for cell in row] for row in listing.iter_rows()] == [
        ["行号", "列", "问题"],
        [1, "学校名称", "缺少必需的列“学校名称”。"],
        [3, "学校标识码", "学校标识码应为10位数字。"],
        [5, None, "该行与第2行重复。"],
        [9, "学校名称", "不在表中的行也要列出。"],
    ]


def test_marked_rows_keep_their_spreadsheet_row_numbers():
    # The page and 问题清单 say "row 5"; in the workbook handed back, row 5 must be that row, even
    # though the upload had a blank row 4.
    problems = [Problem(5, "学校标识码", "学校标识码重复。")]
    worksheet = open_workbook(marked_workbook(marked_table(), problems)).worksheets[0]
    assert worksheet["A5"].value == "2122000003"
    assert worksheet["A5"].fill.fgColor.rgb == PROBLEM_FILL
    assert worksheet["A5"].comment.text == "学校标识码重复。"


def test_marked_workbook_marks_header_and_whole_row_problems():
    problems = [Problem(1, "学校名称", "表头“学校名称”重复出现。"), Problem(3, "", "该行与第2行重复。")]
    worksheet = open_workbook(marked_workbook(marked_table(), problems)).worksheets[0]
    assert worksheet["B1"].comment.text == "表头“学校名称”重复出现。"
    assert worksheet["A3"].fill.fgColor.rgb == PROBLEM_FILL
    assert worksheet["A3"].comment.text == "该行与第2行重复。"


def test_marked_workbook_echoes_uploaded_text_without_formulas():
    table = Table(header=["=cmd"], rows=[(2, ["=HYPERLINK(1)"]), (3, ["+1"])])
    problems = [Problem(2, "=cmd", "=bad message")]
    content = marked_workbook(table, problems)
    workbook = open_workbook(content)
    data = workbook.worksheets[0]
    assert [(c.value, c.data_type) for c in (data["A1"], data["A2"])] == [("=cmd", "s"), ("=HYPERLINK(1)", "s")]
    listing = workbook["问题清单"]
    assert (listing["B2"].value, listing["B2"].data_type) == ("=cmd", "s")
    assert (listing["C2"].value, listing["C2"].data_type) == ("=bad message", "s")
    assert "<f>" not in sheet_xml(content)


def test_marked_workbook_with_no_problems_has_an_empty_listing():
    workbook = open_workbook(marked_workbook(marked_table(), []))
    assert workbook["问题清单"].max_row == 1
