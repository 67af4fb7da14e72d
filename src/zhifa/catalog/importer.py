"""Import laws and articles into the legal-basis library (`zhifa catalog import-laws PATH`).

A folder holds either `laws_articles.jsonl` (one article per line) with `laws_index.csv` (one
law per line), or only Markdown files, one per law, in this markup:

    # 中华人民共和国行政处罚法
    1996年3月17日 第八届全国人民代表大会第四次会议通过      ← history, one line each
    <!-- INFO END -->
    ## 第一章 总则                                          ← chapter
    ### 第一节 一般规定                                      ← section
    第一条 为了规范……                                      ← an article starts a line
    第二款 continues on the next lines until the next article or heading

The import is idempotent: a law is identified by title and version date, an article by its
index; changed texts are updated, nothing else is touched. It runs in one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from tqdm import tqdm

from zhifa.catalog.models import Article, Law, LawLevel
from zhifa.catalog.numerals import from_chinese

ARTICLES_FILE = "laws_articles.jsonl"
INDEX_FILE = "laws_index.csv"
INFO_END = "<!-- INFO END -->"
ARTICLE_START = re.compile(r"^第([零一二三四五六七八九十百千]+)条(?:[ \u3000]+|$)")
FILE_DATE = re.compile(r"\((\d{4}-\d{2}-\d{2})\)")


class LawImportError(ValueError):
    """The folder cannot be imported; the message says what to fix (in Chinese)."""


@dataclass
class ArticleRecord:
    number: str
    index: int
    text: str
    chapter: str = ""
    section: str = ""


@dataclass
class LawRecord:
    title: str
    level: str
    version_date: dt.date | None
    history: str = ""
    source_file: str = ""
    source: str = ""
    articles: list[ArticleRecord] = field(default_factory=list)


@dataclass
class ImportResult:
    laws_created: int = 0
    laws_updated: int = 0
    articles_created: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.laws_created + self.laws_updated + self.articles_created + self.articles_updated
        )

    def summary(self) -> str:
        return (
            f"法律法规：新增 {self.laws_created} 部，更新 {self.laws_updated} 部；"
            f"法条：新增 {self.articles_created} 条，更新 {self.articles_updated} 条，"
            f"未变 {self.articles_unchanged} 条。"
        )


def default_laws_dir() -> Path | None:
    """`../shared/data/laws` beside the project root or the working directory, if present."""
    project_root = Path(settings.BASE_DIR).resolve().parents[1]
    for base in (Path.cwd(), project_root):
        candidate = (base / ".." / "shared" / "data" / "laws").resolve()
        if candidate.is_dir():
            return candidate
    return None


def read_folder(path: Path) -> list[LawRecord]:
    path = Path(path)
    if not path.is_dir():
        raise LawImportError(f"找不到法律法规文件夹：{path}")
    if (path / ARTICLES_FILE).exists():
        return read_jsonl(path / ARTICLES_FILE, path / INDEX_FILE)
    files = sorted(path.glob("*.md"))
    if not files:
        raise LawImportError(f"{path} 中既没有 {ARTICLES_FILE}，也没有 Markdown 格式的法律文件。")
    return [parse_markdown(f.read_text(encoding="utf-8"), f.name) for f in files]


def _version_date(file_name: str) -> dt.date | None:
    match = FILE_DATE.search(file_name)
    return dt.date.fromisoformat(match.group(1)) if match else None


def _guess_level(title: str) -> str:
    if title.endswith("法") and title.startswith("中华人民共和国"):
        return LawLevel.LAW
    if title.endswith("条例"):
        return LawLevel.ADMIN_REGULATION
    if title.endswith(("规定", "办法")):
        return LawLevel.DEPARTMENT_RULE
    return LawLevel.OTHER


def _read_index(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["file"]: row for row in csv.DictReader(handle)}


def read_jsonl(articles_path: Path, index_path: Path) -> list[LawRecord]:
    index = _read_index(index_path)
    laws: dict[str, LawRecord] = {}
    with articles_path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                file_name, number = row["file"], row["article_no"]
                text = row["text"].strip()
            except (ValueError, KeyError, AttributeError) as exc:
                raise LawImportError(
                    f"{articles_path.name} 第{line_no}行格式不正确：{exc}"
                ) from exc
            law = laws.get(file_name)
            if law is None:
                meta = index.get(file_name, {})
                source = "/".join(
                    x for x in (meta.get("source_repo"), meta.get("source_path")) if x
                )
                if meta.get("source_commit"):
                    source += f"@{meta['source_commit'][:12]}"
                level = row.get("level") or meta.get("level") or _guess_level(row["law"])
                law = laws[file_name] = LawRecord(
                    title=row["law"],
                    level=level if level in LawLevel.values else LawLevel.OTHER,
                    version_date=_version_date(file_name),
                    history="\n".join(
                        h.strip() for h in meta.get("history", "").split(" | ") if h.strip()
                    ),
                    source_file=file_name,
                    source=source,
                )
            law.articles.append(
                ArticleRecord(
                    number=number,
                    index=int(row.get("article_index") or len(law.articles) + 1),
                    text=text,
                    chapter=row.get("chapter") or "",
                    section=row.get("section") or "",
                )
            )
    return list(laws.values())


def parse_markdown(text: str, file_name: str = "") -> LawRecord:
    """One law in the Markdown markup described in the module docstring."""
    lines = text.splitlines()
    titles = [line[2:].strip() for line in lines if line.startswith("# ")]
    if not titles:
        raise LawImportError(f"{file_name or '文件'}缺少以“# ”开头的标题行。")
    law = LawRecord(
        title=titles[0],
        level=_guess_level(titles[0]),
        version_date=_version_date(file_name),
        source_file=file_name,
    )
    has_info_end = INFO_END in text
    in_header = has_info_end
    history: list[str] = []
    chapter = section = ""
    current: ArticleRecord | None = None
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("# "):
            continue
        if in_header:
            if line == INFO_END:
                in_header = False
            else:
                history.append(line)
            continue
        if line.startswith("<!--"):
            continue
        if line.startswith("### "):
            section, current = line[4:].strip(), None
        elif line.startswith("## "):
            chapter, section, current = line[3:].strip(), "", None
        elif match := ARTICLE_START.match(line):
            current = ArticleRecord(
                number=f"第{match.group(1)}条",
                index=from_chinese(match.group(1)),
                text=line[match.end() :].strip(),
                chapter=chapter,
                section=section,
            )
            law.articles.append(current)
        elif current is not None:
            current.text = f"{current.text}\n{line}" if current.text else line
    law.history = "\n".join(history)
    return law


def import_laws(path: Path, *, progress: bool = False) -> ImportResult:
    """Import every law in `path` in one transaction (see the module docstring)."""
    records = read_folder(path)
    total = sum(len(r.articles) for r in records)
    result = ImportResult()
    with (
        transaction.atomic(),
        tqdm(total=total, unit="条", desc="导入法条", disable=not progress) as bar,
    ):
        for record in records:
            _import_law(record, result)
            bar.update(len(record.articles))
    return result


def _import_law(record: LawRecord, result: ImportResult) -> None:
    _check_unique(record)
    law, created = Law.objects.get_or_create(
        title=record.title,
        version_date=record.version_date,
        defaults=dict(
            level=record.level,
            history=record.history,
            source_file=record.source_file,
            source=record.source,
        ),
    )
    if created:
        result.laws_created += 1
    else:
        changed = _assign(
            law,
            level=record.level,
            history=record.history,
            source_file=record.source_file,
            source=record.source,
        )
        if changed:
            law.full_clean()
            law.save()
            result.laws_updated += 1
    existing = {a.index: a for a in Article.objects.filter(law=law)}
    new, updated = [], []
    for item in record.articles:
        article = existing.get(item.index)
        values = dict(
            number=item.number, text=item.text, chapter=item.chapter, section=item.section
        )
        if article is None:
            new.append(Article(law=law, index=item.index, **values))
        elif _assign(article, **values):
            updated.append(article)
        else:
            result.articles_unchanged += 1
    Article.objects.bulk_create(new, batch_size=500)
    Article.objects.bulk_update(updated, ["number", "text", "chapter", "section"], batch_size=500)
    result.articles_created += len(new)
    result.articles_updated += len(updated)


def _check_unique(record: LawRecord) -> None:
    seen: set[int] = set()
    for article in record.articles:
        if article.index in seen:
            raise LawImportError(f"《{record.title}》中{article.number}出现了两次，请检查源文件。")
        seen.add(article.index)


def _assign(obj: object, **values: object) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def counts(records: Iterable[LawRecord]) -> tuple[int, int]:
    records = list(records)
    return len(records), sum(len(r.articles) for r in records)
