"""``zhifa search reindex | refresh | query``: the portal search index."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "公示平台全文检索：重建索引（reindex）、刷新非决定类内容（refresh）、试查询（query）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "reindex",
            help="按当前公示内容重建全部索引（执法决定、事项、服务指南、抽查事项、执法人员）",
        )
        sub.add_parser(
            "refresh", help="只刷新执法事项、服务指南、抽查事项和执法人员（仅写入有变化的）"
        )
        query = sub.add_parser("query", help="在命令行中试查询")
        query.add_argument("q", help="查询词")
        query.add_argument("--limit", type=int, default=10)

    def handle(self, *args, action: str, **options):
        getattr(self, f"_{action}")(**options)

    def _reindex(self, **options):
        from tqdm import tqdm

        from zhifa.disclosure.search import reindex

        quiet = options.get("verbosity", 1) == 0

        def progress(label: str, total: int):
            return tqdm(total=total, desc=label, unit="条", file=sys.stderr, disable=quiet)

        counts = reindex(progress=progress)
        total = sum(counts.values())
        detail = "，".join(f"{k} {v}" for k, v in sorted(counts.items())) or "无内容"
        self.stdout.write(f"索引已重建：共 {total} 条（{detail}）。")

    def _refresh(self, **options):
        from zhifa.disclosure.search import refresh_sources

        for kind, (written, removed) in refresh_sources().items():
            self.stdout.write(f"{kind}：写入 {written} 条，移除 {removed} 条。")

    def _query(self, *, q: str, limit: int, **options):
        from zhifa.disclosure.search import search

        hits = search(q, limit=limit)
        if not hits:
            self.stdout.write("没有找到相关内容。")
        for hit in hits:
            self.stdout.write(f"[{hit.type_label}] {hit.title}  {hit.url}")
