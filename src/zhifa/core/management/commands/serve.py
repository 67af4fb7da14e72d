"""Serve zhifa: gunicorn for the web, plus the Huey consumer for background work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动网站（gunicorn）和后台任务处理进程（Huey）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bind", default=os.environ.get("ZHIFA_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("ZHIFA_WEB_WORKERS", "3"))
        )
        parser.add_argument("--no-tasks", action="store_true", help="不启动后台任务进程")

    def handle(self, *args, bind: str, workers: int, no_tasks: bool, **options) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        children = [
            subprocess.Popen(  # noqa: S603 - fixed argv, our own interpreter
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "zhifa.wsgi:application",
                    "--bind",
                    bind,
                    "--workers",
                    str(workers),
                    "--access-logfile",
                    "-",
                ]
            )
        ]
        if not no_tasks:
            children.append(subprocess.Popen([sys.executable, "-m", "zhifa.cli", "run_huey"]))
        self.stdout.write(f"zhifa 已启动：http://{bind}/  （按 Ctrl+C 停止）")
        stopping = False

        def stop(*_: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.5)
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            child.wait(timeout=30)
        if not stopping:
            raise SystemExit("有进程意外退出，zhifa 已停止。")
