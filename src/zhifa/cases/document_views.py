"""Pages for a case's documents (文书) and its case-file export (电子案卷, C3).

Downloads stream the stored blob; every download and export is recorded in the ledger as a
view of the case (C10). Anything outside the caller's agency is a 404.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import quote

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from zhifa import ledger
from zhifa.cases import documents, permissions, selectors
from zhifa.cases.models import Case, IssuedDocument
from zhifa.core.access import allowed
from zhifa.core.documents import DOCX_CONTENT_TYPE, PDF_CONTENT_TYPE
from zhifa.core.forms import flash_outcome, get_or_404

CONTENT_TYPES = {"pdf": PDF_CONTENT_TYPE, "docx": DOCX_CONTENT_TYPE}


def attachment(filename: str) -> str:
    """Content-Disposition keeping the original Chinese name (RFC 6266 / 5987)."""
    return f"attachment; filename*=UTF-8''{quote(filename, safe='')}"


def can_issue_documents(user) -> bool:
    """Page rule: staff of an agency with a handling role (the service checks the case)."""
    return permissions._acting(
        user, permissions.OFFICER, permissions.HEAD, permissions.LEADER, permissions.OFFICE
    )


@allowed(can_issue_documents)
@require_POST
def document_issue(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_or_404(selectors.case_get, user=request.user, pk=pk)
    kind = request.POST.get("kind", "")

    def issued(document) -> str:
        label = f"{document.title}（{document.number}）" if document.number else document.title
        return f"已出具{label}，可下载PDF或DOCX文件。"

    flash_outcome(
        request,
        lambda: documents.document_issue(acting_user=request.user, case=case, kind=kind),
        issued,
    )
    return redirect("cases:case_detail", pk=case.pk)


@allowed(permissions.can_view_cases)
@require_GET
def document_download(request: HttpRequest, pk: int, document_id: int, fmt: str) -> HttpResponse:
    from zhifa.ledger import blobs

    if fmt not in CONTENT_TYPES:
        raise Http404("未找到该文件。")
    case = get_or_404(selectors.case_get, user=request.user, pk=pk)
    document = IssuedDocument.objects.filter(case=case, pk=document_id).first()
    if document is None:
        raise Http404("未找到该文书，或您无权查看。")
    sha256 = document.pdf_sha256 if fmt == "pdf" else document.docx_sha256
    filename = document.filename(fmt)
    try:
        stream = blobs.open_blob(sha256)
    except FileNotFoundError as exc:
        raise Http404("文书文件缺失，请联系系统管理员运行完整性检查。") from exc
    with transaction.atomic():
        ledger.record_view(request.user, case, what=f"下载文书：{filename}")
    response = FileResponse(stream, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = attachment(filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def export_filename(case: Case) -> str:
    return f"电子案卷-{case.number or case.pk}.zip"


@allowed(permissions.can_view_cases)
@require_GET
def case_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The case file as the ledger's BagIt bag (zip), built in a temporary file on disk and
    streamed from there (memory stays flat whatever the evidence size)."""
    from zhifa.ledger.export import export_subject
    from zhifa.ledger.services import LedgerError

    case = get_or_404(selectors.case_get, user=request.user, pk=pk)
    with transaction.atomic():
        # Recorded before bagging, so the bag itself shows who exported it and when.
        ledger.record_view(request.user, case, what="导出电子案卷")
    fd, name = tempfile.mkstemp(prefix="zhifa-export-", suffix=".zip")
    os.close(fd)
    out = Path(name)
    try:
        export_subject(f"cases.case:{case.pk}", out)
        stream = open(out, "rb")  # noqa: SIM115 - closed by the response
    except LedgerError as error:
        out.unlink(missing_ok=True)
        messages.error(request, str(error))
        return redirect("cases:case_detail", pk=case.pk)
    finally:
        # The open handle keeps the data readable; the name goes away now, so nothing
        # is left behind whatever happens to the download.
        out.unlink(missing_ok=True)
    response = FileResponse(stream, content_type="application/zip")
    response["Content-Disposition"] = attachment(export_filename(case))
    return response


urlpatterns = [
    path("<int:pk>/documents/issue/", document_issue, name="document_issue"),
    path(
        "<int:pk>/documents/<int:document_id>/<str:fmt>/",
        document_download,
        name="document_download",
    ),
    path("<int:pk>/export/", case_export, name="case_export"),
]
