import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from zhifa.catalog import importer
from zhifa.catalog.models import Article, Law

pytestmark = pytest.mark.django_db

LAW_MD = """# 中华人民共和国示例法

2020年1月1日 第十三届全国人民代表大会常务委员会第一次会议通过

<!-- INFO END -->

## 第一章 总则

第一条 为了示例，制定本法。

第二条 本法适用于示例。

前款所称示例，包括第三条规定的情形。

## 第二章 法律责任

### 第一节 罚款

第十条 违反本法的，处一万元以上五万元以下的罚款。
"""


def _write_md(folder: Path, text: str = LAW_MD) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "中华人民共和国示例法(2020-01-01).md").write_text(text, encoding="utf-8")
    return folder


def test_markdown_markup_is_parsed():
    law = importer.parse_markdown(LAW_MD, "中华人民共和国示例法(2020-01-01).md")
    assert law.title == "中华人民共和国示例法" and law.level == "法律"
    assert law.version_date.isoformat() == "2020-01-01"
    assert law.history.startswith("2020年1月1日")
    assert [(a.number, a.index) for a in law.articles] == [
        ("第一条", 1),
        ("第二条", 2),
        ("第十条", 10),
    ]
    # A paragraph that merely mentions 第三条 continues the article it belongs to.
    assert law.articles[1].text == "本法适用于示例。\n前款所称示例，包括第三条规定的情形。"
    assert law.articles[2].chapter == "第二章 法律责任"
    assert law.articles[2].section == "第一节 罚款"
    assert law.articles[0].section == ""


def test_import_is_idempotent_and_updates_changed_texts(tmp_path):
    folder = _write_md(tmp_path / "laws")
    first = importer.import_laws(folder)
    assert (first.laws_created, first.articles_created) == (1, 3)
    again = importer.import_laws(folder)
    assert not again.changed and again.articles_unchanged == 3
    _write_md(folder, LAW_MD.replace("制定本法。", "制定本法（修改）。"))
    changed = importer.import_laws(folder)
    assert (changed.articles_updated, changed.articles_created) == (1, 0)
    assert Article.objects.get(index=1).text.endswith("（修改）。")
    assert Law.objects.count() == 1 and Article.objects.count() == 3


def test_jsonl_and_index_are_preferred(tmp_path):
    folder = tmp_path / "laws"
    folder.mkdir()
    rows = [
        {
            "law": "某条例",
            "file": "某条例(2019-04-14).md",
            "level": "行政法规",
            "chapter": "第一章 总则",
            "section": None,
            "article_no": "第一条",
            "article_index": 1,
            "text": "第一条的内容。",
        },
        {
            "law": "某条例",
            "file": "某条例(2019-04-14).md",
            "level": "行政法规",
            "chapter": "第一章 总则",
            "section": None,
            "article_no": "第二条",
            "article_index": 2,
            "text": "第二条的内容。",
        },
    ]
    (folder / "laws_articles.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8"
    )
    (folder / "laws_index.csv").write_text(
        "file,title,level,articles,history,source_repo,source_commit,source_path\n"
        "某条例(2019-04-14).md,某条例,行政法规,2,"
        "2019年4月14日 公布 | 2019年7月1日 施行,o/r,abc,x.md\n",
        encoding="utf-8",
    )
    importer.import_laws(folder)
    law = Law.objects.get()
    assert law.level == "行政法规" and law.history == "2019年4月14日 公布\n2019年7月1日 施行"
    assert law.source == "o/r/x.md@abc" and law.articles.count() == 2


def test_a_broken_folder_says_what_is_wrong(tmp_path):
    with pytest.raises(importer.LawImportError, match="找不到"):
        importer.import_laws(tmp_path / "nothing")
    with pytest.raises(importer.LawImportError, match="Markdown"):
        importer.import_laws(tmp_path)
    (tmp_path / "laws_articles.jsonl").write_text("{not json\n", encoding="utf-8")
    with pytest.raises(importer.LawImportError, match="第1行"):
        importer.import_laws(tmp_path)
    assert not Law.objects.exists()


def test_duplicate_article_rolls_back_everything(tmp_path):
    folder = _write_md(tmp_path / "laws")
    (folder / "z(2020-01-02).md").write_text("# 甲法\n\n第一条 一。\n\n第一条 二。\n", "utf-8")
    with pytest.raises(importer.LawImportError, match="出现了两次"):
        importer.import_laws(folder)
    assert not Law.objects.exists()  # one transaction: the first file is not kept either


def test_command(tmp_path):
    folder = _write_md(tmp_path / "laws")
    out = StringIO()
    call_command("catalog", "import-laws", str(folder), "--quiet", stdout=out)
    assert "新增 3 条" in out.getvalue()
    with pytest.raises(CommandError, match="找不到"):
        call_command("catalog", "import-laws", str(tmp_path / "missing"), "--quiet")


REAL = importer.default_laws_dir()


@pytest.mark.skipif(REAL is None, reason="../shared/data/laws not present")
def test_real_library_imports_1058_articles_of_18_laws():
    result = importer.import_laws(REAL)
    assert (result.laws_created, result.articles_created) == (18, 1058)
    assert Law.objects.count() == 18 and Article.objects.count() == 1058
    article = Article.objects.get(law__title="中华人民共和国行政处罚法", number="第五十八条")
    assert article.index == 58 and "法制审核" in article.text
    assert article.chapter == "第五章 行政处罚的决定" and article.section == "第三节 普通程序"
    assert not importer.import_laws(REAL).changed


@pytest.mark.skipif(REAL is None, reason="../shared/data/laws not present")
def test_real_markdown_parses_like_the_jsonl():
    by_jsonl = {
        r.source_file: r
        for r in importer.read_jsonl(REAL / importer.ARTICLES_FILE, REAL / importer.INDEX_FILE)
    }
    for path in sorted(REAL.glob("*.md")):
        parsed = importer.parse_markdown(path.read_text(encoding="utf-8"), path.name)
        expected = by_jsonl[path.name]
        assert parsed.title == expected.title, path.name
        assert [(a.number, a.text) for a in parsed.articles] == [
            (a.number, a.text) for a in expected.articles
        ], path.name
