"""Fixtures for the document, export and API tests: blobs in a temporary folder, a fast PDF
stub (WeasyPrint takes over a second per page; only one test renders real PDFs), and the
penalty item's legal basis."""

from __future__ import annotations

import pytest
from django.test import override_settings

from zhifa.catalog.models import Article, ItemBasis, Law, LawLevel
from zhifa.core import documents as core_documents


@pytest.fixture
def blob_dir(tmp_path):
    with override_settings(LEDGER_BLOB_BACKEND="filesystem", LEDGER_BLOB_DIR=tmp_path / "blobs"):
        yield tmp_path / "blobs"


@pytest.fixture
def fast_pdf(monkeypatch):
    def stub(doc):
        return b"%PDF-1.7 stub\n" + "\n".join((doc.title, doc.number, *doc.body)).encode()

    monkeypatch.setattr(core_documents, "render_pdf", stub)


def add_basis(version) -> None:
    law = Law.objects.create(
        title="企业投资项目核准和备案管理条例", level=LawLevel.ADMIN_REGULATION
    )
    article = Article.objects.create(law=law, number="第十八条", index=18, text="……")
    ItemBasis.objects.create(version=version, article=article, note="第一款")
