"""Evidence on cases: tus upload → attach, playback with HTTP Range, view records, bulk import
(C4, C5, C6, C7, C9, C10)."""

from __future__ import annotations

import base64
import hashlib
import io
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse

from zhifa.cases.models import CaseEvidence
from zhifa.cases.tests.conftest import walk_penalty
from zhifa.ledger import blobs
from zhifa.ledger.models import Event
from zhifa.org import services as org_services
from zhifa.org.models import Unit

DATA = b"0123456789abcdefghijklmnopqrstuvwxyz" * 10  # 360 bytes
TUS = {"Tus-Resumable": "1.0.0"}


@pytest.fixture(autouse=True)
def store(tmp_path):
    with override_settings(
        LEDGER_BLOB_BACKEND="filesystem",
        LEDGER_BLOB_DIR=tmp_path / "blobs",
        LEDGER_UPLOAD_DIR=tmp_path / "uploads",
    ):
        yield tmp_path


@pytest.fixture
def case(cw):
    return walk_penalty(cw, "investigate")


@pytest.fixture
def device(cw):
    return org_services.device_create(
        acting_user=cw.user("office_a"),
        kind="body_camera",
        serial_number="DSJ-001",
        unit=Unit.objects.get(agency=cw.world.agency_a, name="执法科"),
    )


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def tus_upload(client, data: bytes, *, filename: str, filetype: str, subject: str) -> str:
    meta = {"filename": filename, "filetype": filetype, "subject": subject, "step": "investigate"}
    created = client.post(
        "/api/v1/uploads/",
        b"",
        content_type="application/octet-stream",
        headers={
            **TUS,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": ",".join(f"{k} {b64(v)}" for k, v in meta.items()),
        },
    )
    assert created.status_code == 201, created.content.decode()
    location = created["Location"]
    patched = client.patch(
        location,
        data,
        content_type="application/offset+octet-stream",
        headers={**TUS, "Upload-Offset": "0"},
    )
    assert patched.status_code == 204, patched.content.decode()
    head = client.head(location, headers=TUS)  # a resumed, finished upload learns its hash
    assert head["Zhifa-Blob-Sha256"] == patched["Zhifa-Blob-Sha256"]
    return patched["Zhifa-Blob-Sha256"]


def attach(client, case, sha: str, **extra):
    return client.post(
        reverse("cases:evidence_attach", args=[case.pk]),
        {"sha256": sha, "step": "investigate", **extra},
        headers={"Accept": "application/json"},
    )


# --- attach --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filetype", "kind"),
    [
        ("image/jpeg", "photo"),
        ("video/mp4", "video"),
        ("audio/mpeg", "audio"),
        ("application/pdf", "document"),
    ],
)
def test_uploaded_file_is_attached_with_its_facts(cw, case, device, login, filetype, kind):
    client = login(cw.user("officer_a"))
    sha = tus_upload(
        client, DATA, filename="现场检查.bin", filetype=filetype, subject=f"cases.case:{case.pk}"
    )
    response = attach(
        client,
        case,
        sha,
        device=device.pk,
        where="甲县某某路1号",
        captured_at="2026-03-01T09:30:00+08:00",
        description="现场检查",
    )
    assert response.status_code == 200, response.content.decode()
    assert response.json()["ok"] is True
    evidence = CaseEvidence.objects.get(case=case)
    assert evidence.sha256 == hashlib.sha256(DATA).hexdigest()
    assert (evidence.media_kind, evidence.filename, evidence.content_type) == (
        kind,
        "现场检查.bin",
        filetype,
    )
    assert evidence.size == len(DATA) and evidence.device == device
    assert evidence.location == "甲县某某路1号" and evidence.captured_at.hour == 1
    attached = Event.objects.get(kind="evidence.attached")
    assert attached.payload["device"] == "DSJ-001" and attached.payload["sha256"] == sha
    # The tus upload already recorded evidence.added; attaching does not record it again.
    assert Event.objects.filter(kind="evidence.added").count() == 1


@pytest.mark.django_db
def test_attach_is_idempotent_and_plain_form_redirects(cw, case, login):
    client = login(cw.user("officer_a"))
    sha = tus_upload(client, DATA, filename="a.jpg", filetype="image/jpeg", subject="x:1")
    first = client.post(
        reverse("cases:evidence_attach", args=[case.pk]), {"sha256": sha, "step": "investigate"}
    )
    assert first.status_code == 302 and first["Location"].endswith("#evidence")
    again = attach(client, case, sha)
    assert again.json()["ok"] is True and "无需重复" in again.json()["message"]
    assert CaseEvidence.objects.filter(case=case).count() == 1


