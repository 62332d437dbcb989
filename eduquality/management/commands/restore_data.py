"""manage.py restore_data FILE --yes: replace the database and the media files with a backup."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from eduquality.backup import BackupRejected, restore_backup


class Command(BaseCommand):
    help = (
        "从 backup_data 的归档恢复数据库与文件（覆盖现有数据）。先停止 web、worker、beat，"
        "以数据库属主角色运行；恢复后运行 grant_app_role。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="backup_data 生成的备份文件")
        parser.add_argument("--yes", action="store_true", help="确认覆盖当前数据库与文件")

    def handle(self, *args, file: str, yes: bool, **options) -> None:
        if not yes:
            raise CommandError("恢复会覆盖当前数据库与全部文件。确认无误后加 --yes 再运行。")
        try:
            restore_backup(Path(file), report=self.stdout.write)
        except BackupRejected as rejected:
            raise CommandError(str(rejected)) from rejected
