"""``zhifa pages render [--all]`` and ``zhifa pages files [--rebuild]``: the stored public
decision pages and their files (see disclosure.pages)."""

from __future__ import annotations

import shutil
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "公示决定页面：生成缺失或模板已更新的页面（render），--all 全部重新生成。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        render = sub.add_parser("render", help="生成缺失或由旧版模板生成的公示决定页面")
        render.add_argument("--all", action="store_true", help="全部公示决定页面重新生成")
        files = sub.add_parser("files", help="写出缺失的公示页面文件（静态化发布）")
        files.add_argument(
            "--rebuild",
            action="store_true",
            help="删除全部页面文件后重新写出（从备份恢复数据库后必须执行）",
        )

    def handle(self, *args, action: str, **options):
        quiet = options.get("verbosity", 1) == 0
        if action == "files":
            self.files(rebuild=options["rebuild"], quiet=quiet)
        else:
            self.render(everything=options["all"], quiet=quiet)

    def render(self, *, everything: bool, quiet: bool) -> None:
        from tqdm import tqdm

        from zhifa.disclosure import pages, selectors
        from zhifa.disclosure.models import Disclosure

        if everything:
            public = Disclosure.objects.filter(status__in=selectors.PUBLIC_STATUSES)
            ids = list(public.order_by("pk").values_list("pk", flat=True))
        else:
            ids = pages.stale_ids()
        with tqdm(
            total=len(ids), desc="生成公示页面", unit="条", file=sys.stderr, disable=quiet
        ) as bar:
            rendered = pages.render_stale(ids, tick=bar.update)
        self.stdout.write(f"已生成 {rendered} 个公示决定页面。")

    def files(self, *, rebuild: bool, quiet: bool) -> None:
        from django.conf import settings
        from tqdm import tqdm

        from zhifa.disclosure import pages

        root = settings.PAGE_FILES_DIR
        if root is None:
            self.stdout.write("页面文件已关闭（ZHIFA_PAGE_FILES=off），无需写出。")
            return
        if rebuild and root.exists():
            # Moved aside first: visitors read the database until each file is written again.
            aside = root.with_name(f".{root.name}-old")
            shutil.rmtree(aside, ignore_errors=True)
            root.rename(aside)
            shutil.rmtree(aside)
        ids = pages.missing_file_ids()
        with tqdm(
            total=len(ids), desc="写出公示页面文件", unit="个", file=sys.stderr, disable=quiet
        ) as bar:
            written = pages.write_all_files(ids, tick=bar.update)
        self.stdout.write(f"已写出 {written} 个公示页面文件（{root}）。")