@pytest.mark.django_db
def test_unknown_blob_and_bad_input_are_refused(cw, case, login):
    client = login(cw.user("officer_a"))
    missing = attach(client, case, "a" * 64)
    assert missing.status_code == 400 and "请先上传" in missing.json()["error"]
    assert attach(client, case, "not-a-hash").status_code == 400
    blob = blobs.store(io.BytesIO(DATA))
    assert attach(client, case, blob.sha256, step="nowhere").status_code == 400
    assert not CaseEvidence.objects.exists()


@pytest.mark.django_db
def test_other_agency_gets_404(cw, case, login):
    blob = blobs.store(io.BytesIO(DATA))
    client = login(cw.user("officer_b"))
    assert attach(client, case, blob.sha256).status_code == 404
    url = reverse("cases:evidence_list", args=[case.pk])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_content_recorded_only_by_another_agency_cannot_be_taken(cw, case, login):
    sha = tus_upload(
        login(cw.user("officer_b")), DATA, filename="b.jpg", filetype="image/jpeg", subject="x:2"
    )
    response = attach(login(cw.user("officer_a")), case, sha)
    assert response.status_code == 404
    assert not CaseEvidence.objects.exists()


@pytest.mark.django_db
def test_stored_blob_without_event_is_recorded_on_attach(cw, case, login):
    blob = blobs.store(io.BytesIO(DATA))
    response = attach(
        login(cw.user("officer_a")), case, blob.sha256, filename="录音.mp3", filetype="audio/mpeg"
    )
    assert response.status_code == 200, response.content.decode()
    added = Event.objects.get(kind="evidence.added")
    assert added.agency_id == cw.world.agency_a.pk and added.subject == f"cases.case:{case.pk}"
    assert added.payload["filename"] == "录音.mp3"
    assert CaseEvidence.objects.get().media_kind == "audio"


@pytest.mark.django_db
def test_reader_without_attach_right_gets_403(cw, case, login):
    blob = blobs.store(io.BytesIO(DATA))
    assert attach(login(cw.user("office_a")), case, blob.sha256).status_code == 403


# --- playback ------------------------------------------------------------------------------


@pytest.fixture
def video(cw, case, login):
    client = login(cw.user("officer_a"))
    sha = tus_upload(
        client, DATA, filename="现场录像 1.mp4", filetype="video/mp4", subject="cases.case:1"
    )
    assert attach(client, case, sha).status_code == 200
    evidence = CaseEvidence.objects.get(case=case)
    return client, reverse("cases:evidence_file", args=[case.pk, evidence.pk])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def views() -> int:
    return Event.objects.filter(kind="evidence.viewed").count()


@pytest.mark.django_db
def test_full_file_with_type_and_chinese_name(video):
    client, url = video
    response = client.get(url)
    assert response.status_code == 200 and body(response) == DATA
    assert response["Content-Type"] == "video/mp4"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(DATA))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert "filename*=UTF-8''%E7%8E%B0%E5%9C%BA%E5%BD%95%E5%83%8F%201.mp4" in disposition


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-9", 0, 9),
        ("bytes=-5", 355, 359),
        ("bytes=350-", 350, 359),
        ("bytes=10-9999", 10, 359),
    ],
)
def test_ranges(video, header, start, end):
    client, url = video
    response = client.get(url, headers={"Range": header})
    assert response.status_code == 206
    assert body(response) == DATA[start : end + 1]
    assert response["Content-Range"] == f"bytes {start}-{end}/{len(DATA)}"
    assert response["Content-Length"] == str(end - start + 1)


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["bytes=360-", "bytes=9-3", "bytes=abc", "bytes=-0", "bytes=-"])
def test_unsatisfiable_ranges_are_416(video, header):
    client, url = video
    response = client.get(url, headers={"Range": header})
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(DATA)}"


@pytest.mark.django_db
def test_a_viewing_is_recorded_once_not_per_range(cw, video):
    client, url = video
    assert views() == 0
    client.get(url)
    assert views() == 1
    client.get(url, headers={"Range": "bytes=100-199"})  # the player seeking
    assert views() == 1
    client.get(url, headers={"Range": "bytes=0-"})  # a new playback from the start
    assert views() == 2
    event = Event.objects.filter(kind="evidence.viewed").last()
    assert event.actor == cw.user("officer_a") and event.agency_id == cw.world.agency_a.pk
    assert event.subject.startswith("ledger.blob:") and event.payload["what"].startswith("cases.")


