"""The evidence store on the filesystem and on S3 (moto server), evidence events, fixity."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import tracemalloc

import boto3
import pytest
from django.test import override_settings

from zhifa.ledger import blobs, fixity, selectors
from zhifa.ledger.models import Blob, Event

PHOTO = "现场照片".encode() * 1000


@pytest.fixture
def fs_store(tmp_path):
    with override_settings(LEDGER_BLOB_BACKEND="filesystem", LEDGER_BLOB_DIR=tmp_path / "blobs"):
        yield tmp_path / "blobs"


@pytest.fixture(scope="session")
def s3_url():
    from zhifa.ledger.tests.s3server import s3_endpoint

    with s3_endpoint() as url:
        yield url


@pytest.fixture
def s3_store(s3_url, tmp_path):
    bucket = f"evidence-{os.urandom(4).hex()}"
    creds = dict(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    client = boto3.client("s3", endpoint_url=s3_url, **creds)
    client.create_bucket(Bucket=bucket)
    options = {
        "bucket_name": bucket,
        "endpoint_url": s3_url,
        "access_key": "test",
        "secret_key": "test",
        "region_name": "us-east-1",
        "location": "",
    }
    with override_settings(
        LEDGER_BLOB_BACKEND="s3", LEDGER_S3=options, LEDGER_UPLOAD_DIR=tmp_path / "uploads"
    ):
        yield client, bucket


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_filesystem_store_is_content_addressed(db, fs_store):
    stored = blobs.store(io.BytesIO(PHOTO))
    assert stored.sha256 == sha(PHOTO) and stored.size == len(PHOTO) and stored.created
    path = fs_store / "sha256" / stored.sha256[:2] / stored.sha256[2:4] / stored.sha256
    assert path.read_bytes() == PHOTO
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    again = blobs.store(io.BytesIO(PHOTO))
    assert not again.created and Blob.objects.count() == 1
    with blobs.open_blob(stored.sha256) as fh:
        assert fh.read() == PHOTO
    assert list((fs_store / "tmp").iterdir()) == []  # no temp files left behind


def test_existing_file_is_never_overwritten(db, fs_store):
    stored = blobs.store(io.BytesIO(PHOTO))
    path = blobs.backend().path(stored.sha256)
    path.chmod(0o644)
    path.write_bytes(b"tampered")  # storing the same content again must not "repair" it
    assert not blobs.store(io.BytesIO(PHOTO)).created
    assert path.read_bytes() == b"tampered"


def test_declared_hash_mismatch_keeps_nothing(db, fs_store):
    with pytest.raises(blobs.HashMismatch, match="不符"):
        blobs.store(io.BytesIO(PHOTO), expected_sha256=sha(b"other"))
    assert not Blob.objects.exists()
    assert not list((fs_store / "sha256").rglob("*")) if (fs_store / "sha256").exists() else True
    assert list((fs_store / "tmp").iterdir()) == []


def test_size_limit(db, fs_store):
    with pytest.raises(blobs.TooLarge, match="上限"):
        blobs.store(io.BytesIO(PHOTO), max_bytes=100)
    assert list((fs_store / "tmp").iterdir()) == []


class Zeros(io.RawIOBase):
    """A stream of n zero bytes that never holds more than one chunk."""

    def __init__(self, n: int):
        self.left = n

    def readable(self):
        return True

    def read(self, size=-1):
        size = self.left if size < 0 else min(size, self.left)
        self.left -= size
        return bytes(size)


def test_memory_stays_flat(db, fs_store):
    tracemalloc.start()
    stored = blobs.store(Zeros(64 * 1024 * 1024))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert stored.size == 64 * 1024 * 1024
    assert peak < 8 * 1024 * 1024


class Trickle(io.RawIOBase):
    """A stream that hands out at most 1,000 bytes per read, like a slow socket."""

    def __init__(self, data: bytes):
        self.data = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, buffer):
        chunk = self.data.read(min(len(buffer), 1000))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_staging_flushes_as_it_goes_and_keeps_partial_reads(db, fs_store, monkeypatch):
    """Buffers are filled across short reads, and the writer flushes to disk every
    FLUSH_EVERY bytes (so the closing fsync has little left), then fsyncs once."""
    monkeypatch.setattr(blobs, "STAGE_CHUNK", 64 * 1024)
    monkeypatch.setattr(blobs, "FLUSH_EVERY", 256 * 1024)
    data = os.urandom(1024 * 1024 + 12345)
    calls = []
    real_datasync, real_fsync = os.fdatasync, os.fsync
    monkeypatch.setattr(blobs.os, "fdatasync", lambda fd: calls.append("d") or real_datasync(fd))
    monkeypatch.setattr(blobs.os, "fsync", lambda fd: calls.append("f") or real_fsync(fd))
    stored = blobs.store(Trickle(data))
    assert stored.sha256 == sha(data) and stored.size == len(data)
    with blobs.open_blob(stored.sha256) as fh:
        assert fh.read() == data
    assert calls.count("d") == 4 and "f" in calls


def test_failed_write_keeps_nothing(db, fs_store, monkeypatch):
    def full(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(blobs.os, "write", full)
    with pytest.raises(OSError, match="No space"):
        blobs.store(io.BytesIO(os.urandom(3 * 1024 * 1024)))
    assert list((fs_store / "tmp").iterdir()) == []
    assert not Blob.objects.exists()


def test_evidence_added_event(world, fs_store):
    officer = world.user("officer_a")
    event = blobs.add_evidence(
        io.BytesIO(PHOTO),
        actor=officer,
        subject=world.staff["officer_a"],
        filename="现场照片 1.jpg",
        content_type="image/jpeg",
        where="宁晋县凤凰路12号",
        device="执法记录仪 DSJ-001",
        step="调查取证",
    )
    assert event.kind == "evidence.added"
    assert event.actor_id == officer.pk and event.agency_id == world.agency_a.pk
    assert event.payload["sha256"] == sha(PHOTO)
    assert event.payload["filename"] == "现场照片 1.jpg"
    assert event.payload["device"] == "执法记录仪 DSJ-001"
    by_hash = blobs.add_evidence(
        sha(PHOTO),
        actor=officer,
        subject="cases.case:2",
        filename="副本.jpg",
        agency=world.agency_a,
    )
    assert by_hash.payload["size"] == len(PHOTO)
    with pytest.raises(blobs.BlobError):
        blobs.add_evidence("0" * 64, actor=officer, subject="cases.case:2", filename="x.jpg")


def test_fixity_reports_changed_and_missing(world, fs_store):
    good = blobs.add_evidence(
        io.BytesIO(b"good"),
        actor=None,
        subject="cases.case:1",
        filename="a.txt",
        agency=world.agency_a,
    )
    changed = blobs.add_evidence(
        io.BytesIO(b"will change"),
        actor=None,
        subject="cases.case:1",
        filename="b.txt",
        agency=world.agency_a,
    )
    missing = blobs.add_evidence(
        io.BytesIO(b"will vanish"),
        actor=None,
        subject="cases.case:2",
        filename="c.txt",
        agency=world.agency_b,
    )
    path = blobs.backend().path(changed.payload["sha256"])
    path.chmod(0o644)
    path.write_bytes(b"changed!")
    blobs.backend().path(missing.payload["sha256"]).unlink()

    report = fixity.fixity_check()
    assert report.checked == 3
    assert sorted(report.problems) == sorted(
        [(changed.payload["sha256"], "changed"), (missing.payload["sha256"], "missing")]
    )
    failed = Event.objects.filter(kind="evidence.fixity_failed")
    assert {(e.subject, e.payload["problem"]) for e in failed} == {
        ("cases.case:1", "changed"),
        ("cases.case:2", "missing"),
    }
    assert Event.objects.filter(kind="ledger.fixity_checked").get().payload == {
        "checked": 3,
        "problems": 2,
    }
    # The supervisor sees both; each agency sees only its own.
    assert len(selectors.fixity_problems(world.user("supervisor"))) == 2
    assert [e.payload["problem"] for e in selectors.fixity_problems(world.user("officer_a"))] == [
        "changed"
    ]
    assert good.payload["sha256"] not in {e.payload["sha256"] for e in failed}


def test_fixity_failures_are_on_the_supervisors_todo_page(world, fs_store, login):
    from django.urls import reverse

    kept = blobs.add_evidence(
        io.BytesIO(b"kept"),
        actor=None,
        subject="cases.case:1",
        filename="a.txt",
        agency=world.agency_a,
    )
    lost = blobs.add_evidence(
        io.BytesIO(b"will vanish"),
        actor=None,
        subject="cases.case:2",
        filename="c.txt",
        agency=world.agency_b,
    )
    path = blobs.backend().path(lost.payload["sha256"])
    path.unlink()
    fixity.fixity_check()
    page = login(world.user("supervisor")).get(reverse("core:todo")).content.decode()
    assert "证据文件文件缺失" in page and lost.payload["sha256"][:16] in page
    assert kept.payload["sha256"][:16] not in page
    officer = login(world.user("officer_a")).get(reverse("core:todo")).content.decode()
    assert lost.payload["sha256"][:16] not in officer
    # Restored from backup: the next run finds nothing, and the item is gone.
    path.write_bytes(b"will vanish")
    fixity.fixity_check()
    page = login(world.user("supervisor")).get(reverse("core:todo")).content.decode()
    assert lost.payload["sha256"][:16] not in page


def test_s3_store(db, s3_store):
    client, bucket = s3_store
    stored = blobs.store(io.BytesIO(PHOTO))
    key = f"sha256/{stored.sha256[:2]}/{stored.sha256[2:4]}/{stored.sha256}"
    assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == PHOTO
    assert not blobs.store(io.BytesIO(PHOTO)).created
    with blobs.open_blob(stored.sha256) as fh:
        assert fh.read() == PHOTO
    with pytest.raises(blobs.HashMismatch):
        blobs.store(io.BytesIO(b"other"), expected_sha256=stored.sha256)
    assert len(client.list_objects_v2(Bucket=bucket)["Contents"]) == 1


def test_s3_fixity(db, s3_store):
    client, bucket = s3_store
    stored = blobs.store(io.BytesIO(PHOTO))
    key = f"sha256/{stored.sha256[:2]}/{stored.sha256[2:4]}/{stored.sha256}"
    assert fixity.fixity_check().problems == []
    client.put_object(Bucket=bucket, Key=key, Body=b"swapped")
    assert fixity.fixity_check().problems == [(stored.sha256, "changed")]
    client.delete_object(Bucket=bucket, Key=key)
    assert fixity.fixity_check().problems == [(stored.sha256, "missing")]
