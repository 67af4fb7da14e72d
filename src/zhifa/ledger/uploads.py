"""Resumable evidence uploads with the tus 1.0 protocol (https://tus.io/protocols/resumable-upload):
core, creation, termination and checksum extensions, so Uppy / tus-js-client in the browser
and tuspy in scripts work as they are (C9: 即时上传, resume after a broken connection).

Clients send the session cookie and Django's CSRF token (header ``X-CSRFToken``). Upload
metadata keys understood: ``filename``, ``filetype``, ``sha256`` (hex; the finished file must
match it or nothing is kept), ``subject`` (ledger reference of the case or step), ``where``,
``device``, ``step``, ``captured_at`` (ISO 8601). A finished upload becomes a blob and an
``evidence.added`` event; the response carries ``Zhifa-Blob-Sha256`` and ``Zhifa-Ledger-Seq``.

The partial file on disk is the truth for the offset, and an exclusive file lock keeps two
PATCH requests for one upload from interleaving; no database lock is held while bytes flow.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import fcntl
import hashlib
import mimetypes
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_http_methods

from zhifa.core.access import allowed
from zhifa.ledger import blobs
from zhifa.ledger.models import Upload

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,termination,checksum"
CHECKSUMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256}
CHUNK = 1024 * 1024


def upload_evidence(user) -> bool:
    """Staff of an agency (or administrators) may upload evidence."""
    if user.is_superuser:
        return True
    try:
        return user.staff.is_active
    except ObjectDoesNotExist:
        return False


def _response(status: int, message: str = "", **headers: str) -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _partial(upload_id: uuid.UUID) -> Path:
    path = Path(settings.LEDGER_UPLOAD_DIR) / "partial"
    path.mkdir(parents=True, exist_ok=True)
    return path / f"{upload_id}.part"


def parse_metadata(header: str) -> dict[str, str]:
    """``Upload-Metadata: key base64,key2 base64`` (values are optional)."""
    result: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in header.split(","))):
        key, _, value = item.partition(" ")
        try:
            result[key] = base64.b64decode(value, validate=True).decode() if value else ""
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise ValueError(
                f"Upload-Metadata 中“{key}”的值不是 UTF-8 文本的 base64 编码。"
            ) from exc
    return result


def type_allowed(content_type: str) -> bool:
    """Whether the evidence store accepts this MIME type (``LEDGER_UPLOAD_ALLOWED_TYPES``:
    types, or prefixes ending in "/" or ".")."""
    return any(
        content_type == rule or (rule.endswith(("/", ".")) and content_type.startswith(rule))
        for rule in settings.LEDGER_UPLOAD_ALLOWED_TYPES
    )


def _check_version(request: HttpRequest) -> HttpResponse | None:
    if request.method != "OPTIONS" and request.headers.get("Tus-Resumable") != TUS_VERSION:
        return _response(
            412,
            "仅支持 tus 1.0.0 协议，请在请求中带上 Tus-Resumable: 1.0.0。",
            Tus_Version=TUS_VERSION,
        )
    return None


def _options() -> HttpResponse:
    return _response(
        204,
        Tus_Version=TUS_VERSION,
        Tus_Extension=EXTENSIONS,
        Tus_Max_Size=str(settings.LEDGER_UPLOAD_MAX_BYTES),
        Tus_Checksum_Algorithm=",".join(CHECKSUMS),
    )


@require_http_methods(["OPTIONS", "POST"])
@allowed(upload_evidence)
def uploads(request: HttpRequest) -> HttpResponse:
    if request.method == "OPTIONS":
        return _options()
    if bad := _check_version(request):
        return bad
    return _create(request)


def _create(request: HttpRequest) -> HttpResponse:
    raw_length = request.headers.get("Upload-Length", "")
    if not raw_length.isascii() or not raw_length.isdigit():
        return _response(
            400, "缺少或错误的 Upload-Length：请给出文件的总字节数（不支持延后声明长度）。"
        )
    length = int(raw_length)
    limit = settings.LEDGER_UPLOAD_MAX_BYTES
    if length > limit:
        return _response(
            413, f"文件大小 {length} 字节超过上限 {limit} 字节，请压缩或分段后再上传。"
        )
    try:
        meta = parse_metadata(request.headers.get("Upload-Metadata", ""))
        meta = _validate_metadata(meta)
    except ValueError as exc:
        return _response(400, str(exc))
    if not type_allowed(meta["filetype"]):
        return _response(
            415,
            f"不接受“{meta['filetype'] or '未知'}”类型的文件。"
            "请上传照片、录音、录像、PDF 或办公文档。",
        )
    upload = Upload.objects.create(
        id=uuid.uuid4(), owner=request.user, length=length, metadata=meta
    )
    _partial(upload.id).touch()
    location = request.build_absolute_uri(reverse("ledger:upload", args=[upload.id]))
    if length == 0:
        return _finish(request, upload, status=201, Location=location)
    return _response(201, Location=location, Upload_Offset="0")


def _validate_metadata(meta: dict[str, str]) -> dict[str, str]:
    filename = meta.get("filename") or meta.get("name") or ""
    if not filename or len(filename) > 255 or "/" in filename or "\x00" in filename:
        raise ValueError("请在 Upload-Metadata 中提供 filename（原始文件名，不超过 255 个字符）。")
    filetype = meta.get("filetype") or meta.get("type") or mimetypes.guess_type(filename)[0] or ""
    sha256 = meta.get("sha256", "").strip().lower()
    if sha256 and not blobs.SHA256_RE.match(sha256):
        raise ValueError("Upload-Metadata 中的 sha256 应为 64 位十六进制 SHA-256。")
    captured = meta.get("captured_at", "")
    if captured and (parse_datetime(captured) is None or parse_datetime(captured).tzinfo is None):
        raise ValueError("captured_at 应为带时区的 ISO 8601 时间，例如 2026-03-01T09:30:00+08:00。")
    subject = meta.get("subject", "")
    if len(subject) > 200:
        raise ValueError("subject 不能超过 200 个字符。")
    clean = {k: meta.get(k, "")[:200] for k in ("where", "device", "step")}
    return {
        "filename": filename,
        "filetype": filetype,
        "sha256": sha256,
        "captured_at": captured,
        "subject": subject,
        **clean,
    }


@require_http_methods(["OPTIONS", "HEAD", "PATCH", "DELETE"])
@allowed(upload_evidence)
def upload(request: HttpRequest, upload_id: uuid.UUID) -> HttpResponse:
    if request.method == "OPTIONS":
        return _options()
    if bad := _check_version(request):
        return bad
    found = Upload.objects.filter(id=upload_id, owner=request.user).first()
    if found is None:
        return _response(404, "没有找到这个上传，可能已完成、已取消或不属于您，请重新开始上传。")
    if request.method == "HEAD":
        done = {"Zhifa_Blob_Sha256": found.sha256} if found.sha256 else {}
        return _response(
            200, Upload_Offset=str(_offset(found)), Upload_Length=str(found.length), **done
        )
    if request.method == "DELETE":
        return _terminate(found)
    return _patch(request, found)


def _offset(found: Upload) -> int:
    if found.sha256:
        return found.length
    path = _partial(found.id)
    return path.stat().st_size if path.exists() else 0


def _terminate(found: Upload) -> HttpResponse:
    # A finished upload's blob and ledger event stay: the record is append-only.
    _partial(found.id).unlink(missing_ok=True)
    found.delete()
    return _response(204)


@contextlib.contextmanager
def _locked(path: Path):
    with open(path, "r+b") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield None
            return
        try:
            yield fh
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _patch(request: HttpRequest, found: Upload) -> HttpResponse:
    if request.content_type != "application/offset+octet-stream":
        return _response(415, "PATCH 请求的 Content-Type 必须是 application/offset+octet-stream。")
    checksum = _checksum_header(request.headers.get("Upload-Checksum"))
    if isinstance(checksum, HttpResponse):
        return checksum
    path = _partial(found.id)
    if found.sha256 or not path.exists():
        return _response(409, "该上传已经完成，无需继续发送数据。")
    with _locked(path) as fh:
        if fh is None:
            return _response(409, "该上传正在由另一个请求写入，请稍后查询进度（HEAD）后再续传。")
        start = fh.seek(0, os.SEEK_END)
        claimed = request.headers.get("Upload-Offset", "")
        if claimed != str(start):
            return _response(
                409,
                f"Upload-Offset 应为 {start}（服务器已收到的字节数），请从该位置续传。",
                Upload_Offset=str(start),
            )
        received = _receive(request, fh, found.length - start, checksum)
        if isinstance(received, HttpResponse):
            fh.truncate(start)
            return received
        fh.flush()
        os.fsync(fh.fileno())
        offset = start + received
    if offset == found.length:
        return _finish(request, found, status=204)
    return _response(204, Upload_Offset=str(offset))


def _checksum_header(header: str | None):
    if not header:
        return None
    algorithm, _, value = header.strip().partition(" ")
    if algorithm not in CHECKSUMS:
        return _response(400, f"不支持的校验算法“{algorithm}”，可用：{', '.join(CHECKSUMS)}。")
    try:
        expected = base64.b64decode(value, validate=True)
    except binascii.Error:
        return _response(400, "Upload-Checksum 的校验值不是合法的 base64。")
    return CHECKSUMS[algorithm](), expected


def _receive(request: HttpRequest, fh, room: int, checksum) -> int | HttpResponse:
    """Append the request body to the partial file; a connection that breaks mid-way keeps
    what arrived (core protocol), unless a checksum was declared for the whole chunk."""
    received = 0
    while chunk := request.read(CHUNK):
        received += len(chunk)
        if received > room:
            return _response(413, "发送的数据超过了创建上传时声明的 Upload-Length。")
        fh.write(chunk)
        if checksum:
            checksum[0].update(chunk)
    if checksum and checksum[0].digest() != checksum[1]:
        # 460 Checksum Mismatch (checksum extension); the chunk is discarded.
        return _response(460, "本段数据校验失败，可能在传输中损坏，请重新发送这一段。")
    return received


def _finish(request: HttpRequest, found: Upload, *, status: int, **headers: str) -> HttpResponse:
    meta = found.metadata
    try:
        stored = blobs.store_path(_partial(found.id), expected_sha256=meta.get("sha256") or None)
    except blobs.HashMismatch as exc:
        found.delete()
        return _response(460, f"{exc}（未保存任何内容）")
    captured = parse_datetime(meta["captured_at"]) if meta.get("captured_at") else None
    agency = _agency_of(request.user)
    with transaction.atomic():
        event = blobs.add_evidence(
            stored,
            actor=request.user,
            subject=meta.get("subject") or stored.ref,
            filename=meta["filename"],
            content_type=meta["filetype"],
            where=meta["where"],
            device=meta["device"],
            step=meta["step"],
            captured_at=captured,
            agency=agency,
            extra={"upload": str(found.id)},
        )
        Upload.objects.filter(pk=found.pk).update(
            offset=found.length, sha256=stored.sha256, event_seq=event.seq
        )
    return _response(
        status,
        Upload_Offset=str(found.length),
        Zhifa_Blob_Sha256=stored.sha256,
        Zhifa_Ledger_Seq=str(event.seq),
        **headers,
    )


def _agency_of(user) -> int | None:
    try:
        return user.staff.agency_id
    except ObjectDoesNotExist:
        return None


__all__ = ["upload", "uploads"]


def expire_uploads(now: dt.datetime | None = None) -> int:
    """Delete unfinished uploads started more than ``LEDGER_UPLOAD_EXPIRE_HOURS`` ago, with
    their partial files; returns how many. An upload being written to right now (its file
    is locked) is left for the next run. Finished uploads are evidence and stay."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.LEDGER_UPLOAD_EXPIRE_HOURS)
    expired = 0
    for upload in Upload.objects.filter(sha256="", created_at__lt=cutoff).order_by("created_at"):
        path = _partial(upload.id)
        if not path.exists():
            upload.delete()
            expired += 1
            continue
        with _locked(path) as fh:
            if fh is None:
                continue
            path.unlink()
            upload.delete()
            expired += 1
    return expired
