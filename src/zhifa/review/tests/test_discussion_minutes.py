"""The collective discussion's minutes (会议记录) kept in the evidence store and downloaded with
a hash check, and the 集体讨论记录 generated from the structured discussion (处罚法 art. 57)."""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_staff
from zhifa.ledger import blobs
from zhifa.ledger.models import Event
from zhifa.org.roles import Role
from zhifa.review import services
from zhifa.review.models import Discussion
from zhifa.review.tests.test_services import at_review

MINUTES = b"%PDF-1.7\n" + "集体讨论会议记录（扫描件）".encode() + bytes(range(256)) * 40
FILENAME = "集体讨论会议记录（签字版）.pdf"


@pytest.fixture(autouse=True)
def own_blob_store(settings, tmp_path):
    settings.LEDGER_BLOB_BACKEND = "filesystem"
    settings.LEDGER_BLOB_DIR = tmp_path / "blobs"
    return tmp_path / "blobs"


def three_leaders(cw):
    """leader_a (局长) and two more 局领导 with their posts: the default quorum of 3."""
    a = cw.world.agency_a
    chair = cw.staff("leader_a")
    chair.post = "局长"
    chair.save()
    second = make_staff(a, "leader2_a", Role.LEADER, unit="办公室", real_name="李副局长")
    second.post = "副局长"
    second.save()
    third = make_staff(a, "leader3_a", Role.LEADER, unit="办公室", real_name="马副局长")
    third.post = "党组成员、副局长"
    third.save()
    return chair, second, third


def record(cw, *, minutes=None, filename=FILENAME, content_type="application/pdf", sha=""):
    case = at_review(cw)
    chair, second, third = three_leaders(cw)
    return services.discussion_record(
        acting_user=cw.user("leader_a"),
        case=case,
        held_on=timezone.localdate(),
        chair=chair,
        attendees=[(chair, "同意罚款5000元"), (second, "同意"), (third, "建议从轻，但同意")],
        matters="本案拟作出罚款5000元的处罚决定",
        conclusion="同意按法制审核意见对当事人罚款5000元",
        minutes=io.BytesIO(MINUTES) if minutes is None else minutes,
        minutes_filename=filename,
        minutes_content_type=content_type,
        minutes_sha256=sha,
    )


def tamper(sha256: str, data: bytes = b"tampered") -> None:
    path = blobs.backend().path(sha256)
    path.chmod(0o644)
    path.write_bytes(data)


# --- the service keeps the file -----------------------------------------------------------


def test_upload_keeps_the_file_in_the_evidence_store(cw):
    sha = hashlib.sha256(MINUTES).hexdigest()
    discussion = record(cw, sha=sha.upper())
    assert discussion.minutes_sha256 == sha
    assert (discussion.minutes_filename, discussion.minutes_content_type) == (
        FILENAME,
        "application/pdf",
    )
    assert discussion.minutes_size == len(MINUTES)
    with blobs.open_blob(sha) as fh:
        assert fh.read() == MINUTES
    added = Event.objects.get(kind="evidence.added", payload__sha256=sha)
    assert added.payload["category"] == "discussion_minutes"
    assert added.payload["filename"] == FILENAME
    assert added.subject == f"cases.case:{discussion.case_id}"
    recorded = Event.objects.get(kind="discussion.recorded")
    assert recorded.payload["minutes_sha256"] == sha
    assert recorded.payload["minutes_filename"] == FILENAME


def test_content_type_guessed_from_the_name_when_the_browser_sends_none(cw):
    discussion = record(cw, filename="会议记录.docx", content_type="application/octet-stream")
    assert discussion.minutes_content_type.startswith(
        "application/vnd.openxmlformats-officedocument."
    )


@pytest.mark.parametrize(
    ("filename", "content_type", "message"),
    [
        ("会议记录.exe", "application/x-msdownload", "不接受"),
        ("会议记录.html", "text/html", "不接受"),
        ("", "application/pdf", "原始文件名"),
    ],
)
def test_types_outside_the_evidence_rules_are_refused(cw, filename, content_type, message):
    with pytest.raises(ValidationError, match=message):
        record(cw, minutes=io.BytesIO(MINUTES), filename=filename, content_type=content_type)
    assert not Discussion.objects.exists()
    assert not blobs.exists(hashlib.sha256(MINUTES).hexdigest())


