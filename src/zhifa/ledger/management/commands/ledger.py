"""``zhifa ledger verify | fixity | checkpoint | export | expire-uploads``."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "全过程记录账本：校验（verify）、证据文件完整性（fixity）、"
        "签名检查点（checkpoint）、导出电子案卷（export）。"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "verify", help="重新计算全部事件、子树哈希和检查点签名，发现改动时退出码为 1"
        )
        sub.add_parser("fixity", help="重新计算所有证据文件的哈希，缺失或改动记入账本")
        sub.add_parser("checkpoint", help="日志有增长时立即签名一个检查点")
        sub.add_parser(
            "expire-uploads",
            help="删除超过 ZHIFA_UPLOAD_EXPIRE_HOURS（默认 24）小时仍未完成的断点续传上传",
        )
        export = sub.add_parser("export", help="把一个对象的记录导出为 BagIt 压缩包")
        export.add_argument("--subject", required=True, help="对象引用，例如 cases.case:12")
        export.add_argument("-o", "--output", required=True, help="输出的 .zip 文件")

    def handle(self, *args, action: str, **options):
        getattr(self, f"_{action.replace('-', '_')}")(**options)

    def _verify(self, **options):
        from tqdm import tqdm

        from zhifa.ledger.selectors import tree_size
        from zhifa.ledger.verification import verify_ledger

        with tqdm(
            total=tree_size(),
            unit="事件",
            file=sys.stderr,
            disable=options.get("verbosity", 1) == 0,
        ) as bar:
            result = verify_ledger(tick=bar.update)
        for problem in result.problems[:50]:
            self.stderr.write(problem.message)
        if len(result.problems) > 50:
            self.stderr.write(f"……另有 {len(result.problems) - 50} 个问题未列出。")
        if not result.ok:
            bad = result.first_bad_seq
            where = f"第一个有问题的序号：{bad}" if bad is not None else "问题不在单个事件上"
            raise CommandError(f"账本校验失败，{where}。", returncode=1)
        self.stdout.write(
            f"账本完好：{result.events} 个事件，{result.nodes} 个子树哈希，"
            f"{result.checkpoints} 个检查点均已核对。"
        )

    def _fixity(self, **options):
        from tqdm import tqdm

        from zhifa.ledger.fixity import fixity_check

        report = fixity_check(progress=lambda it: tqdm(it, unit="文件", file=sys.stderr))
        for sha256, problem in report.problems:
            self.stderr.write(f"{'缺失' if problem == 'missing' else '已改动'}：{sha256}")
        if report.problems:
            raise CommandError(
                f"{len(report.problems)} 个证据文件缺失或被改动，已记入账本。", returncode=1
            )
        self.stdout.write(f"{report.checked} 个证据文件完好。")

    def _checkpoint(self, **options):
        from zhifa.ledger.services import checkpoint_sign

        checkpoint = checkpoint_sign()
        if checkpoint is None:
            self.stdout.write("账本尚无记录，无需签名。")
            return
        self.stdout.write(checkpoint.note, ending="")

    def _export(self, *, subject: str, output: str, **options):
        from zhifa.ledger.export import export_subject
        from zhifa.ledger.services import LedgerError

        try:
            result = export_subject(subject, Path(output))
        except LedgerError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"已导出 {result.events} 个事件、{result.files} 个证据文件到 {result.path}"
            f"（对树大小 {result.tree_size} 的签名检查点）。"
        )

    def _expire_uploads(self, **options):
        from django.conf import settings

        from zhifa.ledger.uploads import expire_uploads

        n = expire_uploads()
        self.stdout.write(
            f"已删除 {n} 个超过 {settings.LEDGER_UPLOAD_EXPIRE_HOURS} 小时仍未完成的上传。"
        )
