"""Issued documents (P9, C2): which kind at which step, numbers, files, ledger and pages."""

from __future__ import annotations

import io
import zipfile
from urllib.parse import quote

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from zhifa.cases import documents, services
from zhifa.cases.models import IssuedDocument
from zhifa.cases.tests.conftest import days_ago, walk_penalty
from zhifa.cases.tests.doc_helpers import add_basis, blob_dir, fast_pdf  # noqa: F401
from zhifa.catalog.models import DocumentKind, DocumentTemplate, NumberingPattern
from zhifa.core import documents as core_documents
from zhifa.core.models import DocumentCounter
from zhifa.ledger import blobs
from zhifa.ledger.models import Event

K = DocumentKind


def issue(cw, case, kind, login="officer_a"):
    return documents.document_issue(acting_user=cw.user(login), case=case, kind=kind)


def events(case, kind):
    return list(Event.objects.filter(subject=f"cases.case:{case.pk}", kind=kind).order_by("seq"))


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml").decode()


def test_penalty_documents_rendered_stored_and_recorded(cw, blob_dir):  # noqa: F811
    """The one test that renders real PDFs: 立案审批表, 决定书 and 送达回证 of one case."""
    add_basis(cw.penalty)
    case = walk_penalty(cw, "decided")
    assert case.step == "serve"
    filing = issue(cw, case, K.FILING_APPROVAL)
    decision = issue(cw, case, K.PENALTY_DECISION)
    receipt = issue(cw, case, K.SERVICE_RECEIPT)
    # Numbers: the acts' own numbers, never a second one; the receipt has none.
    assert filing.number == case.number and filing.number.startswith("甲发改立")
    assert decision.number == case.decision_number and decision.number.startswith("甲发改罚")
    assert receipt.number == ""
    series = NumberingPattern.objects.get(agency=case.agency, kind=K.PENALTY_DECISION).pattern
    assert DocumentCounter.objects.get(agency_id=case.agency_id, kind=series).last == 1

    with blobs.open_blob(decision.pdf_sha256) as fh:
        assert fh.read(5) == b"%PDF-"
    with blobs.open_blob(decision.docx_sha256) as fh:
        text = docx_text(fh.read())
    assert "罚款人民币5000.00元" in text
    assert "《企业投资项目核准和备案管理条例》第十八条第一款" in text
    assert "六十日" in text and "六个月" in text and "十五日" in text and "第六十七条" in text
    assert f"{cw.world.agency_a.region_name}人民政府申请行政复议" in text  # 复议机关
    assert "{" not in text  # no unfilled placeholder reaches the party
    assert decision.context["依据"] == "《企业投资项目核准和备案管理条例》第十八条第一款"
    assert decision.template.kind == K.PENALTY_DECISION and len(decision.template_version) == 64

    issued = events(case, "document.issued")
    assert [e.payload["document"] for e in issued] == [filing.pk, decision.pk, receipt.pk]
    payload = issued[1].payload
    assert payload["pdf_sha256"] == decision.pdf_sha256
    assert payload["docx_sha256"] == decision.docx_sha256
    assert payload["number"] == decision.number
    files = [e.payload for e in events(case, "evidence.added") if e.payload.get("document")]
    assert {(f["sha256"], f["filename"]) for f in files if f["document"] == decision.pk} == {
        (decision.pdf_sha256, f"行政处罚决定书（{decision.number}）.pdf"),
        (decision.docx_sha256, f"行政处罚决定书（{decision.number}）.docx"),
    }
    with blobs.open_blob(receipt.docx_sha256) as fh:
        assert f"《行政处罚决定书》（{decision.number}）" in docx_text(fh.read())


def test_each_kind_only_at_its_step(cw, blob_dir, fast_pdf):  # noqa: F811
    case = walk_penalty(cw, "clue")
    with pytest.raises(ValidationError, match=r"只能在“.*调查取证.*”环节出具"):
        issue(cw, case, K.FILING_APPROVAL)
    assert documents.issuable_kinds(case) == []
    case = walk_penalty(cw, "investigate")
    assert [k for k, _ in documents.issuable_kinds(case)] == [K.FILING_APPROVAL]
    with pytest.raises(ValidationError, match=r"当前处于“调查取证”环节，“行政处罚决定书”只能在"):
        issue(cw, case, K.PENALTY_DECISION)
    with pytest.raises(ValidationError, match=r"不出具“受理通知书”"):
        issue(cw, case, K.ACCEPTANCE)
    issue(cw, case, K.FILING_APPROVAL)
    with pytest.raises(ValidationError, match=r"不能重复出具"):
        issue(cw, case, K.FILING_APPROVAL)
    with pytest.raises(ValidationError, match=r"未知的文书种类"):
        issue(cw, case, "nonsense")

    case = walk_penalty(cw, "prior_notice")
    kinds = [k for k, _ in documents.issuable_kinds(case)]
    assert kinds == [K.FILING_APPROVAL, K.PRIOR_NOTICE]
    notice = issue(cw, case, K.PRIOR_NOTICE)
    assert notice.number == ""  # no pattern for notices in this agency: unnumbered
    body = "".join(notice.context["正文"])
    assert "陈述" in body and "听证" in body and "罚款人民币5000.00元" in body
    assert notice.context["主送"] == "甲县某某能源有限公司："


