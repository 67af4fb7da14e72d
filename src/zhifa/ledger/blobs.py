"""The evidence store (``ledger.blobs``): files kept by the SHA-256 of their bytes.

A file is streamed to a temporary file while it is hashed (memory stays flat whatever its
size), fsynced, then moved into place under its hash; an existing file is never replaced, and
identical content is stored once. The bytes live on the filesystem under the data dir
(``blobs/sha256/ab/cd/<hash>``) or, with ``ZHIFA_BLOB_BACKEND=s3``, in S3-compatible object
storage under the same key. How other apps use it::

    from zhifa.ledger import blobs
    event = blobs.add_evidence(upload, actor=request.user, subject=case,
                               filename="现场照片.jpg", content_type="image/jpeg",
                               where="宁晋县凤凰路12号", device="执法记录仪 DSJ-001",
                               step="调查取证")
    with blobs.open_blob(event.payload["sha256"]) as f: ...
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import queue
import re
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

CHUNK = 1024 * 1024
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


class BlobError(ValueError):
    """A file that cannot be stored as given (message in Chinese, safe to show)."""


class HashMismatch(BlobError):
    """The content's SHA-256 differs from the one the client declared; nothing was kept."""


class TooLarge(BlobError):
    pass


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    created: bool  # False when identical content was already stored

    @property
    def ref(self) -> str:
        return f"ledger.blob:{self.sha256}"


def blob_key(sha256: str) -> str:
    """``sha256/ab/cd/abcd…``: two levels of fan-out keep directories small."""
    if not SHA256_RE.match(sha256):
        raise BlobError("文件哈希应为 64 位小写十六进制 SHA-256。")
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


class FilesystemBackend:
    name = "filesystem"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def staging_dir(self) -> Path:
        # Inside the store, so moving a finished file in is a rename, not a copy.
        path = self.root / "tmp"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def path(self, sha256: str) -> Path:
        return self.root / blob_key(sha256)

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def put(self, staged: Path, sha256: str) -> bool:
        """Move a hashed, fsynced file into place. False if that content is already there."""
        final = self.path(sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        try:
            # link() fails when the name exists, so a stored file is never replaced, even by
            # a concurrent upload of the same content.
            os.link(staged, final)
        except FileExistsError:
            return False
        finally:
            staged.unlink(missing_ok=True)
        os.chmod(final, 0o444)
        _fsync_dir(final.parent)
        return True

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path(sha256), "rb")


class S3Backend:
    name = "s3"

    def __init__(self, options: dict[str, Any]) -> None:
        from storages.backends.s3 import S3Storage

        opts = {k: v for k, v in options.items() if v is not None}
        self.storage = S3Storage(**opts, file_overwrite=True, default_acl="private")

    def staging_dir(self) -> Path:
        path = Path(settings.LEDGER_UPLOAD_DIR) / "staging"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def exists(self, sha256: str) -> bool:
        return self.storage.exists(blob_key(sha256))

    def put(self, staged: Path, sha256: str) -> bool:
        try:
            if self.exists(sha256):
                return False
            # The key is the content hash, so even a racing writer uploads the same bytes.
            with open(staged, "rb") as fh:
                self.storage.save(blob_key(sha256), fh)
            return True
        finally:
            staged.unlink(missing_ok=True)

    def open(self, sha256: str) -> IO[bytes]:
        if not self.exists(sha256):
            raise FileNotFoundError(blob_key(sha256))
        return self.storage.open(blob_key(sha256), "rb")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@lru_cache(maxsize=4)
def _backend(kind: str, root: str, s3: tuple) -> FilesystemBackend | S3Backend:
    if kind == "filesystem":
        return FilesystemBackend(Path(root))
    if kind == "s3":
        return S3Backend(dict(s3))
    raise ImproperlyConfigured(f"ZHIFA_BLOB_BACKEND 只能是 filesystem 或 s3，而不是“{kind}”。")


