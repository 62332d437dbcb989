"""python manage.py import_scores EXAM_CODE FILE — the browser upload's code path, from a shell."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from eduquality.imports import ImportRejected
from monitoring.models import Exam
from monitoring.services import import_and_compute


class Command(BaseCommand):
    help = "导入一次质量监测的成绩（.xlsx 或 .xls），校验全部通过才保存，随后重新统计。"

    def add_arguments(self, parser):
        parser.add_argument("exam_code", help="监测编号")
        parser.add_argument("file", help="成绩工作簿")
        parser.add_argument("--problems-out", help="有问题时，把标注了问题的工作簿写到这里")

    def handle(self, exam_code, file, problems_out=None, **options):
        try:
            exam = Exam.objects.get(code=exam_code)
        except Exam.DoesNotExist as exc:
            raise CommandError(f"没有编号为 {exam_code} 的监测。") from exc
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件 {file}。")

        def report(percent: int, message: str) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"[{percent:3d}%] {message}")

        try:
            summary = import_and_compute(exam, path.read_bytes(), path.name, report=report)
        except ImportRejected as rejected:
            for problem in rejected.problems[:50]:
                self.stderr.write(f"第 {problem.row} 行 {problem.column}：{problem.message}")
            if len(rejected.problems) > 50:
                self.stderr.write(f"……共 {len(rejected.problems)} 处问题。")
            if problems_out and rejected.marked:
                Path(problems_out).write_bytes(rejected.marked)
                self.stderr.write(f"已写出标注了问题的工作簿：{problems_out}")
            raise CommandError(rejected.message) from rejected
        self.stdout.write(self.style.SUCCESS(summary))
