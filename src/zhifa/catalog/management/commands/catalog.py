"""`zhifa catalog import-laws [PATH]` and `zhifa catalog load-standard`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhifa.catalog import importer, standard


class Command(BaseCommand):
    help = "执法事项目录：导入法律法规（import-laws），载入标准流程和文书样本（load-standard）。"

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, title="子命令")
        laws = sub.add_parser(
            "import-laws",
            help="从文件夹导入法律法规和法条（laws_articles.jsonl 或 Markdown 文件），可重复运行。",
        )
        laws.add_argument(
            "path",
            nargs="?",
            help="文件夹路径；省略时使用项目旁的 ../shared/data/laws。",
        )
        laws.add_argument("--quiet", action="store_true", help="不显示进度条。")
        sub.add_parser("load-standard", help="载入或更新标准执法流程和文书样本。")

    def handle(self, *args, subcommand: str, **options) -> None:
        if subcommand == "import-laws":
            self._import_laws(options.get("path"), progress=not options.get("quiet"))
        elif subcommand == "load-standard":
            standard.load()
            self.stdout.write(self.style.SUCCESS("标准执法流程和文书样本已就绪。"))

    def _import_laws(self, path: str | None, *, progress: bool) -> None:
        folder = Path(path) if path else importer.default_laws_dir()
        if folder is None:
            raise CommandError(
                "请指定法律法规文件夹，例如：zhifa catalog import-laws ../shared/data/laws"
            )
        try:
            result = importer.import_laws(folder, progress=progress)
        except importer.LawImportError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(result.summary()))
