"""Evidence on the case page: attach an uploaded file to a step, list it, play it back.

The bytes travel by tus (``/api/v1/uploads/``, the ledger's evidence store), which records an
``evidence.added`` event; the page then posts the returned SHA-256 here to attach it to the
case (``case_evidence_attach``). Playback streams the stored blob with HTTP Range support so a
``<video>`` can seek, and records each viewing in the ledger (C10).
"""

from __future__ import annotations

import mimetypes
import re
from urllib.parse import quote

from django import forms as djforms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from zhifa import ledger
from zhifa.cases import permissions, selectors, services
from zhifa.cases.models import Case, CaseEvidence, MediaKind
from zhifa.core.access import allowed
from zhifa.core.forms import get_or_404
from zhifa.ledger import blobs
from zhifa.org.selectors import devices_in_use

CHUNK = 256 * 1024
RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
HASH_IN_BROWSER_MAX = 200 * 1024 * 1024  # larger files rely on the server's hash


def media_kind_for(content_type: str) -> str:
    """照片 / 录像 / 录音 from the MIME type; anything else is a document (书证扫描件)."""
    major = (content_type or "").split("/", 1)[0].lower()
    return {
        "image": MediaKind.PHOTO,
        "video": MediaKind.VIDEO,
        "audio": MediaKind.AUDIO,
    }.get(major, MediaKind.DOCUMENT)


# --- attach --------------------------------------------------------------------------------


class AttachForm(djforms.Form):
    sha256 = djforms.RegexField(
        label="SHA-256",
        regex=r"^[0-9a-fA-F]{64}$",
        error_messages={"invalid": "文件哈希应为 64 位十六进制 SHA-256。"},
    )
    step = djforms.ChoiceField(label="环节")
    device = djforms.ModelChoiceField(label="采集设备", queryset=None, required=False)
    description = djforms.CharField(label="说明", max_length=200, required=False)
    where = djforms.CharField(label="采集地点", max_length=200, required=False)
    captured_at = djforms.DateTimeField(label="采集时间", required=False)
    filename = djforms.CharField(label="原始文件名", max_length=255, required=False)
    filetype = djforms.CharField(label="文件类型", max_length=100, required=False)

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [(s.code, s.name) for s in case.flow.steps.order_by("order")]
        self.fields["device"].queryset = devices_in_use(agency_id=case.agency_id)
        self.fields["device"].error_messages["invalid_choice"] = (
            "请选择本单位在用的执法装备（停用或维修中的设备不能选）。"
        )


def _added_event(case: Case, sha256: str):
    """The latest ``evidence.added`` event of this content recorded within the case's agency,
    and whether any other agency recorded it (then it is not ours to take)."""
    from zhifa.ledger.models import Event

    events = Event.objects.filter(kind="evidence.added", payload__sha256=sha256)
    own = events.filter(agency_id=case.agency_id).order_by("-seq").first()
    foreign = own is None and events.exclude(agency_id=case.agency_id).exists()
    return own, foreign


