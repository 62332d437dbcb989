"""python manage.py export_exam_stats EXAM_CODE OUT.xlsx — one sheet per subject, a row per school."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from eduquality.excel import write_workbook
from monitoring.exports import exam_school_sheets
from monitoring.models import Exam, Statistic


class Command(BaseCommand):
    help = "导出一次质量监测各学科的学校统计表（每学科一张工作表）。"

    def add_arguments(self, parser):
        parser.add_argument("exam_code")
        parser.add_argument("out")

    def handle(self, exam_code, out, **options):
        try:
            exam = Exam.objects.get(code=exam_code)
        except Exam.DoesNotExist as exc:
            raise CommandError(f"没有编号为 {exam_code} 的监测。") from exc
        if exam.status != Exam.Status.READY:
            raise CommandError("该监测尚无统计结果，请先导入成绩。")
        statistics = Statistic.objects.filter(exam=exam).select_related("school")
        Path(out).write_bytes(write_workbook(exam_school_sheets(exam, statistics)))
        self.stdout.write(self.style.SUCCESS(f"已写出 {out}"))
