"""Portal search on the current database (run on SQLite and PostgreSQL): decisions indexed in
the publish / correct / withdraw transactions, other sources by refresh, filters, expiry,
snippets and any query text."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from zhifa.cases.tests.conftest import walk_penalty
from zhifa.disclosure import search, services
from zhifa.disclosure.models import Disclosure, SearchEntry
from zhifa.disclosure.tests.conftest import published_decision


def _correct(cw, d, **changes) -> Disclosure:
    return services.disclosure_correct(
        acting_user=cw.user("leader_a"), disclosure=d, reason="更正笔误", **changes
    )


def _ids(q, **filters) -> list[int]:
    return [h.disclosure_id for h in search.search(q, types="decision", **filters)]


def test_publish_makes_a_decision_findable(cw):
    assert _ids("处罚") == []
    d = published_decision(cw)
    number = d.versions.get().fields["document_number"]  # 甲发改罚〔YYYY〕N号
    year = number.split("〔")[1][:4]
    for q in ["处罚", "甲县某某能源有限公司", "能源", "有限", number, year, "开工建设"]:
        assert _ids(q) == [d.pk], q
    hit = search.search("能源")[0]
    assert hit.type == "decision" and hit.url == f"/portal/decisions/{d.pk}/"
    assert hit.agency == cw.world.agency_a.name and hit.kind == "penalty"
    assert "<mark>能源</mark>" in hit.snippet_html
    assert _ids("能源 许可证") == []  # every word must match


def test_decision_number_whole_and_by_parts(cw):
    d = _correct(cw, published_decision(cw), fields={"document_number": "宁发改罚〔2026〕12号"})
    for q in ["宁发改罚〔2026〕12号", "宁发改罚[2026]12号", "12号", "2026", "宁发改罚"]:
        assert _ids(q) == [d.pk], q
    assert _ids("宁发改罚〔2026〕13号") == []
    assert "<mark>12号</mark>" in search.search("12号")[0].snippet_html


def test_correction_replaces_the_indexed_text(cw):
    d = published_decision(cw)
    _correct(cw, d, text="当事人建设光伏电站未依法办理核准手续。")
    assert _ids("光伏") == [d.pk]
    _correct(cw, d, text="当事人建设风力发电项目未依法办理核准手续。")
    assert _ids("光伏") == [] and _ids("风力") == [d.pk]
    assert "更正笔误" in search.search("风力")[0].snippet_html or _ids("更正笔误") == [d.pk]


def test_withdrawn_stays_findable_with_its_notice(cw):
    d = published_decision(cw)
    services.disclosure_withdraw(
        acting_user=cw.user("leader_a"),
        disclosure=d,
        reason="复议机关撤销原决定",
        changed_on=timezone.localdate(),
    )
    hits = search.search("复议机关撤销")
    assert [h.disclosure_id for h in hits] == [d.pk]
    assert hits[0].title.startswith("（已撤回）") and "<mark>" in hits[0].snippet_html


def test_expired_left_out_at_query_time(cw):
    d = published_decision(cw)
    Disclosure.objects.filter(pk=d.pk).update(expires_on=timezone.localdate())
    search.index_disclosure(d.pk)
    assert _ids("能源") == [d.pk]  # the last day still shows
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert _ids("能源", today=tomorrow) == []


def test_filters(cw):
    d = published_decision(cw)
    a, b = cw.world.agency_a, cw.world.agency_b
    decided = d.decided_on
    assert _ids("能源", agency_id=a.pk) == [d.pk]
    assert _ids("能源", agency_id=b.pk) == []
    assert _ids("能源", kind="penalty") == [d.pk]
    assert _ids("能源", kind="licence") == []
    assert _ids("能源", date_from=decided, date_to=decided) == [d.pk]
    assert _ids("能源", date_from=decided + dt.timedelta(days=1)) == []
    assert _ids("能源", date_to=decided - dt.timedelta(days=1)) == []
    assert search.search("能源", types="officer") == []


def test_not_public_not_indexed(cw):
    walk_penalty(cw, "served")
    services.disclosure_sync()
    d = Disclosure.objects.get()
    assert search.index_disclosure(d) is False
    assert search.bulk_index_disclosures([d.pk]) == 0
    assert not SearchEntry.objects.exists() and _ids("能源") == []


def test_person_masked_in_the_index(cw):
    d = published_decision(cw, party=cw.person)
    entry = SearchEntry.objects.get(type="decision", object_id=d.pk)
    blob = entry.title + entry.body + entry.tokens
    assert cw.person.id_number not in blob and "13800000000" not in blob
    assert "张三" not in blob and "张某某" in entry.title
    assert _ids("张三") == [] and _ids(cw.person.id_number) == []


def test_officers_and_items_found_after_refresh(cw):
    cw.world.staff["officer_a"].real_name = "王建国"
    cw.world.staff["officer_a"].save()
    search.refresh_sources()
    officers = search.search("王建国")
    assert [h.type for h in officers] == ["officer"]
    assert officers[0].url.endswith("?q=A-001") and officers[0].agency == cw.world.agency_a.name
    assert [h.type for h in search.search("A-001", types="officer")] == ["officer"]
    items = search.search("事项CF-001")
    assert [(h.type, h.title) for h in items] == [("item", "事项CF-001")]
    assert search.search("事项CF-001", kind="penalty")[0].type == "item"
    # a second refresh writes nothing; an ended certificate leaves the index by date
    written = search.refresh_sources()
    assert all(w == 0 and r == 0 for w, r in written.values())
    cert = cw.world.staff["officer_a"].certificates.get(number="A-001")
    assert search.search("王建国", today=cert.valid_to + dt.timedelta(days=1)) == []
    cw.world.staff["officer_a"].is_active = False
    cw.world.staff["officer_a"].save()
    assert search.refresh_sources()["officer"][1] == 1
    assert search.search("王建国") == []


def test_snippet_escapes_html(cw):
    d = published_decision(cw)
    _correct(cw, d, text='光伏<script>alert("x")</script><b onmouseover=1>光伏</b>')
    snippet = search.search("光伏")[0].snippet_html
    assert "<script>" not in snippet and "<b " not in snippet
    assert "&lt;script&gt;" in snippet and snippet.count("<mark>光伏</mark>") == 2
    assert search.search("script")[0].disclosure_id == d.pk  # found, shown escaped


@pytest.mark.parametrize(
    "q",
    [
        "",
        " ",
        '"',
        '"能源',
        "*",
        "能源*",
        "NEAR(能源 处罚)",
        "AND",
        "能源 AND",
        "OR 能源",
        "NOT 能源",
        "-能源",
        "能源 -处罚",
        "'",
        "能源'); DROP TABLE x; --",
        "a:b",
        "col:能源",
        "^能源",
        "(",
        ")",
        "{能源}",
        "\\",
        "!&|",
        "能" * 500,
        "处罚 " * 200,
        "\x00能源",
    ],
)
def test_any_query_text_is_safe(cw, q):
    d = published_decision(cw)
    hits = search.search(q)
    assert isinstance(hits, list)
    # syntax characters are plain separators; FTS keywords are plain words (AND semantics)
    found = {'"能源', "能源*", "-能源", "能源 -处罚", "^能源", "{能源}", "\x00能源", "处罚 " * 200}
    assert [h.disclosure_id for h in hits] == ([d.pk] if q in found else [])


def test_bulk_index_and_reindex(cw):
    d = published_decision(cw)
    SearchEntry.objects.all().delete()
    assert _ids("能源") == []
    assert search.bulk_index_disclosures(Disclosure.objects.all(), batch_size=1) == 1
    assert _ids("能源") == [d.pk]
    counts = search.reindex()
    assert counts["decision"] == 1 and counts["item"] == 2 and counts["officer"] >= 1
    assert _ids("能源") == [d.pk]


def test_bulk_index_over_existing_entries_keeps_the_full_text_index_whole(cw):
    d = published_decision(cw)
    for _ in range(2):  # the second time, every entry exists already
        assert search.bulk_index_disclosures([d.pk]) == 1
        assert _ids("能源") == [d.pk] and SearchEntry.objects.count() == 1
    if connection.vendor == "sqlite":  # the insert trigger is back, the FTS5 rows consistent
        with connection.cursor() as cursor:
            check = "INSERT INTO disclosure_search_fts(disclosure_search_fts) VALUES (%s)"
            cursor.execute(check, ["integrity-check"])
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'disclosure_search_ai'")
            assert cursor.fetchone() == (1,)
    services.disclosure_correct(
        acting_user=cw.user("leader_a"),
        disclosure=d,
        reason="更正笔误",
        fields={"party_name": "更正后的光伏单位"},
    )
    assert _ids("光伏") == [d.pk]  # indexed by the service, through the trigger again


def test_ranking_and_paging(cw):
    search.refresh_sources()  # two items: 事项CF-001 (penalty), 事项XK-001 (licence)
    hits = search.search("事项", limit=1)
    assert len(hits) == 1 and hits.has_next and not hits.capped
    rest = search.search("事项", limit=1, offset=1)
    assert len(rest) == 1 and not rest.has_next and rest[0].object_id != hits[0].object_id
    # more occurrences of the word rank first
    from zhifa.catalog.models import EnforcementItemVersion

    EnforcementItemVersion.objects.filter(pk=cw.licence.pk).update(duties="审批 审批 审批 审批")
    search.refresh_sources()
    assert search.search("事项 审批")[0].object_id == cw.licence.item_id


def test_guides_and_inspection_items_found(cw):
    from zhifa.catalog.models import EnforcementItemVersion, RandomInspectionItem

    EnforcementItemVersion.objects.filter(pk=cw.licence.pk).update(
        guide_materials="项目申请书、可行性研究报告", guide_office_hours="工作日上午9时至12时"
    )
    RandomInspectionItem.objects.create(
        agency=cw.world.agency_a,
        code="CC-001",
        name="节能审查意见落实情况检查",
        target="已通过节能审查的固定资产投资项目",
        content="节能措施落实情况",
        ratio="不低于5%",
        method="双随机抽查",
        frequency="每年不少于1次",
        created_by=cw.user("office_a"),
    )
    search.refresh_sources()
    guide = search.search("可行性研究报告")
    assert [(h.type, h.type_label) for h in guide] == [("guide", "服务指南")]
    assert guide[0].url.endswith(f"/items/{cw.licence.item_id}/#guide")
    assert guide[0].kind == "licence"
    inspection = search.search("节能措施")
    assert [h.type for h in inspection] == ["inspection"]
    assert inspection[0].url == f"/portal/agencies/{cw.world.agency_a.pk}/inspections/"
    RandomInspectionItem.objects.all().delete()
    assert search.refresh_sources()["inspection"] == (0, 1)
    assert search.search("节能措施") == []


def test_many_matches_ranked_by_title_words(cw, monkeypatch):
    """Above `RANKED` matches, bm25 is skipped: entries whose title holds the words first."""
    d = published_decision(cw)
    search.refresh_sources()
    monkeypatch.setattr(search, "RANKED", 0)
    # the party 甲县某某能源有限公司 is in the decision's title
    hits = search.search("有限公司")
    assert [h.disclosure_id for h in hits] == [d.pk]
    both = search.search("事项")
    assert {h.title for h in both} >= {"事项CF-001", "事项XK-001"}
    assert all(h.type == "item" for h in both[:2])  # titles holding the word come first
