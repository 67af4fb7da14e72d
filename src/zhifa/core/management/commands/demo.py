from django.core.management.base import BaseCommand
from django.db import transaction

from zhifa.core import demo


class Command(BaseCommand):
    help = "载入演示数据（可重复运行，已存在的数据不会改变）。"

    def handle(self, *args, **options) -> None:
        for step in demo.steps():
            self.stdout.write(f"· {step.name}")
            with transaction.atomic():
                step.run(lambda text: self.stdout.write(f"    {text}"))
        self.stdout.write(
            self.style.SUCCESS(f"演示数据已就绪。所有演示账号的密码：{demo.DEMO_PASSWORD}")
        )
