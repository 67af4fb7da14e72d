"""Ledger benchmarks: one command, prints every figure and its ratio to a baseline measured in
the same run.

    .venv/bin/python bench/ledger.py                  # SQLite only
    .venv/bin/python bench/ledger.py --postgres postgresql://postgres@127.0.0.1:5432/postgres

Each database runs in its own child process on a fresh database (PostgreSQL: a throwaway
database `<name>_bench` next to the given one is created and dropped). Sizes are flags; the
defaults finish in a few minutes on 2 cores. Results are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# --- child: one database ----------------------------------------------------------------


def _setup(url: str, data_dir: str) -> None:
    os.environ["ZHIFA_DATA_DIR"] = data_dir
    os.environ["ZHIFA_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _rate(n: int, seconds: float) -> float:
    return n / seconds if seconds else float("inf")


def bench_appends(n_single: int, n_batch: int) -> dict:
    from django.db import transaction

    from zhifa import ledger
    from zhifa.ledger.services import Entry, record_many

    payload = {"案由": "未按规定报送", "金额分": 500000, "当事人": "某某有限公司"}
    t = time.perf_counter()
    for i in range(n_single):
        ledger.record("bench.single", f"cases.case:{i}", None, payload)  # own transaction
    single = _rate(n_single, time.perf_counter() - t)

    t = time.perf_counter()
    with transaction.atomic():
        for i in range(n_single):
            ledger.record("bench.one_tx", f"cases.case:{i}", None, payload)
    one_tx = _rate(n_single, time.perf_counter() - t)

    t = time.perf_counter()
    for start in range(0, n_batch, 1000):
        entries = [
            Entry("bench.batch", f"cases.case:{i}", None, payload)
            for i in range(start, min(start + 1000, n_batch))
        ]
        record_many(entries)
    batched = _rate(n_batch, time.perf_counter() - t)
    return {
        "single_tx_per_s": single,
        "record_in_one_tx_per_s": one_tx,
        "record_many_per_s": batched,
    }


def bench_raw_sqlite(n: int, data_dir: str) -> float:
    """The limit: plain sqlite3 inserts of the same row sizes, one transaction each, with
    the same pragmas as the application (WAL, synchronous=NORMAL)."""
    db = sqlite3.connect(Path(data_dir) / "raw.sqlite3", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE TABLE e (seq INTEGER PRIMARY KEY, kind TEXT, subject TEXT, time TEXT, "
        "payload TEXT, canonical BLOB, leaf BLOB)"
    )
    db.execute("CREATE TABLE n (level INTEGER, idx INTEGER, hash BLOB, PRIMARY KEY(level, idx))")
    row = json.dumps({"案由": "未按规定报送", "金额分": 500000}, ensure_ascii=False)
    t = time.perf_counter()
    for i in range(n):
        data = (row * 3).encode()
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "INSERT INTO e VALUES (?,?,?,?,?,?,?)",
            (
                i,
                "bench.raw",
                f"cases.case:{i}",
                "2026-01-01T00:00:00+08:00",
                row,
                data,
                hashlib.sha256(data).digest(),
            ),
        )
        db.execute("INSERT INTO n VALUES (?,?,?)", (0, i, hashlib.sha256(data).digest()))
        db.execute("COMMIT")
    return _rate(n, time.perf_counter() - t)


def bench_verify(n_verify: int) -> dict:
    from zhifa.ledger.selectors import tree_size
    from zhifa.ledger.services import Entry, checkpoint_sign, record_many
    from zhifa.ledger.verification import verify_ledger

    have = tree_size()
    payload = {"案由": "未按规定报送", "金额分": 500000}
    for start in range(have, n_verify, 5000):
        record_many(
            [
                Entry("bench.verify", f"cases.case:{i}", None, payload)
                for i in range(start, min(start + 5000, n_verify))
            ]
        )
    checkpoint_sign()
    t = time.perf_counter()
    result = verify_ledger()
    seconds = time.perf_counter() - t
    assert result.ok, result.problems[:3]
    return {"verify_events": result.events, "verify_events_per_s": _rate(result.events, seconds)}


def _bulk_tree(n: int) -> None:
    """Fast path for the proof benchmark only: n minimal events and all their subtree hashes
    written with executemany, bypassing record() (the proof code reads the same tables)."""
    from django.db import connection, transaction

    from zhifa.ledger import merkle
    from zhifa.ledger.db import drop_triggers, install_triggers

    with transaction.atomic():
        drop_triggers(connection)  # the bench database is thrown away afterwards
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM ledger_checkpoint")
            cursor.execute("DELETE FROM ledger_node")
            cursor.execute("DELETE FROM ledger_event")
        install_triggers(connection)
    level = [merkle.leaf_hash(i.to_bytes(8, "big")) for i in range(n)]
    ts = "2026-01-01 00:00:00+00:00" if connection.vendor == "postgresql" else "2026-01-01 00:00:00"
    with transaction.atomic(), connection.cursor() as cursor:
        step = 50_000
        for start in range(0, n, step):
            cursor.executemany(
                "INSERT INTO ledger_event (seq, kind, subject, time, payload, canonical, "
                "leaf_hash) VALUES (%s, 'bench.bulk', 'x', %s, '{}', %s, %s)",
                [
                    (i, ts, i.to_bytes(8, "big"), level[i])
                    for i in range(start, min(start + step, n))
                ],
            )
        lv = 0
        while level:
            for start in range(0, len(level), step):
                cursor.executemany(
                    'INSERT INTO ledger_node (level, "index", hash) VALUES (%s, %s, %s)',
                    [(lv, i, level[i]) for i in range(start, min(start + step, len(level)))],
                )
            level = [merkle.node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            lv += 1


def bench_proofs(n: int, samples: int) -> dict:
    import random

    from zhifa.ledger import merkle, selectors

    t = time.perf_counter()
    _bulk_tree(n)
    build = time.perf_counter() - t
    rng = random.Random(42)
    size_root = selectors.root_at(n)
    times_inc, times_con = [], []
    for _ in range(samples):
        index = rng.randrange(n)
        t = time.perf_counter()
        path = selectors.inclusion_proof(index, n)
        times_inc.append(time.perf_counter() - t)
        assert merkle.verify_inclusion(
            index, n, merkle.leaf_hash(index.to_bytes(8, "big")), path, size_root
        )
        first = rng.randrange(1, n)
        t = time.perf_counter()
        selectors.consistency_proof(first, n)
        times_con.append(time.perf_counter() - t)
    times_inc.sort()
    times_con.sort()
    return {
        "proof_leaves": n,
        "proof_build_s": build,
        "inclusion_ms_median": 1000 * times_inc[len(times_inc) // 2],
        "inclusion_ms_p99": 1000 * times_inc[int(len(times_inc) * 0.99)],
        "consistency_ms_median": 1000 * times_con[len(times_con) // 2],
        "consistency_ms_p99": 1000 * times_con[int(len(times_con) * 0.99)],
    }


def child(args) -> None:
    data_dir = tempfile.mkdtemp(prefix="zhifa-bench-")
    try:
        _setup(args.url, data_dir)
        out = {"vendor": "postgresql" if args.url.startswith("postgres") else "sqlite"}
        out |= bench_appends(args.appends, args.batched)
        if out["vendor"] == "sqlite":
            out["raw_sqlite_insert_per_s"] = bench_raw_sqlite(args.appends, data_dir)
        out |= bench_verify(args.verify)
        out |= bench_proofs(args.proof_leaves, args.proof_samples)
        print(json.dumps(out))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


# --- child: evidence ingest -------------------------------------------------------------


def ingest_child(args) -> None:
    data_dir = tempfile.mkdtemp(prefix="zhifa-ingest-", dir=args.workdir)
    os.environ["ZHIFA_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhifa.settings"
    os.environ["ZHIFA_DATABASE_URL"] = f"sqlite:///{data_dir}/db.sqlite3"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from zhifa.ledger import blobs

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    with open(args.file, "rb") as fh:
        stored = blobs.store(fh)
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "sha256": stored.sha256,
                "peak_rss_mb": peak / 1024,
                "rss_before_mb": before / 1024,
            }
        )
    )
    shutil.rmtree(data_dir, ignore_errors=True)


def _pipeline(src: Path, copy: Path) -> tuple[float, str]:
    t = time.perf_counter()
    pipe = subprocess.run(
        f"cat '{src}' | tee '{copy}' | openssl dgst -sha256",
        shell=True,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - t
    copy.unlink()
    return seconds, pipe.stdout


def _ingest(src: Path, workdir: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--ingest-child", "--file", str(src), "--workdir", workdir],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def bench_ingest(size_mb: int, workdir: str, rounds: int) -> dict:
    """Rounds of (pipeline, blobs.store) on the same file, each started with no dirty pages
    left by the one before (os.sync), so neither pays for the other's writeback; the median
    of each and the median of the per-round ratios are reported."""
    src = Path(workdir) / "evidence.bin"
    with open(src, "wb") as fh:
        block = os.urandom(1 << 20)
        for i in range(size_mb):
            fh.write(hashlib.sha256(i.to_bytes(4, "big")).digest() + block[32:])
    copy = Path(workdir) / "copy.bin"
    pipes, ours, ratios, peaks, befores = [], [], [], [], []
    for _ in range(rounds):
        os.sync()
        pipeline, digest = _pipeline(src, copy)
        os.sync()
        run = _ingest(src, workdir)
        assert run["sha256"] in digest
        pipes.append(pipeline)
        ours.append(run["seconds"])
        ratios.append(pipeline / run["seconds"])
        peaks.append(run["peak_rss_mb"])
        befores.append(run["rss_before_mb"])
    src.unlink()
    mib = size_mb
    return {
        "ingest_mib": mib,
        "ingest_rounds": rounds,
        "pipeline_mib_s": mib / statistics.median(pipes),
        "ingest_mib_s": mib / statistics.median(ours),
        "ingest_vs_pipeline": statistics.median(ratios),
        "ingest_ratios": ratios,
        "ingest_peak_rss_mb": max(peaks),
        "ingest_rss_before_mb": max(befores),
    }


# --- parent -----------------------------------------------------------------------------


def _run_child(url: str, args) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        "--url",
        url,
        "--appends",
        str(args.appends),
        "--batched",
        str(args.batched),
        "--verify",
        str(args.verify),
        "--proof-leaves",
        str(args.proof_leaves),
        "--proof-samples",
        str(args.proof_samples),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode:
        sys.exit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def _bench_db(url: str) -> tuple[str, str]:
    """The throwaway database: named after the one given (``<name>_bench``), so benchmarks
    started by different people against their own databases do not collide."""
    base, _, name = url.rpartition("/")
    name = name.split("?")[0] or "postgres"
    return base, f"{name}_bench"


def _fresh_pg(url: str) -> str:
    import psycopg

    base, bench = _bench_db(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{bench}"')
        conn.execute(f'CREATE DATABASE "{bench}"')
    return f"{base}/{bench}"


def _drop_pg(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{_bench_db(url)[1]}"')


def report(name: str, r: dict) -> None:
    print(f"\n== {name} ==")
    print(
        f"appends, one transaction each (record):     {r['single_tx_per_s']:>10,.0f} /s"
        "   target >= 2,000 on SQLite"
    )
    if "raw_sqlite_insert_per_s" in r:
        raw = r["raw_sqlite_insert_per_s"]
        print(
            f"  raw sqlite3 insert loop (the limit):      {raw:>10,.0f} /s"
            f"   record = {r['single_tx_per_s'] / raw:.0%} of raw"
        )
    print(f"appends, record() x N in one transaction:   {r['record_in_one_tx_per_s']:>10,.0f} /s")
    print(
        f"appends, batched (record_many, 1,000/tx):   {r['record_many_per_s']:>10,.0f} /s"
        "   target >= 20,000 on SQLite"
    )
    print(
        f"verify over {r['verify_events']:,} events:             "
        f"{r['verify_events_per_s']:>10,.0f} events/s   target >= 100,000"
    )
    print(f"proofs at {r['proof_leaves']:,} leaves (table built in {r['proof_build_s']:.0f} s):")
    print(
        f"  inclusion   median {r['inclusion_ms_median']:.2f} ms, p99 "
        f"{r['inclusion_ms_p99']:.2f} ms   target < 5 ms"
    )
    print(
        f"  consistency median {r['consistency_ms_median']:.2f} ms, p99 "
        f"{r['consistency_ms_p99']:.2f} ms   target < 5 ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", help="PostgreSQL URL of a server to also benchmark")
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--batched", type=int, default=20000)
    parser.add_argument("--verify", type=int, default=100_000)
    parser.add_argument("--proof-leaves", type=int, default=1_000_000)
    parser.add_argument("--proof-samples", type=int, default=200)
    parser.add_argument("--ingest-mib", type=int, default=1024)
    parser.add_argument("--ingest-rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--ingest-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    if args.ingest_child:
        return ingest_child(args)

    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"SQLite {sqlite3.sqlite_version}"
    )
    (ROOT / "var").mkdir(exist_ok=True)
    work = tempfile.mkdtemp(prefix="zhifa-bench-", dir=ROOT / "var")
    try:
        results = {"SQLite": _run_child(f"sqlite:///{work}/bench.sqlite3", args)}
        if args.postgres:
            url = _fresh_pg(args.postgres)
            try:
                results["PostgreSQL"] = _run_child(url, args)
            finally:
                _drop_pg(args.postgres)
        for name, r in results.items():
            report(name, r)
        if args.ingest_mib:
            ing = bench_ingest(args.ingest_mib, work, args.ingest_rounds)
            print(
                f"\n== evidence ingest, {ing['ingest_mib']:,} MiB file (filesystem store), "
                f"median of {ing['ingest_rounds']} rounds =="
            )
            print(f"  cat | tee | openssl dgst -sha256:  {ing['pipeline_mib_s']:>8,.0f} MiB/s")
            print(
                f"  blobs.store (hash + store + fsync): {ing['ingest_mib_s']:>8,.0f} MiB/s"
                f"   = {ing['ingest_vs_pipeline']:.0%} of the pipeline   target >= 70%"
            )
            rounds = ", ".join(f"{r:.0%}" for r in ing["ingest_ratios"])
            print(f"  ratio in each round: {rounds}")
            print(
                f"  peak RSS of the ingesting process: {ing['ingest_peak_rss_mb']:.0f} MB "
                f"(of which {ing['ingest_rss_before_mb']:.0f} MB before ingest: "
                "Python + Django)   target < 150 MB"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
