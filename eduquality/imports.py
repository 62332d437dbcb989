"""Validate-everything-then-save imports from Excel, shared by every app.

An importer describes its columns, validates the whole table (collecting every problem with its row
and column) and saves the cleaned rows in one transaction. `run_import` is the single code path used
by the browser (through a job) and by management commands.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction

from eduquality import excel, jobs
from eduquality.excel import Problem, Table, TemplateColumn

Report = Callable[[int, str], None]


@dataclass
class ImportOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def summary(self) -> str:
        return f"导入完成：新增 {self.created} 条，更新 {self.updated} 条，未变化 {self.unchanged} 条。"


class ImportRejected(Exception):
    def __init__(self, message: str, problems: Sequence[Problem] = (), marked: bytes | None = None):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)
        self.marked = marked


class TableImporter:
    """Subclass and fill in `title`, `columns`, `validate` and `save`."""

    title: str = ""
    columns: Sequence[TemplateColumn] = ()
    optional_headers: Sequence[str] = ()
    examples: Sequence[Sequence] = ()

    def required_headers(self) -> list[str]:
        return [column.header for column in self.columns if column.header not in self.optional_headers]

    def template(self) -> bytes:
        return excel.template_workbook(self.title, self.columns, self.examples)

    def validate(self, table: Table, report: Report) -> tuple[list, list[Problem]]:
        raise NotImplementedError

    def save(self, cleaned: list, *, actor) -> ImportOutcome:
        raise NotImplementedError


def problems_message(count: int) -> str:
    return f"发现 {count} 处问题，未导入任何数据。请下载标注了问题的工作簿，修改后重新上传。"


def run_import(importer: TableImporter, content: bytes, filename: str, *, actor, report: Report) -> ImportOutcome:
    """Read, validate every row, then save all in one transaction — or raise ImportRejected."""
    report(2, "正在读取工作簿…")
    try:
        table = excel.read_table(content, filename)
    except excel.WorkbookRejected as rejected:
        raise ImportRejected(str(rejected)) from rejected
    problems = excel.header_problems(table.header, importer.required_headers(), importer.optional_headers)
    if not problems:
        if not table.rows:
            raise ImportRejected("工作簿中没有数据行。")
        report(10, f"正在校验 {len(table.rows)} 行数据…")
        cleaned, problems = importer.validate(table, report)
    if problems:
        problems.sort(key=lambda p: (p.row, p.column))
        raise ImportRejected(problems_message(len(problems)), problems, excel.marked_workbook(table, problems))
    report(80, "正在保存…")
    with transaction.atomic():
        return importer.save(cleaned, actor=actor)


def run_import_job(importer: TableImporter, job, report: Report) -> None:
    """The job handler body for an import: the upload is the job's input file."""
    with job.input_file.open("rb") as handle:
        content = handle.read()
    try:
        outcome = run_import(importer, content, job.input_file.name, actor=job.owner, report=report)
    except ImportRejected as rejected:
        if rejected.marked:
            job.result_name = f"{importer.title}-问题标注.xlsx"
            job.result_file.save("problems.xlsx", ContentFile(rejected.marked), save=False)
        raise jobs.JobRejected(rejected.message, [p.as_dict() for p in rejected.problems]) from rejected
    job.message = outcome.summary
