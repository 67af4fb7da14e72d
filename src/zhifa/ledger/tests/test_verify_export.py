"""`zhifa ledger verify`, `fixity`, `checkpoint` and `export` (a BagIt bag with its own
offline verifier) — and that tampering behind the triggers' back is caught."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile

import bagit
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from zhifa import ledger
from zhifa.ledger import blobs
from zhifa.ledger.services import checkpoint_sign
from zhifa.ledger.testing import tampering


@pytest.fixture
def store(tmp_path):
    with override_settings(LEDGER_BLOB_BACKEND="filesystem", LEDGER_BLOB_DIR=tmp_path / "blobs"):
        yield


@pytest.fixture
def case_log(world, store):
    officer = world.user("officer_a")
    for i in range(5):
        ledger.record(
            "test.other", f"cases.case:{100 + i}", officer, {"i": i}, agency=world.agency_a
        )
    ledger.record(
        "case.filed", "cases.case:1", officer, {"案由": "未按规定报送"}, agency=world.agency_a
    )
    checkpoint_sign()
    photo = blobs.add_evidence(
        io.BytesIO("照片内容".encode()),
        actor=officer,
        subject="cases.case:1",
        filename="现场照片.jpg",
        content_type="image/jpeg",
        step="调查取证",
        agency=world.agency_a,
    )
    ledger.record(
        "case.decided", "cases.case:1", officer, {"罚款分": 500000}, agency=world.agency_a
    )
    checkpoint_sign()
    return photo


def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ledger", *args, stdout=out, stderr=err, verbosity=0)
        code = 0
    except CommandError as exc:
        err.write(str(exc))
        code = exc.returncode
    return code, out.getvalue(), err.getvalue()


def test_verify_passes_on_an_honest_ledger(case_log):
    code, out, _ = run("verify")
    assert code == 0 and "8 个事件" in out and "2 个检查点" in out


def test_verify_names_first_altered_event(case_log):
    with tampering() as connection, connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_event SET payload = %s WHERE seq = 5", ['{"案由": "已改"}'])
    code, _, err = run("verify")
    assert code == 1
    assert "第一个有问题的序号：5" in err


def test_verify_catches_consistent_rewrite_by_checkpoint(case_log):
    """An attacker who rewrites an event AND its canonical bytes, leaf and subtree hashes
    still cannot match the signed checkpoints."""
    from zhifa.ledger import canonical, merkle
    from zhifa.ledger.models import Event

    event = Event.objects.get(seq=2)
    doc = event.document() | {"payload": {"i": 99}}
    data = canonical.dumps(doc)
    with tampering() as connection, connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_event SET payload = %s, canonical = %s, leaf_hash = %s WHERE seq = 2",
            ['{"i": 99}', data, merkle.leaf_hash(data)],
        )
    code, _, err = run("verify")
    assert code == 1 and "第一个有问题的序号：2" in err  # node (0, 2) differs
    assert "检查点" in err


def test_verify_catches_deleted_tail_and_missing_trigger(case_log):
    with tampering() as connection, connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_node WHERE level = 0 AND " + '"index" = 7')
        cursor.execute("DELETE FROM ledger_event WHERE seq = 7")
    code, _, err = run("verify")
    assert code == 1 and "有事件丢失" in err


def test_verify_catches_missing_trigger(case_log):
    from django.db import connection

    from zhifa.ledger.db import drop_triggers, install_triggers

    drop_triggers(connection)
    try:
        code, _, err = run("verify")
        assert code == 1 and "触发器" in err
    finally:
        install_triggers(connection)


def test_fixity_command_catches_changed_blob(case_log):
    assert run("fixity")[0] == 0
    path = blobs.backend().path(case_log.payload["sha256"])
    path.chmod(0o644)
    path.write_bytes(b"swapped photo")
    code, _, err = run("fixity")
    assert code == 1 and case_log.payload["sha256"] in err


def test_checkpoint_command(db):
    assert "尚无记录" in run("checkpoint")[1]
    ledger.record("test.appended", "test.thing:1", None)
    code, out, _ = run("checkpoint")
    assert code == 0 and out.startswith("zhifa.local/ledger\n1\n")


def unpack(zip_path, into):
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(into)
        (top,) = {name.split("/")[0] for name in zf.namelist()}
    return into / top


def verify_bag(bag, *extra) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(bag / "verify.py"), str(bag), *extra],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_export_bag_is_valid_and_self_verifying(case_log, tmp_path):
    code, _, err = run("export", "--subject", "cases.case:1", "-o", str(tmp_path / "c.zip"))
    assert code == 0, err
    bag_dir = unpack(tmp_path / "c.zip", tmp_path / "x")
    bag = bagit.Bag(str(bag_dir))
    bag.validate()  # RFC 8493, checked by the reference `bagit` package
    assert (
        bag_dir / "data/files" / case_log.payload["sha256"] / "现场照片.jpg"
    ).read_bytes() == "照片内容".encode()
    assert len(list((bag_dir / "data/events").iterdir())) == 3
    result = verify_bag(bag_dir)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout

    from zhifa.ledger.signing import server_key

    wrong = "someone.else/log+00000000+" + "A" * 44
    assert verify_bag(bag_dir, "--key", server_key().public.verifier_key).returncode == 0
    assert verify_bag(bag_dir, "--key", wrong).returncode == 1


@pytest.mark.parametrize("victim", ["event", "file", "file-and-manifests", "checkpoint"])
def test_bag_verifier_catches_changes(case_log, tmp_path, victim):
    run("export", "--subject", "cases.case:1", "-o", str(tmp_path / "c.zip"))
    bag_dir = unpack(tmp_path / "c.zip", tmp_path / "x")
    if victim == "event":
        target = sorted((bag_dir / "data/events").iterdir())[0]
        target.write_bytes(target.read_bytes().replace("未按规定".encode(), "按规定了".encode()))
    elif victim == "checkpoint":
        target = bag_dir / "data/checkpoint.txt"
        lines = target.read_text().split("\n")
        lines[1] = str(int(lines[1]) + 1)
        target.write_text("\n".join(lines))
    else:
        target = next((bag_dir / "data/files").rglob("*.jpg"))
        target.write_bytes(b"another photo")
    if victim == "file-and-manifests":
        # Re-making the manifests (what a forger would do) does not help: the signature does.
        bag = bagit.Bag(str(bag_dir))
        bag.save(manifests=True)
        bag.validate()
    result = verify_bag(bag_dir)
    assert result.returncode == 1
    assert "FAILED" in result.stderr


def test_export_unknown_subject(db, tmp_path):
    code, _, err = run("export", "--subject", "cases.case:404", "-o", str(tmp_path / "n.zip"))
    assert code == 1 and "没有找到" in err


@pytest.fixture
def pooled(ledger_purge, monkeypatch):
    """Force the process-pool path of verify on a small committed log (the workers' own
    connections see only committed rows, hence a transactional test). SQLite only."""
    from django.db import connection

    from zhifa.ledger import verification

    if connection.vendor != "sqlite":
        pytest.skip("the process pool checks SQLite files only")
    from zhifa.ledger.services import Entry, record_many

    monkeypatch.setattr(verification, "POOL_MIN", 1)
    monkeypatch.setattr(verification, "SPAN", 10)
    record_many([Entry("test.appended", f"test.thing:{i}", None, {"i": i}) for i in range(40)])
    checkpoint_sign()
    used = []
    real = verification._verify_in_pool
    monkeypatch.setattr(
        verification, "_verify_in_pool", lambda *a: used.append(real(*a)) or used[-1]
    )
    return used


def test_verify_in_pool_passes_and_ticks_every_event(pooled):
    from zhifa.ledger.verification import verify_ledger

    ticks = []
    result = verify_ledger(tick=ticks.append)
    assert result.ok, result.problems
    assert pooled and pooled[0] is not None  # the pool did the work, no fallback
    assert result.events == 40 and sum(ticks) == 40 and len(ticks) >= 4
    assert result.nodes == 40 + 20 + 10 + 5 + 2 + 1 and result.checkpoints == 1


def test_verify_in_pool_names_first_bad_seq_across_chunks(pooled):
    """Tampers in the second and fourth spans (rowid spans of 10): the smallest is named,
    all are listed, whatever order the workers finish in."""
    from zhifa.ledger.verification import verify_ledger

    with tampering() as connection, connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_event SET payload = %s WHERE seq = 33", ['{"i": 0}'])
        cursor.execute("UPDATE ledger_event SET leaf_hash = %s WHERE seq = 12", [b"x" * 32])
        cursor.execute("UPDATE ledger_event SET subject = 'test.thing:x' WHERE seq = 14")
    result = verify_ledger()
    assert pooled and pooled[0] is not None
    assert result.first_bad_seq == 12
    assert {p.seq for p in result.problems} >= {12, 14, 33}
    code, _, err = run("verify")
    assert code == 1 and "第一个有问题的序号：12" in err


def test_verify_in_pool_falls_back_for_rows_out_of_order(pooled):
    from zhifa.ledger.verification import verify_ledger

    columns = "seq, kind, subject, agency_id, actor_id, time, payload, corrects_id, "
    columns += "canonical, leaf_hash"
    with tampering() as connection, connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM ledger_event WHERE seq = 3")
        row = cursor.fetchone()
        cursor.execute("DELETE FROM ledger_event WHERE seq = 3")
        marks = ", ".join(["%s"] * len(row))
        cursor.execute(f"INSERT INTO ledger_event ({columns}) VALUES ({marks})", row)
    ticks = []
    result = verify_ledger(tick=ticks.append)
    assert pooled == [None]  # the pool saw seq 3 stored last and handed back
    assert result.ok, result.problems
    assert result.events == 40 and sum(ticks) == 40


@pytest.mark.parametrize("method", ["forkserver", "spawn"])
def test_verify_in_pool_works_without_fork(pooled, monkeypatch, method):
    """A process running other threads must not fork: its workers come from a fork server
    (or are spawned); they import only the standard library and find the same problems."""
    import multiprocessing

    from zhifa.ledger import verification
    from zhifa.ledger.verification import verify_ledger

    monkeypatch.setattr(verification, "_mp_context", lambda: multiprocessing.get_context(method))
    assert verify_ledger().ok and pooled[-1] is not None
    with tampering() as connection, connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_event SET subject = 'test.thing:x' WHERE seq = 27")
    result = verify_ledger()
    assert pooled[-1] is not None and result.first_bad_seq == 27


def test_threaded_process_does_not_fork_its_verify_workers(monkeypatch):
    import threading

    from zhifa.ledger import verification

    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert verification._mp_context().get_start_method() == "fork"
    monkeypatch.setattr(threading, "active_count", lambda: 3)
    assert verification._mp_context().get_start_method() in ("forkserver", "spawn")