def backend() -> FilesystemBackend | S3Backend:
    return _backend(
        settings.LEDGER_BLOB_BACKEND,
        str(settings.LEDGER_BLOB_DIR),
        tuple(sorted(settings.LEDGER_S3.items())),
    )


# Staging: a reading thread (this one) fills buffers and hashes them while a writing thread
# writes them to the temporary file and asks the kernel to flush every FLUSH_EVERY bytes, so
# the disk works while the next buffers are hashed and the final fsync finds little left.
# Memory: STAGE_BUFFERS buffers of STAGE_CHUNK bytes, whatever the file size.
STAGE_CHUNK = 1024 * 1024
STAGE_BUFFERS = 4
FLUSH_EVERY = 64 * 1024 * 1024


class _Writer(threading.Thread):
    """Writes filled buffers to ``fd`` in order and hands each buffer back when written."""

    def __init__(self, fd: int, buffers: list[bytearray]) -> None:
        super().__init__(name="blob-stage-writer", daemon=True)
        self.fd = fd
        self.free: queue.SimpleQueue = queue.SimpleQueue()
        self.full: queue.SimpleQueue = queue.SimpleQueue()
        self.error: BaseException | None = None
        for buffer in buffers:
            self.free.put(buffer)

    def run(self) -> None:
        unflushed = 0
        while (item := self.full.get()) is not None:
            buffer, n = item
            try:
                if self.error is None:
                    view = memoryview(buffer)[:n]
                    while view:
                        view = view[os.write(self.fd, view) :]
                    unflushed += n
                    if unflushed >= FLUSH_EVERY:
                        os.fdatasync(self.fd)
                        unflushed = 0
            except BaseException as exc:  # reported by the reading thread
                self.error = exc
            finally:
                self.free.put(buffer)

    def get_buffer(self) -> bytearray:
        if self.error is not None:
            raise self.error
        return self.free.get()

    def finish(self) -> None:
        self.full.put(None)
        self.join()
        if self.error is not None:
            raise self.error


def _read_into(stream: IO[bytes], buffer: bytearray) -> int:
    """Fill ``buffer`` as far as the stream allows; 0 at the end."""
    readinto = getattr(stream, "readinto", None)
    view, got = memoryview(buffer), 0
    while got < len(buffer):
        try:
            if readinto is None:
                raise NotImplementedError
            n = readinto(view[got:])
        except NotImplementedError:  # a stream with read() only (io.RawIOBase's default)
            readinto = None
            chunk = stream.read(len(buffer) - got)
            n = len(chunk)
            view[got : got + n] = chunk
        if not n:
            break
        got += n
    return got


def _advise_sequential(stream: IO[bytes]) -> None:
    # Only a hint: not every stream is a file, nor every platform POSIX.
    with contextlib.suppress(AttributeError, OSError, ValueError, io.UnsupportedOperation):
        os.posix_fadvise(stream.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)


def _stage(stream: IO[bytes], limit: int | None) -> tuple[Path, str, int]:
    """Copy ``stream`` to a temporary file while hashing it; fsync before returning."""
    digest = hashlib.sha256()
    size = 0
    fd, name = tempfile.mkstemp(dir=backend().staging_dir(), prefix="in-")
    staged = Path(name)
    _advise_sequential(stream)
    writer = _Writer(fd, [bytearray(STAGE_CHUNK) for _ in range(STAGE_BUFFERS)])
    writer.start()
    try:
        try:
            while True:
                buffer = writer.get_buffer()
                n = _read_into(stream, buffer)
                if not n:
                    writer.free.put(buffer)
                    break
                size += n
                if limit is not None and size > limit:
                    writer.free.put(buffer)
                    raise TooLarge(f"文件超过大小上限 {limit} 字节，请压缩或分卷后再上传。")
                digest.update(memoryview(buffer)[:n])
                writer.full.put((buffer, n))
        finally:
            writer.finish()
        os.fsync(fd)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)
    return staged, digest.hexdigest(), size