@pytest.mark.django_db
def test_other_agency_cannot_play(cw, video, login):
    _, url = video
    assert login(cw.user("officer_b")).get(url).status_code == 404
    assert views() == 0


@pytest.mark.django_db
def test_hash_typed_for_content_of_another_agency_is_not_served(cw, case, login):
    sha = tus_upload(
        login(cw.user("officer_b")), DATA, filename="b.mp4", filetype="video/mp4", subject="x:3"
    )
    client = login(cw.user("officer_a"))
    response = client.post(
        reverse("cases:case_evidence", args=[case.pk]),
        {"step": "investigate", "sha256": sha, "media_kind": "video"},
    )
    assert response.status_code == 302  # the hash form records the reference as before
    evidence = CaseEvidence.objects.get(case=case)
    url = reverse("cases:evidence_file", args=[case.pk, evidence.pk])
    assert client.get(url).status_code == 404
    assert views() == 0


# --- the case page -------------------------------------------------------------------------


@pytest.mark.django_db
def test_case_page_has_upload_area_and_players(cw, case, device, video):
    client, url = video
    blob = blobs.store(io.BytesIO(b"\x89PNG fake"))
    attach(client, case, blob.sha256, filename="照片.png", filetype="image/png")
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'id="evidence-upload"' in page and 'data-subject="cases.case:' in page
    assert 'id="evidence-file"' in page and "js/evidence-upload.js" in page
    assert "DSJ-001" in page  # the device select offers the agency's devices in use
    assert f'<video controls preload="metadata" src="{url}"' in page
    assert 'loading="lazy"' in page and "按哈希关联已入库的证据" in page
    partial = client.get(reverse("cases:evidence_list", args=[case.pk])).content.decode()
    assert "照片.png" in partial and "<video" in partial


# --- bulk import ---------------------------------------------------------------------------


def _folder(root):
    folder = root / "dock"
    (folder / "2026-03-01").mkdir(parents=True)
    (folder / "2026-03-01" / "现场录像.MP4").write_bytes(os.urandom(3000))
    (folder / "2026-03-01" / "现场照片.jpg").write_bytes(os.urandom(200))
    (folder / "询问录音.wav").write_bytes(os.urandom(500))
    return folder


@pytest.mark.django_db
def test_import_folder_is_idempotent(cw, case, device, store, capsys):
    folder = _folder(store)
    args = ["evidence", "import", str(folder), "--case", case.number, "--step", "investigate"]
    args += ["--device", "DSJ-001", "--user", "officer_a"]
    call_command(*args)
    out = capsys.readouterr().out
    assert "新增 3 个" in out and "跳过 0 个" in out
    rows = CaseEvidence.objects.filter(case=case)
    assert sorted((r.filename, r.media_kind) for r in rows) == [
        ("现场录像.MP4", "video"),
        ("现场照片.jpg", "photo"),
        ("询问录音.wav", "audio"),
    ]
    assert all(r.device == device for r in rows)
    assert Event.objects.filter(kind="evidence.added").count() == 3
    assert (folder / "询问录音.wav").exists()  # the docking station's files are copied, not moved
    call_command(*args[:4], str(case.pk), "--user", "officer_a", "--step", "调查取证")
    again = capsys.readouterr().out
    assert "新增 0 个" in again and "跳过 3 个" in again
    assert CaseEvidence.objects.filter(case=case).count() == 3
    assert Event.objects.filter(kind="evidence.added").count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--case": "不存在-1"}, "找不到编号或 ID 为“不存在-1”的案件"),
        ({"--device": "NOPE"}, "没有登记设备编号为“NOPE”"),
        ({"--user": "nobody"}, "没有登录名为“nobody”的用户"),
        ({"--user": "officer_b"}, "找不到编号或 ID"),  # a case of another agency
        ({"--step": "飞行"}, "没有环节“飞行”"),
    ],
)
def test_import_errors_are_clear(cw, case, device, store, change, message):
    folder = _folder(store)
    options = {"--case": case.number, "--step": "investigate", "--device": "DSJ-001"}
    options["--user"] = "officer_a"
    options.update(change)
    args = [x for pair in options.items() for x in pair]
    with pytest.raises(CommandError) as error:
        call_command("evidence", "import", str(folder), *args)
    assert message in str(error.value)
    assert not CaseEvidence.objects.exists()