def test_declared_hash_is_checked(cw):
    with pytest.raises(ValidationError, match="不符"):
        record(cw, sha=hashlib.sha256(b"another file").hexdigest())
    assert not Discussion.objects.exists()
    assert not blobs.exists(hashlib.sha256(MINUTES).hexdigest())


def test_size_limit_of_evidence_uploads_applies(cw, settings):
    settings.LEDGER_UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="超过大小上限"):
        record(cw)
    assert not Discussion.objects.exists()


def test_a_hash_without_the_file_is_refused(cw):
    case = at_review(cw)
    chair, second, third = three_leaders(cw)
    with pytest.raises(ValidationError, match="请同时上传会议记录文件"):
        services.discussion_record(
            acting_user=cw.user("leader_a"),
            case=case,
            held_on=timezone.localdate(),
            chair=chair,
            attendees=[(chair, "同意"), (second, "同意"), (third, "同意")],
            conclusion="同意",
            minutes_sha256=hashlib.sha256(MINUTES).hexdigest(),
        )


# --- pages ----------------------------------------------------------------------------------


def test_form_upload_then_download_returns_the_exact_bytes(cw, login):
    case = at_review(cw)
    chair, second, third = three_leaders(cw)
    client = login(cw.user("leader_a"))
    url = reverse("review:discussion", args=[case.pk])
    form = client.get(url).content.decode()
    assert "讨论事项" in form and "本案拟作出的处理决定" in form
    data = {
        "held_on": timezone.localdate().isoformat(),
        "chair": chair.pk,
        "matters": "本案拟作出的处理决定",
        "conclusion": "同意罚款",
        f"op_{chair.pk}": "同意",
        f"op_{second.pk}": "同意",
        f"op_{third.pk}": "同意",
        "minutes": SimpleUploadedFile(FILENAME, MINUTES, content_type="application/pdf"),
    }
    assert client.post(url, data).status_code == 302
    discussion = Discussion.objects.get()
    assert discussion.minutes_filename == FILENAME
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    minutes_url = reverse("review:discussion_minutes", args=[case.pk, discussion.pk])
    assert minutes_url in page and "下载会议记录文件" in page
    assert reverse("review:discussion_record", args=[case.pk, discussion.pk, "pdf"]) in page
    response = client.get(minutes_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == MINUTES
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote(FILENAME)}" in disposition
    assert Event.objects.filter(
        kind="evidence.viewed", subject=f"ledger.blob:{discussion.minutes_sha256}"
    ).exists()


def test_form_refuses_a_wrong_type_with_a_message(cw, login):
    case = at_review(cw)
    chair, second, third = three_leaders(cw)
    client = login(cw.user("leader_a"))
    data = {
        "held_on": timezone.localdate().isoformat(),
        "chair": chair.pk,
        "conclusion": "同意",
        f"op_{chair.pk}": "同意",
        f"op_{second.pk}": "同意",
        f"op_{third.pk}": "同意",
        "minutes": SimpleUploadedFile("会议记录.exe", b"MZ", content_type="application/x-dosexec"),
    }
    response = client.post(reverse("review:discussion", args=[case.pk]), data)
    assert response.status_code == 400
    assert "不接受" in response.content.decode()
    assert not Discussion.objects.exists()


def test_tampered_minutes_are_refused_and_logged(cw, login, caplog):
    discussion = record(cw)
    tamper(discussion.minutes_sha256)
    client = login(cw.user("leader_a"))
    url = reverse("review:discussion_minutes", args=[discussion.case_id, discussion.pk])
    with caplog.at_level(logging.ERROR, logger="zhifa.review.views"):
        response = client.get(url)
    assert response.status_code == 500
    text = response.content.decode()
    assert "会议记录文件校验失败" in text and "tampered" not in text
    assert response["Content-Type"].startswith("text/html")
    assert any(discussion.minutes_sha256 in r.getMessage() for r in caplog.records)
    failed = Event.objects.get(kind="evidence.fixity_failed")
    assert failed.payload["sha256"] == discussion.minutes_sha256
    assert failed.payload["detected"] == "download"
    assert not Event.objects.filter(kind="evidence.viewed").exists()


def test_missing_minutes_file_is_not_found(cw, login):
    discussion = record(cw)
    path = blobs.backend().path(discussion.minutes_sha256)
    path.chmod(0o644)
    path.unlink()
    client = login(cw.user("leader_a"))
    url = reverse("review:discussion_minutes", args=[discussion.case_id, discussion.pk])
    assert client.get(url).status_code == 404


