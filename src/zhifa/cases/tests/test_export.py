"""Case-file export (电子案卷, C3): the ledger's BagIt bag of the case, with its documents."""

from __future__ import annotations

import zipfile
from pathlib import Path
from urllib.parse import quote

import bagit
from django.urls import reverse

from zhifa.cases import documents
from zhifa.cases.tests.conftest import walk_penalty
from zhifa.cases.tests.doc_helpers import blob_dir, fast_pdf  # noqa: F401
from zhifa.catalog.models import DocumentKind
from zhifa.ledger.models import Event


def test_export_bag_validates_and_holds_documents_and_events(
    cw,
    blob_dir,  # noqa: F811
    fast_pdf,  # noqa: F811
    client,
    tmp_path: Path,
):
    case = walk_penalty(cw, "decided")
    decision = documents.document_issue(
        acting_user=cw.user("officer_a"), case=case, kind=DocumentKind.PENALTY_DECISION
    )
    client.force_login(cw.user("leader_a"))
    response = client.get(reverse("cases:case_export", args=[case.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    name = f"电子案卷-{case.number}.zip"
    assert response["Content-Disposition"] == f"attachment; filename*=UTF-8''{quote(name)}"
    archive = tmp_path / "bag.zip"
    archive.write_bytes(b"".join(response.streaming_content))
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp_path / "out")
        names = zf.namelist()
    (root,) = list((tmp_path / "out").iterdir())
    bag = bagit.Bag(str(root))
    bag.validate()  # manifests, Payload-Oxum, tag manifests
    stem = f"行政处罚决定书（{decision.number}）"
    assert any(n.endswith(f"data/files/{decision.pdf_sha256}/{stem}.pdf") for n in names)
    assert any(n.endswith(f"data/files/{decision.docx_sha256}/{stem}.docx") for n in names)
    subject = f"cases.case:{case.pk}"
    kinds = {e.kind: e.seq for e in Event.objects.filter(subject=subject)}
    for kind in ("case.registered", "case.filed", "decision.made", "document.issued"):
        assert any(n.endswith(f"data/events/{kinds[kind]:012d}.json") for n in names), kind
    # The export itself is recorded, before bagging, so the bag shows it too.
    export_views = Event.objects.filter(subject=subject, kind="record.viewed")
    assert export_views.filter(payload__what="导出电子案卷").count() == 1


def test_export_scope(cw, blob_dir, client):  # noqa: F811
    case = walk_penalty(cw, "investigate")
    url = reverse("cases:case_export", args=[case.pk])
    client.force_login(cw.user("officer_b"))
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