def _fail(request: HttpRequest, case: Case, status: int, message: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"ok": False, "error": message}, status=status)
    messages.error(request, message)
    return redirect(reverse("cases:case_detail", args=[case.pk]) + "#evidence")


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@allowed(permissions.can_attach_evidence)
@require_POST
def evidence_attach(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_or_404(selectors.case_get, user=request.user, pk=pk)
    form = AttachForm(request.POST, case=case)
    if not form.is_valid():
        errors = "；".join(m for ms in form.errors.values() for m in ms)
        return _fail(request, case, 400, f"无法关联证据：{errors}")
    data = form.cleaned_data
    sha256 = data["sha256"].lower()
    from zhifa.ledger.models import Blob

    blob = Blob.objects.filter(sha256=sha256).first()
    if blob is None or not blobs.exists(sha256):
        return _fail(request, case, 400, "证据库中没有这个文件，请先上传文件再关联。")
    existing = CaseEvidence.objects.filter(case=case, step=data["step"], sha256=sha256).first()
    if existing is not None:
        return _done(request, case, existing, "该文件已关联到本环节，无需重复添加。")
    event, foreign = _added_event(case, sha256)
    if foreign:
        # Identical content recorded by another agency: knowing a hash is not a right to it.
        raise Http404("未找到该证据文件，或您无权使用。")
    facts = event.payload if event is not None else {}
    filename = facts.get("filename") or data["filename"] or f"{sha256[:12]}"
    content_type = (
        facts.get("content_type")
        or data["filetype"]
        or mimetypes.guess_type(filename)[0]
        or "application/octet-stream"
    )
    device = data["device"]
    where = data["where"] or facts.get("where", "")
    captured_at = data["captured_at"]
    try:
        with transaction.atomic():
            if event is None:
                blobs.add_evidence(
                    sha256,
                    actor=request.user,
                    subject=case,
                    filename=filename,
                    content_type=content_type,
                    where=where,
                    device=device.serial_number if device else "",
                    step=data["step"],
                    captured_at=captured_at,
                )
            evidence = services.case_evidence_attach(
                acting_user=request.user,
                case=case,
                step=data["step"],
                sha256=sha256,
                media_kind=media_kind_for(content_type),
                description=data["description"],
                device=device,
                filename=filename,
                content_type=content_type,
                size=blob.size,
                captured_at=captured_at,
                location=where,
            )
    except blobs.BlobError as error:
        return _fail(request, case, 400, str(error))
    except ValidationError as error:
        return _fail(request, case, 400, "；".join(error.messages))
    except PermissionDenied as error:
        return _fail(request, case, 403, str(error) or "您没有添加证据的权限。")
    return _done(request, case, evidence, f"已添加证据：{filename}。")


def _done(request: HttpRequest, case: Case, evidence: CaseEvidence, message: str):
    if _wants_json(request):
        return JsonResponse({"ok": True, "id": evidence.pk, "message": message})
    messages.success(request, message)
    return redirect(reverse("cases:case_detail", args=[case.pk]) + "#evidence")


# --- list ----------------------------------------------------------------------------------


def evidence_rows(case: Case) -> list[tuple[CaseEvidence, str]]:
    names = {s.code: s.name for s in case.flow.steps.all()}
    rows = case.evidence.select_related("added_by__staff", "device").order_by("pk")
    return [(e, names.get(e.step, e.step)) for e in rows]


def upload_context(request: HttpRequest, case: Case) -> dict | None:
    """What the upload area on the case page needs, or None if the user may not attach."""
    if not permissions.can_attach_evidence(request.user) or case.status != "open":
        return None
    return {
        "steps": [(s.code, s.name) for s in case.flow.steps.order_by("order")],
        "current": case.step,
        "devices": devices_in_use(agency_id=case.agency_id).select_related("assigned_to"),
        "endpoint": reverse("ledger:uploads"),
        "attach_url": reverse("cases:evidence_attach", args=[case.pk]),
        "list_url": reverse("cases:evidence_list", args=[case.pk]),
        "subject": f"cases.case:{case.pk}",
        "hash_max": HASH_IN_BROWSER_MAX,
    }


@allowed(permissions.can_view_cases)
@require_GET
def evidence_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The evidence table alone, for the upload script to refresh after an attach."""
    case = get_or_404(selectors.case_get, user=request.user, pk=pk)
    return render(
        request, "cases/evidence_list.html", {"case": case, "evidence": evidence_rows(case)}
    )


# --- playback ------------------------------------------------------------------------------


def parse_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """One ``bytes=`` range as (first, last) inclusive; None to send the whole file (no or
    unsupported header); False when the range cannot be satisfied (416)."""
    if not header:
        return None
    header = header.strip()
    if not header.startswith("bytes="):
        return None  # another unit: ignore it and send everything (RFC 9110 §14.2)
    if "," in header:
        return None  # several ranges: we answer with the whole representation
    match = RANGE_RE.match(header.replace(" ", ""))
    if not match or match.groups() == ("", ""):
        return False
    first, last = match.groups()
    if first == "":  # suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return False
        return max(size - length, 0), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or end < start:
        return False
    return start, min(end, size - 1)


def _stream(fh, start: int, length: int):
    try:
        fh.seek(start)
        remaining = length
        while remaining > 0:
            chunk = fh.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        fh.close()


def content_disposition(filename: str) -> str:
    """``inline`` with the original (Chinese) name kept, RFC 6266 / 8187."""
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "")
    ascii_name = ascii_name.strip() or "evidence"
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


@allowed(permissions.can_view_cases)
@require_GET
def evidence_file(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    case = get_or_404(selectors.case_get, user=request.user, pk=pk)
    evidence = CaseEvidence.objects.filter(case=case, pk=evidence_id).first()
    if evidence is None:
        raise Http404("未找到该证据，或您无权查看。")
    own, _ = _added_event(case, evidence.sha256)
    if own is None:
        # A hash typed into the hash form names content this agency never put into the store
        # (or content of another agency): it is listed, but not served.
        raise Http404("本单位证据库中没有该文件的入库记录，无法打开。")
    try:
        fh = blobs.open_blob(evidence.sha256)
    except (FileNotFoundError, blobs.BlobError) as exc:
        raise Http404("证据库中找不到该文件，请联系系统管理员检查文件完整性。") from exc
    size = _size(fh, evidence)
    wanted = parse_range(request.headers.get("Range", ""), size)
    if wanted is False:
        fh.close()
        response = HttpResponse(
            "请求的字节范围无效。", status=416, content_type="text/plain; charset=utf-8"
        )
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response
    start, end = wanted if wanted else (0, size - 1)
    if start == 0:
        # One viewing is one record: a player's follow-up range requests are not recorded.
        with transaction.atomic():
            ledger.record_view(
                request.user,
                f"ledger.blob:{evidence.sha256}",
                what=f"cases.case:{case.pk}",
                agency=case.agency,
            )
    length = max(end - start + 1, 0)
    response = StreamingHttpResponse(
        _stream(fh, start, length),
        status=206 if wanted else 200,
        content_type=_content_type(evidence),
    )
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if wanted:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Disposition"] = content_disposition(evidence.filename or evidence.sha256)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-cache"
    response["ETag"] = f'"{evidence.sha256}"'
    return response


def _size(fh, evidence: CaseEvidence) -> int:
    if evidence.size is not None:
        return evidence.size
    fh.seek(0, 2)
    size = fh.tell()
    fh.seek(0)
    return size


def _content_type(evidence: CaseEvidence) -> str:
    return (
        evidence.content_type
        or mimetypes.guess_type(evidence.filename)[0]
        or "application/octet-stream"
    )
