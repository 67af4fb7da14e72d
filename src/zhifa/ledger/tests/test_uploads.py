"""tus 1.0 resumable uploads, driven by the tuspy client against a live server."""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
from urllib.parse import urlsplit

import pytest
from django.test import Client, override_settings
from tusclient import client as tus
from tusclient.exceptions import TusCommunicationError

from tests.factories import make_agency, make_staff
from zhifa.ledger import blobs
from zhifa.ledger.models import Blob, Event, Upload

CSRF = "a" * 32
DATA = os.urandom(300_000)


@pytest.fixture
def uploader_world(ledger_purge, tmp_path):
    with override_settings(
        LEDGER_BLOB_BACKEND="filesystem",
        LEDGER_BLOB_DIR=tmp_path / "b",
        LEDGER_UPLOAD_DIR=tmp_path / "u",
        LEDGER_UPLOAD_MAX_BYTES=1_000_000,
    ):
        agency = make_agency("甲县发展改革局", "甲发改", 1)
        yield make_staff(agency, "officer_up").user


def session_headers(user) -> dict[str, str]:
    browser = Client()
    browser.force_login(user)
    session = browser.cookies["sessionid"].value
    return {"Cookie": f"sessionid={session}; csrftoken={CSRF}", "X-CSRFToken": CSRF}


def tus_client(live_server, user) -> tus.TusClient:
    return tus.TusClient(f"{live_server.url}/api/v1/uploads/", headers=session_headers(user))


def meta(**extra) -> dict[str, str]:
    return {
        "filename": "现场录像.mp4",
        "filetype": "video/mp4",
        "subject": "cases.case:7",
        "device": "执法记录仪 DSJ-001",
        "step": "调查取证",
        **extra,
    }


def test_upload_with_checksums_records_evidence(live_server, uploader_world):
    client = tus_client(live_server, uploader_world)
    up = client.uploader(
        file_stream=_stream(DATA),
        chunk_size=64_000,
        upload_checksum=True,
        metadata=meta(sha256=hashlib.sha256(DATA).hexdigest()),
    )
    up.upload()
    digest = hashlib.sha256(DATA).hexdigest()
    with blobs.open_blob(digest) as fh:
        assert fh.read() == DATA
    event = Event.objects.get(kind="evidence.added")
    assert event.payload["sha256"] == digest and event.payload["filename"] == "现场录像.mp4"
    assert event.payload["device"] == "执法记录仪 DSJ-001"
    assert event.subject == "cases.case:7"
    assert event.actor_id == uploader_world.pk
    assert event.agency_id == uploader_world.staff.agency_id
    assert Upload.objects.get().event_seq == event.seq


def test_broken_upload_resumes_from_its_offset(live_server, uploader_world):
    client = tus_client(live_server, uploader_world)
    first = client.uploader(file_stream=_stream(DATA), chunk_size=100_000, metadata=meta())
    first.upload(stop_at=100_000)  # the client stops after one chunk ...
    url = first.url
    # ... and then a PATCH breaks off mid-body: the connection drops after 50,000 bytes.
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port)
    conn.putrequest("PATCH", parts.path)
    for name, value in {
        **session_headers(uploader_world),
        "Tus-Resumable": "1.0.0",
        "Upload-Offset": "100000",
        "Content-Length": "200000",
        "Content-Type": "application/offset+octet-stream",
    }.items():
        conn.putheader(name, value)
    conn.endheaders()
    conn.send(DATA[100_000:150_000])
    conn.sock.shutdown(2)
    conn.close()

    # The server may still be finishing the broken request (it holds the upload's lock and
    # answers 409 meanwhile), so the client retries the way tus clients do.
    resumed = client.uploader(
        file_stream=_stream(DATA), url=url, chunk_size=100_000, retries=5, retry_delay=1
    )
    assert resumed.get_offset() in (100_000, 150_000)  # what the server kept
    resumed.upload()
    assert blobs.exists(hashlib.sha256(DATA).hexdigest())
    assert Event.objects.filter(kind="evidence.added").count() == 1


def test_declared_hash_mismatch_keeps_nothing(live_server, uploader_world):
    client = tus_client(live_server, uploader_world)
    up = client.uploader(
        file_stream=_stream(DATA), chunk_size=400_000, metadata=meta(sha256="0" * 64)
    )
    with pytest.raises(TusCommunicationError) as info:
        up.upload()
    assert info.value.status_code == 460
    assert not Blob.objects.exists() and not Event.objects.exists()
    assert not Upload.objects.exists()


CREATION_ERRORS = [
    ({"Upload-Length": "2000000"}, 413, "上限"),
    (
        {
            "Upload-Length": "10",
            "Upload-Metadata": "filename " + base64.b64encode("病毒.exe".encode()).decode(),
        },
        415,
        "不接受",
    ),
    ({"Upload-Length": "10"}, 400, "filename"),
    ({}, 400, "Upload-Length"),
    ({"Upload-Length": "10", "Tus-Resumable": "0.2.2"}, 412, "tus 1.0.0"),
]


