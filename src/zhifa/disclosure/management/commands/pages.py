"""``zhifa pages render [--all]``: the stored public decision pages (see disclosure.pages)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "公示决定页面：生成缺失或模板已更新的页面（render），--all 全部重新生成。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        render = sub.add_parser("render", help="生成缺失或由旧版模板生成的公示决定页面")
        render.add_argument("--all", action="store_true", help="全部公示决定页面重新生成")

    def handle(self, *args, action: str, **options):
        from tqdm import tqdm

        from zhifa.disclosure import pages, selectors
        from zhifa.disclosure.models import Disclosure

        if options["all"]:
            public = Disclosure.objects.filter(status__in=selectors.PUBLIC_STATUSES)
            ids = list(public.order_by("pk").values_list("pk", flat=True))
        else:
            ids = pages.stale_ids()
        quiet = options.get("verbosity", 1) == 0
        with tqdm(
            total=len(ids), desc="生成公示页面", unit="条", file=sys.stderr, disable=quiet
        ) as bar:
            rendered = pages.render_stale(ids, tick=bar.update)
        self.stdout.write(f"已生成 {rendered} 个公示决定页面。")