def hash_file(path: Path) -> str:
    with open(path, "rb") as fh:
        _advise_sequential(fh)
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _check_expected(expected: str | None, actual: str) -> None:
    if expected is not None and expected.lower() != actual:
        raise HashMismatch(
            f"文件内容的 SHA-256 为 {actual}，与声明的 {expected.lower()} 不符，"
            "文件可能在传输中损坏，请重新上传。"
        )


def _register(sha256: str, size: int, created: bool) -> StoredBlob:
    from zhifa.ledger.models import Blob

    try:
        with transaction.atomic():
            Blob.objects.create(
                sha256=sha256, size=size, backend=backend().name, created_at=timezone.now()
            )
    except IntegrityError:
        pass  # already registered: identical content is stored once
    return StoredBlob(sha256, size, created)


def store(
    stream: IO[bytes], *, expected_sha256: str | None = None, max_bytes: int | None = None
) -> StoredBlob:
    """Store the bytes of a readable binary stream; returns their hash and size."""
    staged, sha256, size = _stage(stream, max_bytes)
    try:
        _check_expected(expected_sha256, sha256)
    except HashMismatch:
        staged.unlink(missing_ok=True)
        raise
    return _register(sha256, size, backend().put(staged, sha256))


def store_path(path: Path, *, expected_sha256: str | None = None) -> StoredBlob:
    """Store a file that is already complete on local disk (e.g. a finished tus upload).

    The file is consumed: on the filesystem backend it is moved in without copying when it
    lies on the same filesystem. On a hash mismatch it is deleted and nothing is kept.
    """
    path = Path(path)
    sha256 = hash_file(path)
    size = path.stat().st_size
    try:
        _check_expected(expected_sha256, sha256)
    except HashMismatch:
        path.unlink(missing_ok=True)
        raise
    store_ = backend()
    if isinstance(store_, FilesystemBackend):
        staged = store_.staging_dir() / f"mv-{os.getpid()}-{path.name}"
        try:
            os.replace(path, staged)
        except OSError:  # another filesystem: copy (still constant memory)
            with open(path, "rb") as fh:
                staged, _, _ = _stage(fh, None)
            path.unlink(missing_ok=True)
        else:
            with open(staged, "rb+") as fh:
                os.fsync(fh.fileno())
    else:
        staged = path
    return _register(sha256, size, store_.put(staged, sha256))


def open_blob(sha256: str) -> IO[bytes]:
    """A readable binary file of stored content (FileNotFoundError if missing)."""
    blob_key(sha256)
    return backend().open(sha256)


def exists(sha256: str) -> bool:
    return backend().exists(sha256)


def add_evidence(
    source: IO[bytes] | StoredBlob | str,
    *,
    actor: Any,
    subject: Any,
    filename: str,
    content_type: str = "",
    where: str = "",
    device: str = "",
    step: str = "",
    captured_at: dt.datetime | None = None,
    agency: Any = None,
    extra: dict | None = None,
):
    """Store a piece of evidence (or take an already stored one) and record it in the ledger
    as an ``evidence.added`` event: who, when, where, which device, which step (C5, C9).

    ``source`` is a binary stream, a StoredBlob, or the SHA-256 of stored content. Run it in
    the same transaction as the business change that attaches the evidence.
    """
    from zhifa.ledger.services import record

    if isinstance(source, StoredBlob):
        blob = source
    elif isinstance(source, str):
        from zhifa.ledger.models import Blob

        row = Blob.objects.filter(sha256=source.lower()).first()
        if row is None:
            raise BlobError("证据库中没有这个哈希对应的文件，请先上传文件。")
        blob = StoredBlob(row.sha256, row.size, False)
    else:
        blob = store(source)
    if not filename or len(filename) > 255 or "/" in filename or "\x00" in filename:
        raise BlobError("请填写原始文件名（不超过 255 个字符，不能包含“/”）。")
    payload = {
        "sha256": blob.sha256,
        "size": blob.size,
        "filename": filename,
        "content_type": content_type,
        "captured_at": captured_at,
        "where": where,
        "device": device,
        "step": step,
        **(extra or {}),
    }
    return record("evidence.added", subject, actor, payload, agency=agency)
