"""manage.py backup_data FILE: the database and the media files, together, in one archive."""

from pathlib import Path

from django.core.management.base import BaseCommand

from eduquality.backup import create_backup


class Command(BaseCommand):
    help = "备份数据库与上传/生成的文件到一个归档（tar），含每个文件的校验值；用 restore_data 恢复。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件，如 eduquality-2026-12-05.tar")

    def handle(self, *args, file: str, **options) -> None:
        create_backup(Path(file), report=self.stdout.write)
