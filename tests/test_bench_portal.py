"""Smoke test of the portal benchmark (`bench/portal.py`): at a tiny size, on the test
database, the generator writes public decisions the portal shows, the search phase runs the
ten queries through the real `search()`, and one page measurement against a real gunicorn
finds only 200 responses. Proves the benchmark still runs; the figures are not checked."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.db import connection

BENCH = Path(__file__).resolve().parent.parent / "bench"
N = 300


@pytest.fixture
def bench():
    sys.path.insert(0, str(BENCH))
    try:
        import portal
        import portal_data

        yield portal, portal_data
    finally:
        sys.path.remove(str(BENCH))


def _url() -> str:
    """The test database as a ZHIFA_DATABASE_URL, for the gunicorn the benchmark starts."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_portal_benchmark_runs_at_tiny_size(bench, tmp_path, ledger_purge):
    from zhifa.disclosure import search, selectors
    from zhifa.disclosure.models import Disclosure, PublishedVersion

    portal, portal_data = bench
    portal_data.generate(N, batch=128)

    assert Disclosure.objects.filter(status="published").count() == N
    assert selectors.public_disclosures().count() == N  # every one is on the portal
    version = PublishedVersion.objects.get(pk=N // 2)
    number = version.fields["document_number"]
    assert "〔" in number and number.endswith("号")
    person = PublishedVersion.objects.filter(fields__party_kind="自然人").first()
    assert person.fields["party_name"].endswith("某某")
    original = Disclosure.objects.get(pk=person.disclosure_id)
    assert original.fields["party_name"] not in person.text  # the masked text hides the name

    portal.ensure_checkpoint(N)
    assert portal.build_index(bars=False)["indexed"] == N
    rows = {row["label"]: row for row in portal.bench_search(repeat=2, warmup=1)}
    assert len(rows) == 10
    assert rows["decision number"]["hits"] >= 1
    assert rows["处罚"]["hits"] >= 1
    assert rows["no hit 量子纠缠"]["hits"] == 0
    assert all(len(row["times_ms"]) == 2 for row in rows.values())
    assert search.search(number)[0].disclosure_id is not None

    pages = portal.bench_pages(
        _url(),
        tmp_path,
        n=N,
        workers=1,
        seconds=0.3,
        rounds=1,
        concurrency=2,
        tool="python",
    )
    assert pages["failed"] == 0
    assert set(pages["rates"]) == {label for label, _ in portal.page_paths()}
    assert all(rates[0] > 0 for rates in pages["rates"].values())
