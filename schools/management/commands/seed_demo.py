"""`python manage.py seed_demo [--reset] [--scale 1.0]`: build the demo city (白山市). See schools/demo.py."""

from django.core.management.base import BaseCommand, CommandError

from eduquality.extensions import build_app_demos
from schools import demo


class Command(BaseCommand):
    help = "生成演示数据：白山市 6 个区县、约 60 所学校、约 2 万名学生及演示账号（密码 Demo-2026!）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="先删除已有的学校、教师、班级、学生、学期及演示账号，再重新生成。"
        )
        parser.add_argument(
            "--scale", type=float, default=1.0, help="学生、班级、教师数量的比例（默认 1.0；学校数不变）。"
        )

    def handle(self, *args, reset: bool, scale: float, **options) -> None:
        if not 0 < scale <= 5:
            raise CommandError("--scale 应大于 0 且不超过 5。")
        if reset:
            demo.reset_demo_data()
            self.stdout.write("已删除原有演示数据。")
        elif demo.demo_data_exists():
            self.stdout.write(
                "数据库中已有学校数据，未做任何更改。如需重新生成演示数据，请运行："
                "python manage.py seed_demo --reset（将删除现有学校、教师、班级、学生和学期）。"
            )
            return
        summary = demo.build_demo_city(scale=scale)
        app_lines = build_app_demos()
        for line in demo.summary_lines(summary):
            self.stdout.write(self.style.SUCCESS(line) if line.startswith("演示数据已生成") else line)
        for line in app_lines:
            self.stdout.write(line)
