"""Signed checkpoints (C2SP signed note, Ed25519) and the public ledger API."""

from __future__ import annotations

import base64
import os
import stat
import zipfile

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from zhifa import ledger
from zhifa.ledger import merkle, selectors, signing, tasks
from zhifa.ledger.models import Checkpoint, Event
from zhifa.ledger.services import checkpoint_sign

# Reference vector of golang.org/x/mod/sumdb/note (note_test.go / package doc): Ed25519 is
# deterministic, so the same key and text must give byte-for-byte the same signed note.
GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT
    + "\n\u2014 PeterNeumann "
    + "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6R"
    + "yyBwJnAM=\n"
)


def test_signed_note_matches_go_reference():
    key = signing.SigningKey.parse(GO_SIGNER, "unused")
    assert key.name == "PeterNeumann"
    assert key.public.verifier_key == GO_VERIFIER
    assert key.sign_note(GO_TEXT) == GO_NOTE
    public = signing.PublicKey.from_verifier_key(GO_VERIFIER)
    assert signing.open_note(GO_NOTE, public) == GO_TEXT
    with pytest.raises(signing.NoteError):
        signing.open_note(GO_NOTE.replace("cryptography", "cryptographY"), public)


def test_key_generated_once_with_private_permissions(tmp_path):
    with override_settings(LEDGER_KEY_DIR=tmp_path, LEDGER_SIGNING_KEY=""):
        signing._load.cache_clear()
        key = signing.server_key()
        path = tmp_path / "signing.key"
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        signing._load.cache_clear()
        assert signing.server_key() == key  # read back, not regenerated
        assert key.name == "zhifa.local/ledger"
    signing._load.cache_clear()


def test_key_from_environment_must_match_origin():
    seed = base64.b64encode(bytes(range(32))).decode()
    with override_settings(LEDGER_SIGNING_KEY=seed, LEDGER_ORIGIN="example.gov.cn/zhifa"):
        signing._load.cache_clear()
        assert signing.server_key().name == "example.gov.cn/zhifa"
    with override_settings(LEDGER_SIGNING_KEY=GO_SIGNER, LEDGER_ORIGIN="example.gov.cn/zhifa"):
        signing._load.cache_clear()
        with pytest.raises(ImproperlyConfigured, match="不一致"):
            signing.server_key()
    signing._load.cache_clear()


def test_checkpoint_signed_only_when_log_grew(db):
    assert checkpoint_sign() is None  # empty log: nothing to sign
    for i in range(3):
        ledger.record("test.appended", f"test.thing:{i}", None)
    first = checkpoint_sign()
    assert first.tree_size == 3
    assert checkpoint_sign() == first
    ledger.record("test.appended", "test.thing:3", None)
    assert tasks.ledger_checkpoint.call_local() == 4  # the periodic task
    assert Checkpoint.objects.count() == 2
    key = signing.server_key().public
    origin, size, root = signing.parse_checkpoint(signing.open_note(first.note, key))
    assert (origin, size) == ("zhifa.local/ledger", 3)
    assert root == selectors.root_at(3) == bytes(first.root_hash)
    _, _, sig = first.note.rpartition("\n\n")
    assert sig.startswith("\u2014 zhifa.local/ledger ")


@pytest.fixture
def logged(db):
    for i in range(11):
        ledger.record("test.appended", f"test.thing:{i}", None, {"i": i})
    return [bytes(h) for h in Event.objects.order_by("seq").values_list("leaf_hash", flat=True)]


def test_public_endpoints_need_no_login(client, logged):
    response = client.get("/api/v1/ledger/checkpoint")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    key_info = client.get("/api/v1/ledger/public-key").json()
    public = signing.PublicKey.from_verifier_key(key_info["verifier_key"])
    assert key_info["key_id"] == public.key_id.hex()
    _, size, root = signing.parse_checkpoint(signing.open_note(response.content.decode(), public))
    assert size == 11 and root == merkle.root(logged)

    proof = client.get("/api/v1/ledger/proof/inclusion", {"index": 6, "size": 11}).json()
    assert set(proof) == {"leaf_index", "tree_size", "leaf_hash", "audit_path"}
    assert proof["leaf_hash"] == logged[6].hex()
    path = [bytes.fromhex(h) for h in proof["audit_path"]]
    assert merkle.verify_inclusion(6, 11, logged[6], path, root)

    cons = client.get("/api/v1/ledger/proof/consistency", {"first": 4, "second": 11}).json()
    assert cons["first"] == 4 and cons["second"] == 11
    path = [bytes.fromhex(h) for h in cons["consistency_path"]]
    assert all(h == h.lower() for h in cons["consistency_path"])
    assert merkle.verify_consistency(4, 11, merkle.root(logged[:4]), root, path)


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("inclusion", {"index": 11, "size": 11}),
        ("inclusion", {"index": 0, "size": 12}),
        ("inclusion", {"index": 0, "size": 0}),
        ("inclusion", {"index": "-1", "size": 3}),
        ("inclusion", {"index": "abc", "size": 3}),
        ("inclusion", {"index": "9" * 40, "size": 3}),
        ("inclusion", {"size": 3}),
        ("consistency", {"first": 0, "second": 5}),
        ("consistency", {"first": 6, "second": 5}),
        ("consistency", {"first": 1, "second": 99}),
        ("consistency", {"first": "1.5", "second": 5}),
        ("consistency", {"first": "１", "second": 5}),  # full-width digit
    ],
)
def test_bad_proof_parameters_get_400_in_chinese(client, logged, url, params):
    response = client.get(f"/api/v1/ledger/proof/{url}", params)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail)


