"""The ledger's tables. Events, subtree hashes, checkpoints and blobs are append-only: the
ORM refuses to change them here, and database triggers (migration 0002) refuse it below."""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models

from zhifa.ledger import canonical


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an append-only ledger row."""


class AppendOnly(models.Model):
    """Rows are written once. Corrections are new rows that point at the old ones."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} 记录只能追加，不能修改。")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.label} 记录只能追加，不能删除。")


class LogLock(models.Model):
    """One row, locked with SELECT … FOR UPDATE on PostgreSQL so appenders take turns and
    ``seq`` stays gap-free. (SQLite already serialises writers: BEGIN IMMEDIATE.)"""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)

    class Meta:
        verbose_name = "日志写锁"

    def __str__(self) -> str:
        return "log lock"


class Event(AppendOnly):
    """A recorded fact. ``seq`` is its 0-based position in the log, i.e. its Merkle leaf index."""

    seq = models.BigIntegerField("序号", primary_key=True)
    kind = models.CharField("事件类型", max_length=64, db_index=True)
    subject = models.CharField("对象", max_length=200, db_index=True)
    agency = models.ForeignKey(
        "org.Agency",
        verbose_name="执法主体",
        db_index=False,  # partial index in Meta: most events leave it empty
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        db_index=False,  # partial index in Meta: most events leave it empty
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    time = models.DateTimeField("服务器时间")
    payload = models.JSONField("内容", default=dict)
    corrects = models.ForeignKey(
        "self",
        verbose_name="更正的事件",
        db_index=False,  # partial index in Meta: most events leave it empty
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    canonical = models.BinaryField("规范字节")
    leaf_hash = models.BinaryField("叶子哈希", max_length=32)

    class Meta:
        verbose_name = "记录事件"
        verbose_name_plural = verbose_name
        ordering = ["seq"]
        # Only rows that set the reference are indexed (migration 0003): one B-tree page
        # fewer written per append for each reference an event leaves empty.
        indexes = [
            models.Index(
                fields=[f],
                condition=models.Q(**{f"{f}__isnull": False}),
                name=f"ledger_event_{f}_set",
            )
            for f in ("actor", "agency", "corrects")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.subject}"

    def document(self) -> dict:
        """The event as the JSON object whose canonical bytes are its Merkle leaf."""
        return event_document(
            seq=self.seq,
            kind=self.kind,
            subject=self.subject,
            agency_id=self.agency_id,
            actor_id=self.actor_id,
            time=canonical.format_time(self.time),
            payload=self.payload,
            corrects=self.corrects_id,
        )


def actor_ref(actor_id: int | None) -> str | None:
    return None if actor_id is None else f"{settings.AUTH_USER_MODEL.lower()}:{actor_id}"


def event_document(
    *,
    seq: int,
    kind: str,
    subject: str,
    agency_id: int | None,
    actor_id: int | None,
    time: str,
    payload: object,
    corrects: int | None,
) -> dict:
    # v is the document format version, so the format can change without ambiguity.
    return {
        "v": 1,
        "seq": seq,
        "kind": kind,
        "subject": subject,
        "agency": None if agency_id is None else f"org.agency:{agency_id}",
        "actor": actor_ref(actor_id),
        "time": time,
        "payload": payload,
        "corrects": corrects,
    }


_encode_str = json.encoder.encode_basestring  # what json.dumps uses with ensure_ascii=False


def canonical_head(
    kind: str,
    subject: str,
    agency_id: int | None,
    actor_id: int | None,
    corrects: int | None,
    payload_text: str,
) -> str:
    """The canonical JSON text of an event document up to its seq digits.

    ``payload_text`` is the payload's canonical JSON (``canonical.dumps``). The document's keys
    in sorted order are actor, agency, corrects, kind, payload, seq, subject, time, v, so
    ``canonical_head(...) + str(seq) + canonical_tail(subject, time)`` is exactly the text of
    ``canonical.dumps(event_document(...))`` (the tests check the two agree) without encoding
    a whole dict per event.
    """
    actor = "null" if actor_id is None else _encode_str(actor_ref(actor_id))
    agency = "null" if agency_id is None else _encode_str(f"org.agency:{agency_id}")
    fixed = "null" if corrects is None else json.dumps(corrects)
    return (
        f'{{"actor":{actor},"agency":{agency},"corrects":{fixed},'
        f'"kind":{_encode_str(kind)},"payload":{payload_text},"seq":'
    )


def canonical_tail(subject: str, time: str) -> str:
    """The rest of the canonical text after the seq digits."""
    return f',"subject":{_encode_str(subject)},"time":{_encode_str(time)},"v":1}}'


class Node(AppendOnly):
    """A complete subtree hash: covers leaves [index * 2**level, (index + 1) * 2**level).

    Level 0 is the leaf hash itself. Stored once, when its last leaf arrives, so a root or a
    proof at any tree size is a fold of at most log2(n) of these rows.
    """

    pk = models.CompositePrimaryKey("level", "index")
    level = models.PositiveSmallIntegerField("层")
    index = models.BigIntegerField("序")
    hash = models.BinaryField("哈希", max_length=32)

    class Meta:
        verbose_name = "子树哈希"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"


class Checkpoint(AppendOnly):
    """A signed tree head: origin, size and root in the C2SP signed-note format."""

    tree_size = models.BigIntegerField("树大小", unique=True)
    root_hash = models.BinaryField("根哈希", max_length=32)
    origin = models.CharField("日志标识", max_length=200)
    key_id = models.CharField("密钥标识", max_length=8)
    note = models.TextField("签名检查点")
    created_at = models.DateTimeField("签名时间")

    class Meta:
        verbose_name = "签名检查点"
        verbose_name_plural = verbose_name
        ordering = ["tree_size"]

    def __str__(self) -> str:
        return f"{self.origin} @ {self.tree_size}"


class Blob(AppendOnly):
    """A stored file, known by the SHA-256 of its bytes. The bytes live in the blob store."""

    sha256 = models.CharField("SHA-256", max_length=64, primary_key=True)
    size = models.BigIntegerField("字节数")
    backend = models.CharField("存储位置", max_length=20)
    created_at = models.DateTimeField("入库时间")

    class Meta:
        verbose_name = "证据文件"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.sha256


class Upload(models.Model):
    """A tus resumable upload in progress (mutable; the finished file becomes a Blob)."""

    id = models.UUIDField(primary_key=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    length = models.BigIntegerField("总字节数")
    offset = models.BigIntegerField("已接收字节数", default=0)
    metadata = models.JSONField("元数据", default=dict)
    created_at = models.DateTimeField("开始时间", auto_now_add=True)
    sha256 = models.CharField("完成后的 SHA-256", max_length=64, blank=True)
    event_seq = models.BigIntegerField("入账事件序号", null=True, blank=True)

    class Meta:
        verbose_name = "断点续传上传"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return str(self.id)