def test_creation_errors_are_clear(live_server, uploader_world):
    # One test for all cases: each live-server test costs a database flush.
    parts = urlsplit(live_server.url)
    for headers, status, words in CREATION_ERRORS:
        conn = http.client.HTTPConnection(parts.hostname, parts.port)
        base = {**session_headers(uploader_world), "Tus-Resumable": "1.0.0"}
        conn.request("POST", "/api/v1/uploads/", headers={**base, **headers})
        response = conn.getresponse()
        assert response.status == status, headers
        assert words in response.read().decode()
    conn = http.client.HTTPConnection(parts.hostname, parts.port)
    anonymous = {"Tus-Resumable": "1.0.0", "Upload-Length": "10"}
    conn.request("POST", "/api/v1/uploads/", headers=anonymous)
    assert conn.getresponse().status in (302, 403)
    assert not Upload.objects.exists()


def test_protocol_details(live_server, uploader_world):
    client = tus_client(live_server, uploader_world)
    up = client.uploader(file_stream=_stream(DATA), chunk_size=100_000, metadata=meta())
    up.upload(stop_at=100_000)
    parts = urlsplit(up.url)
    base = {**session_headers(uploader_world), "Tus-Resumable": "1.0.0"}

    def call(method, path, **headers):
        conn = http.client.HTTPConnection(parts.hostname, parts.port)
        body = headers.pop("body", None)
        conn.request(method, path, body=body, headers={**base, **headers})
        response = conn.getresponse()
        return response, response.read().decode()

    response, _ = call("OPTIONS", "/api/v1/uploads/")
    assert response.status == 204
    assert response.getheader("Tus-Extension") == "creation,termination,checksum"
    assert "sha256" in response.getheader("Tus-Checksum-Algorithm")
    response, text = call(
        "PATCH",
        parts.path,
        body=b"x",
        **{"Upload-Offset": "5", "Content-Type": "application/offset+octet-stream"},
    )
    assert response.status == 409 and response.getheader("Upload-Offset") == "100000"
    response, text = call(
        "PATCH",
        parts.path,
        body=b"x",
        **{"Upload-Offset": "100000", "Content-Type": "application/octet-stream"},
    )
    assert response.status == 415
    response, text = call(
        "PATCH",
        parts.path,
        body=b"xyz",
        **{
            "Upload-Offset": "100000",
            "Content-Type": "application/offset+octet-stream",
            "Upload-Checksum": "sha1 " + base64.b64encode(hashlib.sha1(b"abc").digest()).decode(),
        },
    )
    assert response.status == 460 and "校验" in text
    assert up.get_offset() == 100_000  # the bad chunk was discarded

    other = make_staff(uploader_world.staff.agency, "officer_other").user
    conn = http.client.HTTPConnection(parts.hostname, parts.port)
    conn.request("HEAD", parts.path, headers={**session_headers(other), "Tus-Resumable": "1.0.0"})
    assert conn.getresponse().status == 404  # not someone else's upload

    response, _ = call("DELETE", parts.path)
    assert response.status == 204
    assert not Upload.objects.exists()
    response, _ = call("HEAD", parts.path)
    assert response.status == 404


def _stream(data: bytes):
    import io

    return io.BytesIO(data)


def test_abandoned_uploads_expire_with_their_partial_files(world, tmp_path):
    import datetime as dt
    import uuid

    from django.core.management import call_command
    from django.utils import timezone

    from zhifa.ledger import tasks, uploads

    user = world.user("officer_a")
    with override_settings(LEDGER_UPLOAD_DIR=tmp_path, LEDGER_UPLOAD_EXPIRE_HOURS=24):

        def started(hours_ago: float, *, finished: bool = False) -> Upload:
            up = Upload.objects.create(
                id=uuid.uuid4(),
                owner=user,
                length=100,
                offset=10,
                sha256="ab" * 32 if finished else "",
            )
            uploads._partial(up.id).write_bytes(b"x" * 10)
            Upload.objects.filter(pk=up.pk).update(
                created_at=timezone.now() - dt.timedelta(hours=hours_ago)
            )
            return up

        old, fresh, done = started(25), started(23), started(48, finished=True)
        busy = started(30)
        with uploads._locked(uploads._partial(busy.id)) as fh:  # a PATCH writing right now
            assert fh is not None
            out = io_call(call_command, "ledger", "expire-uploads")
        assert "已删除 1 个超过 24 小时仍未完成的上传" in out
        left = set(Upload.objects.values_list("pk", flat=True))
        assert left == {fresh.pk, done.pk, busy.pk}
        assert not uploads._partial(old.id).exists() and uploads._partial(fresh.id).exists()
        assert tasks.ledger_expire_uploads.call_local() == 1  # the hourly task: busy is free now
        assert set(Upload.objects.values_list("pk", flat=True)) == {fresh.pk, done.pk}


def io_call(command, *args) -> str:
    import io

    out = io.StringIO()
    command(*args, stdout=out)
    return out.getvalue()