def test_event_contents_need_login_and_scope(client, world):
    event = ledger.record(
        "case.filed",
        "cases.case:1",
        world.user("officer_a"),
        {"当事人": "张三"},
        agency=world.agency_a,
    )
    url = f"/api/v1/ledger/events/{event.seq}"
    assert client.get(url).status_code == 404  # anonymous
    client.force_login(world.user("officer_b"))
    assert client.get(url).status_code == 404  # other agency
    assert client.get("/api/v1/ledger/events/x1").status_code == 400
    client.force_login(world.user("officer_a"))
    body = client.get(url).json()
    assert base64.b64decode(body["canonical"]) == bytes(event.canonical)
    assert body["payload"] == {"当事人": "张三"}
    assert body["leaf_hash"] == bytes(event.leaf_hash).hex()
    view = Event.objects.order_by("-seq").first()  # reading it was itself recorded
    assert view.kind == "record.viewed" and view.actor_id == world.user("officer_a").pk
    assert view.agency_id == world.agency_a.pk


def test_checkpoint_404_when_log_empty(client, db):
    response = client.get("/api/v1/ledger/checkpoint")
    assert response.status_code == 404
    assert "尚无" in response.json()["detail"]


def _seed(byte: int) -> str:
    return base64.b64encode(bytes([byte]) * 32).decode()


def test_key_rotation_keeps_old_checkpoints_verifiable(db, tmp_path):
    from zhifa.ledger.services import checkpoint_sign
    from zhifa.ledger.testing import tampering
    from zhifa.ledger.verification import verify_ledger

    def with_key(seed: str, **extra):
        signing._load.cache_clear()
        signing._remember.cache_clear()
        return override_settings(LEDGER_KEY_DIR=tmp_path, LEDGER_SIGNING_KEY=seed, **extra)

    with with_key(_seed(1)):
        old = signing.server_key().public
        ledger.record("test.appended", "test.thing:1", None)
        first = checkpoint_sign()
    with with_key(_seed(2)):
        new = signing.server_key().public
        ledger.record("test.appended", "test.thing:2", None)
        second = checkpoint_sign()
        assert (first.key_id, second.key_id) == (old.key_id.hex(), new.key_id.hex())
        assert verify_ledger().ok
        # Without the old public key, the old checkpoint cannot be checked: said so.
        (tmp_path / "public-keys.txt").unlink()
        result = verify_ledger()
        assert not result.ok
        assert any(
            old.key_id.hex() in p.message and "未知密钥" in p.message for p in result.problems
        )
    with with_key(_seed(2), LEDGER_PUBLIC_KEYS=old.verifier_key):
        assert verify_ledger().ok
        with tampering() as connection, connection.cursor() as cursor:
            cursor.execute(
                "UPDATE ledger_checkpoint SET key_id = %s WHERE tree_size = 1", [new.key_id.hex()]
            )
        assert not verify_ledger().ok  # the new key did not sign it
    signing._load.cache_clear()
    signing._remember.cache_clear()


def test_after_a_rotation_the_bag_and_portal_carry_the_key_that_signed_the_checkpoint(
    db, tmp_path, client
):
    from zhifa.ledger.export import export_subject

    def with_key(seed: str):
        signing._load.cache_clear()
        signing._remember.cache_clear()
        return override_settings(LEDGER_KEY_DIR=tmp_path, LEDGER_SIGNING_KEY=seed)

    try:
        with with_key(_seed(1)):
            old = signing.server_key().public
            ledger.record("test.appended", "test.thing:1", None)
            checkpoint_sign()
        with with_key(_seed(2)):  # rotated; the log has not grown since
            export_subject("test.thing:1", tmp_path / "bag.zip")
            with zipfile.ZipFile(tmp_path / "bag.zip") as zf:
                name = next(n for n in zf.namelist() if n.endswith("data/public-key.txt"))
                assert zf.read(name).decode().strip() == old.verifier_key
            assert old.verifier_key in client.get("/portal/").content.decode()
    finally:
        signing._load.cache_clear()
        signing._remember.cache_clear()
