"""Serve zhifa: gunicorn for the web, plus the Huey consumer for background work."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.core.management.base import BaseCommand

FINGERPRINT_FILE = ".zhifa-sources"


def static_sources_fingerprint() -> str:
    """A hash over every static source file's path, size and modification time."""
    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect_static_if_changed() -> bool:
    """Run collectstatic only when a source file changed since the last run: compressing
    every file (ECharts alone is megabytes) takes a minute or more on a small server."""
    marker = settings.STATIC_ROOT / FINGERPRINT_FILE
    fingerprint = static_sources_fingerprint()
    if marker.exists() and marker.read_text() == fingerprint:
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    marker.write_text(fingerprint)
    return True


class Command(BaseCommand):
    help = "启动网站（gunicorn）和后台任务处理进程（Huey）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bind", default=os.environ.get("ZHIFA_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("ZHIFA_WEB_WORKERS", "3"))
        )
        parser.add_argument("--no-tasks", action="store_true", help="不启动后台任务进程")

    def handle(self, *args, bind: str, workers: int, no_tasks: bool, **options) -> None:
        collect_static_if_changed()
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