def test_permissions(cw, client):
    discussion = record(cw)
    case_pk = discussion.case_id
    urls = [
        reverse("review:discussion_minutes", args=[case_pk, discussion.pk]),
        reverse("review:discussion_record", args=[case_pk, discussion.pk, "docx"]),
    ]
    for url in urls:
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/login" in anonymous["Location"], url
    client.force_login(cw.user("officer_b"))  # another agency
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(cw.user("office_a"))  # no access to legal review at all
    for url in urls:
        assert client.get(url).status_code == 403, url
    client.force_login(cw.user("officer_a"))  # staff of the case's agency
    for url in urls:
        assert client.get(url).status_code == 200, url
    client.force_login(cw.user("supervisor"))  # county supervisor, read only
    response = client.get(urls[0])
    assert response.status_code == 200 and b"".join(response.streaming_content) == MINUTES
    assert client.get(urls[1]).status_code == 200
    # A discussion id of another case is not found under this case.
    other = reverse("review:discussion_minutes", args=[case_pk + 999, discussion.pk])
    assert client.get(other).status_code == 404


def test_discussion_without_minutes_has_no_minutes_download(cw, login):
    case = at_review(cw)
    chair, second, third = three_leaders(cw)
    discussion = services.discussion_record(
        acting_user=cw.user("leader_a"),
        case=case,
        held_on=timezone.localdate(),
        chair=chair,
        attendees=[(chair, "同意"), (second, "同意"), (third, "同意")],
        conclusion="同意罚款",
    )
    client = login(cw.user("leader_a"))
    url = reverse("review:discussion_minutes", args=[case.pk, discussion.pk])
    assert client.get(url).status_code == 404
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert url not in page and "下载会议记录文件" not in page
    record_url = reverse("review:discussion_record", args=[case.pk, discussion.pk, "pdf"])
    assert record_url in page


# --- the generated 集体讨论记录 -------------------------------------------------------------


def docx_text(data: bytes) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def test_generated_record_holds_the_discussion(cw, login):
    discussion = record(cw)
    case = discussion.case
    client = login(cw.user("officer_a"))
    url = reverse("review:discussion_record", args=[case.pk, discussion.pk, "docx"])
    response = client.get(url)
    assert response.status_code == 200
    assert response.content[:2] == b"PK" and zipfile.is_zipfile(io.BytesIO(response.content))
    filename = f"集体讨论记录_{case.number}_{discussion.held_on.isoformat()}.docx"
    assert f"filename*=utf-8''{quote(filename)}" in response["Content-Disposition"]
    text = docx_text(response.content)
    for expected in (
        "集体讨论记录",
        case.number,
        case.title,
        "主持人：leader_a（局长）",
        "李副局长（副局长）",
        "马副局长（党组成员、副局长）",
        "马副局长（党组成员、副局长）：建议从轻，但同意",
        "讨论事项：本案拟作出罚款5000元的处罚决定",
        "讨论决定：同意按法制审核意见对当事人罚款5000元",
        "记录人：leader_a",
        FILENAME,
    ):
        assert expected in text, expected
    pdf = client.get(reverse("review:discussion_record", args=[case.pk, discussion.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    body = pdf.content.decode()  # render_pdf is stubbed with the HTML it would print
    assert "同意按法制审核意见对当事人罚款5000元" in body and "李副局长（副局长）" in body
    assert client.get(
        reverse("review:discussion_record", args=[case.pk, 1, "txt"])
    ).status_code == (404)


def test_generated_record_of_an_older_discussion_names_the_proposal(cw):
    discussion = record(cw)
    Discussion.objects.filter(pk=discussion.pk).update(matters="")
    discussion.refresh_from_db()
    text = "\n".join(services.discussion_document(discussion).body)
    assert "讨论事项：对" in text and "拟作出的处理决定进行集体讨论" in text


@pytest.mark.usefixtures("real_pdf")
def test_generated_record_renders_a_real_pdf(cw):
    from zhifa.core import documents

    discussion = record(cw)
    data = documents.render_pdf(services.discussion_document(discussion))
    assert data[:5] == b"%PDF-"


def test_review_page_lists_the_discussion_with_downloads(cw, login):
    from zhifa.review.tests.helpers import review_round

    discussion = record(cw)
    review = review_round(cw, discussion.case, accept=False)
    client = login(cw.user("supervisor"))
    page = client.get(reverse("review:detail", args=[review.pk])).content.decode()
    assert "集体讨论" in page
    assert reverse("review:discussion_minutes", args=[discussion.case_id, discussion.pk]) in page