def test_licence_documents(cw, blob_dir, fast_pdf):  # noqa: F811
    officer = cw.user("officer_a")
    case = services.licence_apply(
        acting_user=officer,
        item_version=cw.licence,
        party=cw.org,
        title="企业投资项目核准",
        received_on=days_ago(3),
    )
    with pytest.raises(ValidationError, match=r"只能在“一次性告知补正”环节出具"):
        issue(cw, case, K.CORRECTION_NOTICE)
    case = services.licence_request_correction(acting_user=officer, case=case, items="节能分析")
    notice = issue(cw, case, K.CORRECTION_NOTICE)
    assert "节能分析" in "".join(notice.context["正文"])
    case = services.licence_accept(acting_user=officer, case=case)
    acceptance = issue(cw, case, K.ACCEPTANCE)
    assert acceptance.number == case.number and acceptance.number.startswith("甲发改受")

    other = services.licence_apply(
        acting_user=officer, item_version=cw.licence, party=cw.org, title="节能审查"
    )
    other = services.licence_not_accept(acting_user=officer, case=other, reason="不属于本机关职权")
    refusal = issue(cw, other, K.NON_ACCEPTANCE)
    assert refusal.number == other.decision_number
    assert "六十日" in "".join(refusal.context["正文"])


def test_numbers_gap_free_and_rollback_leaves_nothing(cw, blob_dir, fast_pdf, monkeypatch):  # noqa: F811
    NumberingPattern.objects.create(
        agency=cw.world.agency_a, kind=K.PRIOR_NOTICE, pattern="甲发改告〔{year}〕{seq}号"
    )
    first = walk_penalty(cw, "prior_notice")
    second = walk_penalty(cw, "prior_notice")
    before = Event.objects.count()

    def boom(doc):
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(core_documents, "render_docx", boom)
    with pytest.raises(RuntimeError):
        issue(cw, first, K.PRIOR_NOTICE)
    assert Event.objects.count() == before
    assert not IssuedDocument.objects.exists()
    notices = NumberingPattern.objects.filter(kind=K.PRIOR_NOTICE).values("pattern")
    assert not DocumentCounter.objects.filter(kind__in=notices, last__gt=0).exists()
    monkeypatch.undo()
    monkeypatch.setattr(
        core_documents, "render_pdf", lambda doc: b"%PDF-stub " + doc.number.encode()
    )
    a, b = issue(cw, first, K.PRIOR_NOTICE), issue(cw, second, K.PRIOR_NOTICE)
    year = a.issued_at.year
    assert [a.number, b.number] == [f"甲发改告〔{year}〕1号", f"甲发改告〔{year}〕2号"]


def test_issue_permissions(cw, blob_dir, fast_pdf):  # noqa: F811
    case = walk_penalty(cw, "investigate")
    with pytest.raises(PermissionDenied):
        issue(cw, case, K.FILING_APPROVAL, login="officer_b")
    with pytest.raises(PermissionDenied):
        issue(cw, case, K.FILING_APPROVAL, login="reviewer_a")
    assert not IssuedDocument.objects.exists()


def test_pages_issue_and_download_in_scope(cw, blob_dir, fast_pdf, client):  # noqa: F811
    case = walk_penalty(cw, "investigate")
    client.force_login(cw.user("officer_a"))
    html = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "出具文书" in html and "立案审批表" in html and "导出电子案卷" in html
    url = reverse("cases:document_issue", args=[case.pk])
    response = client.post(url, {"kind": K.PENALTY_DECISION}, follow=True)
    assert "只能在" in response.content.decode()
    response = client.post(url, {"kind": K.FILING_APPROVAL}, follow=True)
    assert "已出具立案审批表" in response.content.decode()
    doc = IssuedDocument.objects.get()
    download = reverse("cases:document_download", args=[case.pk, doc.pk, "pdf"])
    response = client.get(download)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    name = f"立案审批表（{case.number}）.pdf"
    assert response["Content-Disposition"] == f"attachment; filename*=UTF-8''{quote(name)}"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    viewed = events(case, "record.viewed")
    assert viewed[-1].payload["what"] == f"下载文书：{name}"
    docx = client.get(reverse("cases:document_download", args=[case.pk, doc.pk, "docx"]))
    assert docx.status_code == 200 and docx["Content-Type"] == core_documents.DOCX_CONTENT_TYPE
    assert client.get(download.replace("/pdf/", "/exe/")).status_code == 404

    client.force_login(cw.user("officer_b"))
    assert client.get(download).status_code == 404
    assert client.post(url, {"kind": K.FILING_APPROVAL}).status_code == 404
    client.logout()
    response = client.get(download)
    assert response.status_code == 302 and "login" in response["Location"]


def test_agency_template_preferred(cw, blob_dir, fast_pdf):  # noqa: F811
    standard = DocumentTemplate.objects.get(agency=None, kind=K.FILING_APPROVAL)
    own = DocumentTemplate.objects.create(
        agency=cw.world.agency_a,
        kind=K.FILING_APPROVAL,
        title="立案审批表",
        body=standard.body + "\n本机关专用栏：{事由}",
    )
    doc = issue(cw, walk_penalty(cw, "investigate"), K.FILING_APPROVAL)
    assert doc.template == own and doc.template_version == documents.template_version(own)
    assert "本机关专用栏：未依法办理核准手续擅自开工建设" in doc.context["正文"]
