"""manage.py grant_app_role: give the application role its rights (run as the owner, after migrate)."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from eduquality.privileges import default_app_role, grant_app_role


class Command(BaseCommand):
    help = "创建或更新应用数据库角色（Web 与后台任务进程使用），授予最小权限；以属主角色在 migrate 之后运行。"

    def add_arguments(self, parser):
        parser.add_argument("--role", help="角色名（默认：APP_DB_ROLE，或由数据库名推出，如 eduquality_app）")
        parser.add_argument(
            "--password-env",
            default="APP_DB_PASSWORD",
            help="从哪个环境变量读取该角色的密码（默认 APP_DB_PASSWORD；为空则不设置密码）",
        )

    def handle(self, *args, role: str | None, password_env: str, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role 只用于 PostgreSQL（SQLite 演示库没有数据库角色）。")
        role = role or os.environ.get("APP_DB_ROLE") or default_app_role(connection.settings_dict["NAME"])
        password = os.environ.get(password_env, "")
        for statement in grant_app_role(role, password or None):
            self.stdout.write(statement)
        self.stdout.write(self.style.SUCCESS(f"应用角色 {role} 的权限已更新。"))
