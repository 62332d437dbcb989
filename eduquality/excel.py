"""Excel in and out, written once for every app.

Writing (openpyxl): a workbook never holds a formula. A text cell that starts with =, +, -, @, a tab
or a carriage return stays text, and control characters are stripped. Exports are a header plus a
row generator per sheet; the response names the file in Chinese the RFC 5987 way.

Reading (python-calamine, which reads .xlsx and the legacy .xls): the file is checked before it is
parsed (size, real workbook, no macros, no zip bomb), then handed over as a header and rows of
plain values, each row with its spreadsheet row number, for an importer to validate whole before
one atomic save. Problems go back to the user as a list and as the workbook with the bad cells
marked and commented.
"""

import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineError, CalamineWorkbook

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/?*\[\]:]")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_PROBLEM_FILL = PatternFill("solid", fgColor="FFC7CE")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A zip that inflates to more than this many times its size is treated as a zip bomb.
_MAX_COMPRESSION_RATIO = 200
_MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
_MAX_MEMBER_RATIO = 1000  # one part alone (a sheet of blanks compresses well, but not this well)
# A sheet python-calamine can hold: it allocates the whole rectangle of the sheet's extent.
_MAX_SHEET_ROWS = 1_048_576
_MAX_SHEET_COLUMNS = 16_384
_MAX_SHEET_CELLS = 20_000_000
_WORKSHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_DIMENSION = re.compile(rb"<dimension\s+ref=\"\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?\"")
# Any length: python-calamine reads r="A40000000" as row 40 million (and aborts allocating it).
_CELL_COLUMN = re.compile(rb"<c\b[^>]*?\br=\"([A-Z]+)\d+\"")
_CELL_ROW = re.compile(rb"<c\b[^>]*?\br=\"[A-Z]+(\d+)\"")
_ROW_REFERENCE = re.compile(rb"<row\b[^>]*?\br=\"(\d+)\"")
_ROOT_ELEMENT = re.compile(rb"<[A-Za-z_]")


# ---- Writing --------------------------------------------------------------------------------------


def safe_text(value: str) -> str:
    return _CONTROL_CHARACTERS.sub("", value)


def sheet_title(title: str) -> str:
    """A title Excel accepts: no \\ / ? * [ ] :, at most 31 characters, not empty, no leading quote."""
    cleaned = _SHEET_TITLE_FORBIDDEN.sub("_", safe_text(str(title))).strip("'")[:31]
    return cleaned or "Sheet"


def cell_value(value):
    """The value to put in a cell: text cleaned, Decimals and dates kept, aware datetimes local."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, (int, float, Decimal, date)):
        return value
    return safe_text(str(value))


def _pin_text(cell) -> None:
    """openpyxl turns any string starting with '=' into a formula; force text for every string."""
    if isinstance(cell.value, str):
        cell.data_type = "s"


PERCENT_FORMAT = "0.0%"  # a rate written as the number it is (0.857) and shown as 85.7%


def formats_of(header: Sequence[str], formats: dict[str, str]) -> dict[int, str]:
    """`Sheet.number_formats` by column title: {"优秀率": PERCENT_FORMAT} → {8: "0.0%"}."""
    return {index: formats[title] for index, title in enumerate(header) if title in formats}


@dataclass
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    widths: Sequence[int] = ()
    number_formats: dict[int, str] = field(default_factory=dict)  # column index → format


def write_workbook(sheets: Iterable[Sheet]) -> bytes:
    """A streaming (write-only) workbook with the given sheets."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=sheet_title(sheet.title))
        for index, width in enumerate(sheet.widths or [max(10, len(h) * 2 + 4) for h in sheet.header], start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = width
        worksheet.freeze_panes = "A2"
        header_cells = []
        for title in sheet.header:
            cell = WriteOnlyCell(worksheet, value=cell_value(title))
            cell.font = _HEADER_FONT
            cell.fill = _HEADER_FILL
            _pin_text(cell)
            header_cells.append(cell)
        worksheet.append(header_cells)
        for row in sheet.rows:
            cells = []
            for index, value in enumerate(row):
                cell = WriteOnlyCell(worksheet, value=cell_value(value))
                _pin_text(cell)
                if index in sheet.number_formats:
                    cell.number_format = sheet.number_formats[index]
                elif isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd" if not isinstance(cell.value, datetime) else "yyyy-mm-dd hh:mm"
                cells.append(cell)
            worksheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, content: bytes) -> HttpResponse:
    """An attachment download; a Chinese file name survives every browser (RFC 5987 filename*)."""
    if not filename.endswith(".xlsx"):
        filename += ".xlsx"
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def export_response(filename: str, sheets: Iterable[Sheet]) -> HttpResponse:
    return xlsx_response(filename, write_workbook(sheets))


@dataclass
class TemplateColumn:
    header: str
    width: int = 16
    choices: Sequence[str] = ()  # a drop-down list in the sheet
    note: str = ""  # the column's rule, shown as a comment on its header
    text: bool = False  # format the column as text so codes keep their leading zeros
    decimal_range: tuple[Decimal, Decimal] | None = None  # a number in this range, or the word 缺考


def template_workbook(title: str, columns: Sequence[TemplateColumn], examples: Sequence[Sequence] = ()) -> bytes:
    """An import template: headers with their rules as comments, drop-downs, text columns, examples."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet_title(title)
    lists = workbook.create_sheet("选项")
    lists.sheet_state = "hidden"
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        header = safe_text(column.header)  # names come from records (subjects): no control characters
        cell = worksheet.cell(row=1, column=index, value=header)
        _pin_text(cell)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        if column.note:
            cell.comment = Comment(safe_text(column.note), "eduquality")
        worksheet.column_dimensions[letter].width = column.width
        if column.text:
            for row in range(2, 1002):
                worksheet.cell(row=row, column=index).number_format = "@"
        if column.decimal_range:
            low, high = column.decimal_range
            first = f"{letter}2"
            validation = DataValidation(
                type="custom",
                formula1=f'OR(AND(ISNUMBER({first}),{first}>={low},{first}<={high}),{first}="缺考")',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="分数有误",
                error=f"{header}应为 {low}—{high} 之间的数（可为半分），缺考请填“缺考”。",
            )
            worksheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}300000")
        if column.choices:
            for row, choice in enumerate(column.choices, start=1):
                _pin_text(lists.cell(row=row, column=index, value=cell_value(choice)))
            validation = DataValidation(
                type="list",
                formula1=f"'选项'!${letter}$1:${letter}${len(column.choices)}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="输入有误",
                error=f"请从下拉列表中选择{header}。",
            )
            worksheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}5000")
    # Examples go right under the header (append would land below the text-formatted rows).
    for row_number, row in enumerate(examples, start=2):
        for column_number, value in enumerate(row, start=1):
            _pin_text(worksheet.cell(row=row_number, column=column_number, value=cell_value(value)))
    worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---- Reading --------------------------------------------------------------------------------------


class WorkbookRejected(Exception):
    """The file is not a workbook we will read; the message is for the user."""


@dataclass(frozen=True)
class Problem:
    row: int  # the spreadsheet's row number (the header is row 1)
    column: str  # the column's header, or "" for the whole row
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list]]  # (row number, values), blank rows left out


def check_upload(content: bytes, filename: str) -> None:
    """Refuse what is not a plain .xlsx or .xls before any parser sees it: too large, not a
    workbook (a renamed CSV), macros, a zip bomb (judged on the zip's central directory), an XML
    document type (entity bomb), a sheet whose extent lies or would blow up the reader."""
    limit = settings.UPLOAD_MAX_BYTES
    if len(content) > limit:
        raise WorkbookRejected(f"文件过大（{len(content) / 1048576:.1f} MB），上限为 {limit // 1048576} MB。")
    name = filename.lower()
    if name.endswith((".xlsm", ".xltm", ".xlsb", ".xlam")):
        raise WorkbookRejected("不接受含宏的工作簿（.xlsm），请另存为 .xlsx 后上传。")
    if content.startswith(_OLE2_MAGIC):
        if not name.endswith(".xls"):
            raise WorkbookRejected("文件内容是旧版 .xls 工作簿，但扩展名不符，请确认文件。")
        return
    if not content.startswith(b"PK\x03\x04"):
        raise WorkbookRejected(
            "文件不是有效的 Excel 工作簿（.xlsx 或 .xls）。CSV 等文本文件请在 Excel 中另存为 .xlsx。"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise WorkbookRejected("文件已损坏，无法作为 Excel 工作簿打开。") from exc
    with archive:
        names = {member.filename for member in archive.infolist()}
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise WorkbookRejected("文件不是有效的 Excel 工作簿（.xlsx）。")
        check_office_archive(archive, what="工作簿")
        for member in archive.infolist():
            if _WORKSHEET_PART.match(member.filename):
                _check_sheet_extent(archive, member)


def check_uploaded_file(upload) -> None:
    """`check_upload` for a form's uploaded file, at upload time: a refused file is never stored."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise WorkbookRejected(f"文件过大（{upload.size / 1048576:.1f} MB），上限为 {limit // 1048576} MB。")
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    check_upload(content, upload.name or "")


def check_office_archive(archive: zipfile.ZipFile, *, what: str = "文件") -> None:
    """The checks every Office Open XML upload (workbook, document, presentation) goes through,
    made on the zip's central directory and the parts' prologues before any parser sees them."""
    members = archive.infolist()
    if any(m.filename.lower().endswith("vbaproject.bin") for m in members):
        raise WorkbookRejected(f"不接受含宏的{what}，请另存为不含宏的格式（如 .xlsx、.docx）后上传。")
    total = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    if (
        total > _MAX_UNCOMPRESSED_BYTES
        or total / packed > _MAX_COMPRESSION_RATIO
        or any(m.file_size / max(m.compress_size, 1) > _MAX_MEMBER_RATIO for m in members)
    ):
        raise WorkbookRejected(f"{what}解压后体积异常（疑似压缩炸弹），已拒绝。")
    if "[Content_Types].xml" in {m.filename for m in members}:
        with archive.open("[Content_Types].xml") as handle:
            if b"macroEnabled" in handle.read(1024 * 1024):
                raise WorkbookRejected(f"不接受含宏的{what}，请另存为不含宏的格式（如 .xlsx、.docx）后上传。")
    for member in members:
        if member.filename.lower().endswith((".xml", ".rels", ".vml")) and _has_doctype(archive, member):
            raise WorkbookRejected(f"{what}中含有 XML 文档类型声明（可能是实体炸弹），已拒绝。")


def office_upload_problem(upload, *, what: str) -> str | None:
    """Why an uploaded Office Open XML file (.docx, .xlsx, .pptx) is refused — macros, a zip bomb,
    an XML entity declaration, a broken archive — or None. The upload is left at its start."""
    try:
        with zipfile.ZipFile(upload) as archive:
            check_office_archive(archive, what=what)
    except zipfile.BadZipFile:
        return f"{what}已损坏，无法打开。"
    except WorkbookRejected as rejected:
        return str(rejected)
    finally:
        upload.seek(0)
    return None


def _has_doctype(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """A DOCTYPE can only come before the root element: read the prologue, up to 64 KB."""
    with archive.open(member) as handle:
        prologue = b""
        while len(prologue) < 65536:
            chunk = handle.read(4096)
            if not chunk:
                break
            prologue += chunk
            root = _ROOT_ELEMENT.search(prologue)
            if root:
                return b"<!DOCTYPE" in prologue[: root.start()].upper() or b"<!ENTITY" in prologue[: root.start()]
        return b"<!DOCTYPE" in prologue.upper() or len(prologue) >= 65536


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _check_sheet_extent(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """The cells must lie inside the range the sheet states, and the range must be one a reader can
    hold in memory (python-calamine allocates the whole rectangle: a lone cell at ZZ300000 means
    210 million). A quick pass decides an ordinary sheet; anything it is unsure of is scanned exactly."""
    if not _within_quick_bounds(archive, member):
        _scan_sheet_extent(archive, member)


def _sheet_parts(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> Iterator[bytes]:
    """The sheet's XML in parts of a few MB, each starting with the last bytes of the one before:
    a reference cut at a part's end is seen whole in the next."""
    tail = b""
    with archive.open(member) as handle:
        while chunk := handle.read(4 * 1024 * 1024):
            text = tail + chunk
            yield text
            tail = text[-64:]


def _within_quick_bounds(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """True when every reference lies within bounds that pass every limit: the columns used in the
    sheet's first part, and the rows those columns allow (capped by the stated range). One regex
    search per part looks for a reference beyond them, with a margin of error only on the cautious
    side (a leading zero, text that looks like a reference): a city's score sheet has millions of
    cells, and the exact scan's step per cell costs a second."""
    beyond = None
    for text in _sheet_parts(archive, member):
        if beyond is None:
            columns = set(_CELL_COLUMN.findall(text))
            if not columns:
                return False  # no cell in the first part: unusual, scan exactly
            column_bound = max(map(_column_number, columns))
            row_bound = min(_MAX_SHEET_ROWS, _MAX_SHEET_CELLS // column_bound)
            column_limit = _MAX_SHEET_COLUMNS
            if stated := _DIMENSION.search(text):
                end_row, end_column = _end_of(stated)
                if _too_large(end_row, end_column):
                    return False
                row_bound, column_limit = min(row_bound, end_row), end_column
            if column_bound > column_limit:
                return False
            beyond = re.compile(
                b'r="(?:' + _letters_above(column_bound) + b"|[A-Z]*+(?:0[0-9]|" + _number_above(row_bound) + b"))"
            )
        elif b"<dimension" in text:
            return False  # a range stated after the cells began: unusual, scan exactly
        if beyond.search(text):
            return False
    return beyond is not None


def _letters_above(column: int) -> bytes:
    """A regex for the column letters after `column` (a longer run, or as long and later)."""
    letters = get_column_letter(column)
    choices = [f"[A-Z]{{{len(letters) + 1}}}"]
    for index, letter in enumerate(letters):
        if letter != "Z":
            rest = len(letters) - index - 1
            choices.append(letters[:index] + f"[{chr(ord(letter) + 1)}-Z]" + f"[A-Z]{{{rest}}}" * bool(rest))
    return "|".join(choices).encode()


def _number_above(number: int) -> bytes:
    """A regex for the numbers (no leading zero) above `number`, nested by digit so that it gives
    up on an ordinary number after a character or two."""
    digits = str(number)

    def as_long_and_above(digits: str) -> str:
        first, rest = digits[0], digits[1:]
        choices = [f"[{int(first) + 1}-9]" + f"[0-9]{{{len(rest)}}}" * bool(rest)] if first != "9" else []
        if rest and (deeper := as_long_and_above(rest)):
            choices.append(f"{first}(?:{deeper})")
        return "|".join(choices)

    longer = f"[1-9][0-9]{{{len(digits)}}}"
    same_length = as_long_and_above(digits)
    return (f"{longer}|{same_length}" if same_length else longer).encode()


def _end_of(stated: re.Match) -> tuple[int, int]:
    first_column, first_row, end_column, end_row = stated.groups()
    return int(end_row or first_row), _column_number(end_column or first_column)


def _scan_sheet_extent(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Every cell reference, scanned exactly (a streaming regex, no XML parser)."""
    stated = None
    last_row = last_column = 0
    for text in _sheet_parts(archive, member):
        if stated is None and (found := _DIMENSION.search(text)):
            stated = found
        # The few distinct column letters, and the row numbers, each found by one C-level scan.
        columns = set(_CELL_COLUMN.findall(text))
        if columns:
            last_column = max(last_column, *map(_column_number, columns))
        rows = _CELL_ROW.findall(text) + _ROW_REFERENCE.findall(text)
        if rows:
            # More digits than any row has: beyond every limit (and int() refuses 4,300 digits).
            last_row = max(last_row, max(map(int, rows)) if max(map(len, rows)) <= 9 else _MAX_SHEET_ROWS + 1)
    rejected = WorkbookRejected(
        "工作表的数据范围异常（声明的范围与实际内容不符或过大），已拒绝。请另存为新的 .xlsx 后上传。"
    )
    if _too_large(last_row, last_column):
        raise rejected
    if stated is not None:
        end_row, end_column = _end_of(stated)
        if _too_large(end_row, end_column) or last_row > end_row or last_column > end_column:
            raise rejected


def _too_large(rows: int, columns: int) -> bool:
    return rows > _MAX_SHEET_ROWS or columns > _MAX_SHEET_COLUMNS or rows * columns > _MAX_SHEET_CELLS


def _plain_cell(value):
    """Calamine's value as the importer wants it: text stripped, whole floats as ints, '' as None."""
    if isinstance(value, str):
        value = safe_text(value).strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def raw_rows(content: bytes, filename: str) -> Iterator[list]:
    """The first sheet's rows exactly as python-calamine gives them, after the upload checks.
    For importers whose volume calls for their own tight loop (scores)."""
    check_upload(content, filename)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        rows = workbook.get_sheet_by_index(0).iter_rows()
    except CalamineError as exc:
        raise WorkbookRejected("无法读取该工作簿，文件可能已损坏或受密码保护。") from exc
    return _guarded(rows)


def _guarded(rows) -> Iterator[list]:
    try:
        yield from rows
    except CalamineError as exc:
        raise WorkbookRejected("读取工作簿时出错，文件可能已损坏。") from exc


def clean_header(values: Sequence) -> list[str]:
    header = [str(_plain_cell(v) or "").strip() for v in values]
    while header and not header[-1]:
        header.pop()
    return header


def read_table(content: bytes, filename: str, *, max_rows: int = 500_000) -> Table:
    """The first sheet as a header and rows of plain values."""
    rows_iter = raw_rows(content, filename)
    header_row = next(rows_iter, None)
    if header_row is None:
        raise WorkbookRejected("工作簿第一张工作表是空的。")
    header = clean_header(header_row)
    rows = []
    for number, values in enumerate(rows_iter, start=2):
        plain = [_plain_cell(v) for v in values[: len(header)]]
        if any(v is not None for v in plain):
            plain.extend([None] * (len(header) - len(plain)))
            rows.append((number, plain))
            if len(rows) > max_rows:
                raise WorkbookRejected(f"数据行超过上限 {max_rows} 行，请分批导入。")
    return Table(header=header, rows=rows)


def header_problems(header: Sequence[str], expected: Sequence[str], optional: Sequence[str] = ()) -> list[Problem]:
    problems = []
    allowed = set(expected) | set(optional)
    for index, name in enumerate(header, start=1):
        letter = get_column_letter(index)
        if name and name not in allowed:
            problems.append(Problem(1, name, f"第{letter}列表头“{name}”不是模板中的列，请使用下载的模板。"))
        if name and list(header).count(name) > 1 and list(header).index(name) + 1 != index:
            problems.append(Problem(1, name, f"表头“{name}”重复出现。"))
    for name in expected:
        if name not in header:
            problems.append(Problem(1, name, f"缺少必需的列“{name}”，请使用下载的模板。"))
    return problems


def marked_workbook(table: Table, problems: Sequence[Problem]) -> bytes:
    """The workbook handed back: the data as read, every bad cell red with the reason as a comment,
    and a sheet listing every problem."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = "数据（已标注问题）"
    worksheet.append([cell_value(h) for h in table.header])
    for cell in worksheet[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        _pin_text(cell)
    # Each row keeps its own spreadsheet row number, so the list of problems matches the file.
    for number, values in table.rows:
        for column_number, value in enumerate(values, start=1):
            _pin_text(worksheet.cell(row=number, column=column_number, value=cell_value(value)))
    columns = {name: index for index, name in enumerate(table.header, start=1)}
    by_cell: dict[tuple[int, int], list[str]] = {}
    for problem in problems:
        column = columns.get(problem.column, 1)
        by_cell.setdefault((problem.row, column), []).append(problem.message)
    for (sheet_row, column), messages in by_cell.items():
        cell = worksheet.cell(row=sheet_row, column=column)
        cell.fill = _PROBLEM_FILL
        cell.comment = Comment("\n".join(messages), "eduquality", width=300, height=120)
    for index in range(1, len(table.header) + 1):
        worksheet.column_dimensions[get_column_letter(index)].width = 18
    listing = workbook.create_sheet("问题清单")
    listing.append(["行号", "列", "问题"])
    for cell in listing[1]:
        cell.font = _HEADER_FONT
    for problem in problems:
        listing.append([problem.row, cell_value(problem.column), cell_value(problem.message)])
        for cell in listing[listing.max_row]:
            _pin_text(cell)
    listing.column_dimensions["C"].width = 80
    for row in listing.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def text_of(value) -> str:
    """A cell as text: numbers typed into a code column come back as their digits."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
