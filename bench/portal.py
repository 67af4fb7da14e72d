"""Portal benchmark (issue 6): one command, prints every figure and its ratio to a baseline
measured in the same run.

    .venv/bin/python bench/portal.py                        # SQLite, 1,000,000 decisions
    .venv/bin/python bench/portal.py --postgres postgresql://postgres@127.0.0.1:5432/zhifa_bench
    .venv/bin/python bench/portal.py -n 100000 --reuse      # keep / reuse the generated data

1. Generates N published decisions into a fresh database (SQLite file under var/bench-portal/,
   or the PostgreSQL database named in the URL, dropped and created again), in bulk
   (`portal_data.py`: executemany / COPY; the ledger is not written, so `event_seq` is
   synthetic). Reports the time and the database size. `--reuse` keeps a database that already
   holds N decisions (and its search index) and skips generation.
2. Builds the search index with the search app's bulk indexer and times ten typical queries
   through the real `search()` selector: p50 / p95 per query after a warm-up.
3. Starts the real app under gunicorn (sync workers as `zhifa serve` starts them, `--workers`
   of them, 2 by default: one per core; `zhifa serve` starts 3; DEBUG off) with a bench-only
   URLconf (`portal_urls.py`, adding `/bench/trivial/`), and measures requests/s of the
   decision list (first page, a filtered page, a page in the middle), a decision detail page
   (random ids) and the trivial view, in rounds on the same server. Load tool: `wrk` (Debian package
   `wrk`: `apt-get install wrk`) when installed, else a built-in threaded client (`--load-tool
   python`: fixed concurrency, fixed duration, one request at a time per thread).

Targets (issue 6): search p95 < 50 ms at 1,000,000 decisions; pages >= 50 % of the trivial
view's requests/s. Results are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
PASSES_SEARCH_MS = 50.0
PASSES_RATIO = 0.5


# --- setup --------------------------------------------------------------------------------------


def setup_django(url: str, data_dir: Path) -> None:
    os.environ["ZHIFA_DATA_DIR"] = str(data_dir)
    os.environ["ZHIFA_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    for path in (str(ROOT / "src"), str(BENCH)):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django

    django.setup()


def fresh_postgres(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def postgres_exists(url: str) -> bool:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def published_count() -> int:
    from zhifa.disclosure.models import Disclosure

    try:
        return Disclosure.objects.filter(status="published").count()
    except Exception:
        return -1


def db_size_bytes(url: str, sqlite_path: Path | None) -> int:
    if sqlite_path is not None:
        return sum(
            p.stat().st_size
            for p in (sqlite_path, Path(f"{sqlite_path}-wal"), Path(f"{sqlite_path}-shm"))
            if p.exists()
        )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return int(cursor.fetchone()[0])


def _bar(total: int, desc: str, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="条", unit_scale=True, disable=not enabled)


# --- 1. data ------------------------------------------------------------------------------------


def build_data(n: int, *, batch: int, bars: bool) -> dict:
    import portal_data
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    with _bar(n, "生成公示决定", bars) as bar:
        portal_data.generate(n, batch=batch, progress=bar.update)
    return {"generate_s": time.perf_counter() - t}


def ensure_checkpoint(n: int) -> None:
    """One ledger event and a signed checkpoint, as any real installation has: with an empty
    ledger the home page would try to sign a checkpoint on every request."""
    from zhifa import ledger
    from zhifa.ledger import services as ledger_services
    from zhifa.ledger.models import Checkpoint

    if not Checkpoint.objects.exists():
        ledger.record("bench.generated", "bench:portal", None, {"decisions": n})
        ledger_services.checkpoint_sign()


def render_pages(*, bars: bool) -> dict:
    """The product's own step for decisions that have no stored public page (`zhifa pages
    render`): the generator writes decisions in bulk, bypassing the publishing service that
    renders each page, so the pages are rendered here, once (kept with --reuse)."""
    from zhifa.disclosure import pages

    out = {}
    if ids := pages.stale_ids():
        t = time.perf_counter()
        with _bar(len(ids), "生成公示页面", bars) as bar:
            out["pages_rendered"] = pages.render_stale(ids, tick=bar.update)
        out["pages_s"] = time.perf_counter() - t
    # Rendering writes each page's file once committed; with --reuse of a database from
    # before the files (or another --dir), `zhifa pages files` writes the missing ones.
    if ids := pages.missing_file_ids():
        t = time.perf_counter()
        with _bar(len(ids), "写出公示页面文件", bars) as bar:
            out["page_files_written"] = pages.write_all_files(ids, tick=bar.update)
        out["page_files_s"] = time.perf_counter() - t
    return out


# --- 2. search ----------------------------------------------------------------------------------


def search_module():
    """The search app's module (`zhifa.disclosure.search`), or None while it does not exist."""
    try:
        from zhifa.disclosure import search
    except ImportError:
        return None
    return search


def build_index(*, bars: bool) -> dict:
    search = search_module()
    if search is None:
        return {}
    from zhifa.disclosure.models import Disclosure

    total = Disclosure.objects.filter(status="published").count()
    t = time.perf_counter()
    with _bar(total, "建立检索索引", bars) as bar:
        indexed = search.bulk_index_disclosures(tick=bar.update)
    return {"index_s": time.perf_counter() - t, "indexed": indexed}


def typical_queries() -> list[tuple[str, str, dict]]:
    """Ten queries a portal visitor types, with terms taken from the generated data."""
    from zhifa.disclosure.models import PublishedVersion
    from zhifa.org.models import Agency

    def field(pk: int, name: str) -> str:
        version = PublishedVersion.objects.filter(pk__gte=pk, fields__party_kind="法人或其他组织")
        return version.order_by("pk").values_list("fields", flat=True).first()[name]

    total = PublishedVersion.objects.count()
    company = field(max(1, total // 3), "party_name")
    number = "宁发改罚〔2026〕12号"
    if not PublishedVersion.objects.filter(fields__document_number=number).exists():
        number = field(max(1, total // 2), "document_number")
    market = Agency.objects.get(short_name="宁市监")
    year = dt.date.today().year - 2  # a past year: its matches are not the newest entries
    return [
        ("处罚", "处罚", {}),
        ("company name", company, {}),
        ("decision number", number, {}),
        ("two characters 消防", "消防", {}),
        ("two words 食品 经营", "食品 经营", {}),
        ("罚款 + agency filter", "罚款", {"agency_id": market.pk}),
        (
            f"处罚 + date range (year {year})",
            "处罚",
            {"date_from": dt.date(year, 1, 1), "date_to": dt.date(year, 12, 31)},
        ),
        ("licence 食品经营许可", "食品经营许可", {"kind": "licence"}),
        ("rare word 罂粟壳", "罂粟壳", {}),
        ("no hit 量子纠缠", "量子纠缠", {}),
    ]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_search(*, repeat: int, warmup: int) -> list[dict]:
    search = search_module()
    if search is None:
        return []
    rows = []
    for label, q, filters in typical_queries():
        for _ in range(warmup):
            hits = list(search.search(q, **filters))
        times, cpu = [], []
        for _ in range(repeat):
            t, c = time.perf_counter(), time.process_time()
            hits = list(search.search(q, **filters))
            times.append(1000 * (time.perf_counter() - t))
            cpu.append(1000 * (time.process_time() - c))
        rows.append(
            {
                "label": label,
                "q": q,
                "filters": {k: str(v) for k, v in filters.items()},
                "hits": len(hits),
                "times_ms": times,
                "p50_ms": statistics.median(times),
                "p95_ms": _pct(times, 0.95),
                # CPU time of this process (SQLite's work included; PostgreSQL's server not):
                # read it when the machine is loaded and wall times mostly measure waiting.
                "cpu_p50_ms": statistics.median(cpu),
            }
        )
    return rows


def explain_slow(rows: list[dict]) -> dict[str, str]:
    """The database's plan of the full-text query of each query over target: EXPLAIN QUERY
    PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, of the SQL `search()` ran."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    search = search_module()
    plans = {}
    filters_of = {label: filters for label, _q, filters in typical_queries()}
    for row in rows:
        if row["p95_ms"] < PASSES_SEARCH_MS:
            continue
        with CaptureQueriesContext(connection) as captured:
            search.search(row["q"], **filters_of[row["label"]])
        sql = next(
            (
                c["sql"]
                for c in captured.captured_queries
                if ("MATCH" in c["sql"] or "@@" in c["sql"]) and not c["sql"].startswith("EXPLAIN")
            ),
            None,
        )
        if sql is None:
            continue
        prefix = (
            "EXPLAIN QUERY PLAN "
            if connection.vendor == "sqlite"
            else "EXPLAIN (ANALYZE, BUFFERS) "
        )
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            lines = [" ".join(str(x) for x in r) for r in cursor.fetchall()]
        plans[row["label"]] = sql + "\n" + "\n".join(lines)
    return plans


# --- 3. pages -----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with the bench settings, like `zhifa serve` (sync workers) without
    collectstatic and without the task consumer."""

    def __init__(self, url: str, data_dir: Path, workers: int):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env |= {
            "DJANGO_SETTINGS_MODULE": "portal_settings",
            "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT / "src")]),
            "ZHIFA_DATABASE_URL": url,
            "ZHIFA_DATA_DIR": str(data_dir),
            "ZHIFA_DEBUG": "0",
            "ZHIFA_LOG_LEVEL": "WARNING",
        }
        self.log = open(data_dir / "gunicorn.log", "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "zhifa.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/bench/trivial/", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise SystemExit(f"gunicorn 未能启动，见 {data_dir / 'gunicorn.log'}") from None
                time.sleep(0.3)

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=60) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


WRK_SCRIPT = """
math.randomseed(42)
request = function()
  local path = string.gsub(wrk.path, "{id}", tostring(math.random(1, %d)))
  return wrk.format("GET", path)
end
"""


def load_wrk(base: str, path: str, *, seconds: float, concurrency: int, max_id: int, work: Path):
    script = work / "random_id.lua"
    script.write_text(WRK_SCRIPT % max_id)
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{concurrency}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            base + path,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = int(bad.group(1)) if bad else 0
    if errors:
        failed += sum(int(x) for x in errors.groups()[:1]) + int(errors.group(4))
    return rate, failed


def load_python(base: str, path: str, *, seconds: float, concurrency: int, max_id: int, **_):
    """A small threaded client: `concurrency` threads, each sending one request at a time for
    `seconds`, keeping the connection when the server allows it (gunicorn's sync workers close
    it after each response, as they do for wrk)."""
    host, port = base.removeprefix("http://").split(":")
    stop_at = time.monotonic() + seconds
    counts = [0] * concurrency
    failures = [0] * concurrency
    rng = random.Random(42)
    paths = [path.replace("{id}", str(rng.randint(1, max_id))) for _ in range(10_000)]

    def worker(k: int) -> None:
        conn = None
        j = k
        while time.monotonic() < stop_at:
            if conn is None:
                conn = http.client.HTTPConnection(host, int(port), timeout=60)
            try:
                conn.request("GET", paths[j % len(paths)])
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failures[k] += 1
                counts[k] += 1
                if response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                failures[k] += 1
                conn.close()
                conn = None
            j += concurrency
        if conn is not None:
            conn.close()

    start = time.monotonic()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.monotonic() - start), sum(failures)


def page_paths() -> list[tuple[str, str]]:
    from zhifa.disclosure import selectors
    from zhifa.org.models import Agency

    market = Agency.objects.get(short_name="宁市监")
    # A page in the middle of the list, reached as its 下一页 link does (keyset, no OFFSET).
    public = selectors.public_list()
    middle = public.values_list("decided_on", "pk")[public.count() // 2]
    year = dt.date.today().year - 1
    return [
        ("trivial view /bench/trivial/ (baseline)", "/bench/trivial/"),
        ("decision list, first page", "/portal/decisions/"),
        (
            f"decision list, filtered (agency, penalty, {year})",
            f"/portal/decisions/?agency={market.pk}&kind=penalty&from={year}-01-01&to={year}-12-31",
        ),
        (
            "decision list, a page in the middle",
            f"/portal/decisions/?after={middle[0].isoformat()}.{middle[1]}&page=2",
        ),
        ("decision detail (random id)", "/portal/decisions/{id}/"),
        ("portal home (latest decisions, counts per agency)", "/portal/"),
    ]


def bench_pages(
    url: str,
    data_dir: Path,
    *,
    n: int,
    workers: int,
    seconds: float,
    rounds: int,
    concurrency: int,
    tool: str,
) -> dict:
    load = load_wrk if tool == "wrk" else load_python
    server = Server(url, data_dir, workers)
    try:
        paths = page_paths()
        checks = {}
        for label, path in paths:
            for k in range(1 + 2 * workers):  # also warms every worker up on each page
                status, body = server.get(path.replace("{id}", str(1 + (n // 2 + k) % n)))
                if status != 200:
                    raise SystemExit(f"{path} 返回 {status}：{body[:500]}")
            checks[label] = len(body)
        results: dict[str, list[float]] = {label: [] for label, _ in paths}
        failed = 0
        for _ in range(rounds):
            for label, path in paths:
                rate, bad = load(
                    server.base,
                    path,
                    seconds=seconds,
                    concurrency=concurrency,
                    max_id=n,
                    work=data_dir,
                )
                results[label].append(rate)
                failed += bad
    finally:
        server.stop()
    return {"rates": results, "failed": failed, "bytes": checks}


# --- report -------------------------------------------------------------------------------------


def report(out: dict) -> None:
    print(
        f"\n== portal benchmark: {out['vendor']}, {out['n']:,} published decisions "
        f"({out['date']}, {os.cpu_count()} cores, load average at start {out['load_start']}) =="
    )
    if "generate_s" in out:
        rate = out["n"] / out["generate_s"] if out["generate_s"] else 0
        print(f"generation: {out['generate_s']:.0f} s ({rate:,.0f} decisions/s)")
    else:
        print("generation: reused an existing database (--reuse)")
    print(f"database size: {out['db_bytes'] / 2**20:,.0f} MiB")
    if out.get("pages_s") is not None:
        print(f"public pages rendered: {out['pages_rendered']:,} in {out['pages_s']:.0f} s")
    if out.get("page_files_s") is not None:
        written, seconds = out["page_files_written"], out["page_files_s"]
        print(f"public page files written: {written:,} in {seconds:.0f} s")
    if out.get("index_s") is not None:
        print(f"search index: {out['index_s']:.0f} s for {out.get('indexed')} documents")
    if out["search"]:
        print(f"\nsearch latency, {out['repeat']} runs each after warm-up (target p95 < 50 ms):")
        print(f"  {'query':<38} {'hits':>5} {'p50 ms':>8} {'p95 ms':>8}  met?  {'CPU p50':>8}")
        for row in out["search"]:
            met = "yes" if row["p95_ms"] < PASSES_SEARCH_MS else "NO "
            print(
                f"  {row['label']:<38} {row['hits']:>5} {row['p50_ms']:>8.1f} "
                f"{row['p95_ms']:>8.1f}  {met}  {row['cpu_p50_ms']:>8.1f}"
            )
        every = [t for row in out["search"] for t in row["times_ms"]]
        print(
            f"  {'all queries':<38} {'':>5} {statistics.median(every):>8.1f} "
            f"{_pct(every, 0.95):>8.1f}"
        )
        for label, plan in out.get("plans", {}).items():
            print(f"\n  plan of '{label}' (over target):")
            print("    " + plan.replace("\n", "\n    "))
    elif out.get("search_missing"):
        print("\nsearch: zhifa.disclosure.search is not installed yet; skipped")
    pages = out.get("pages")
    if pages:
        rates = pages["rates"]
        base_label = next(iter(rates))
        base = statistics.mean(rates[base_label])
        print(
            f"\npages: gunicorn {out['workers']} sync workers, {out['tool']}, "
            f"{out['concurrency']} connections, {out['rounds']} rounds x {out['seconds']:.0f} s "
            "(target >= 50 % of the trivial view):"
        )
        print(f"  {'page':<48} {'req/s':>8}  {'rounds':<20} ratio")
        for label, values in rates.items():
            mean = statistics.mean(values)
            each = "/".join(f"{v:.0f}" for v in values)
            ratio = mean / base if base else 0
            mark = (
                "" if label == base_label else ("  met" if ratio >= PASSES_RATIO else "  NOT met")
            )
            print(f"  {label:<48} {mean:>8.1f}  {each:<20} {ratio:.0%}{mark}")
        if pages["failed"]:
            print(f"  !! {pages['failed']} failed or non-200 responses")


# --- main ---------------------------------------------------------------------------------------


def run(args) -> dict:
    """One benchmark run; returns the figures (also used by the smoke test)."""
    bars = not args.quiet
    work = Path(args.dir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    sqlite_path = None
    if args.postgres:
        url = args.postgres
        reuse = args.reuse and postgres_exists(url)
        if not reuse:
            fresh_postgres(url)
        data_dir = work / f"pg-{url.rpartition('/')[2]}"
    else:
        sqlite_path = work / f"portal-{args.n}.sqlite3"
        url = f"sqlite:///{sqlite_path}"
        reuse = args.reuse and sqlite_path.exists()
        if not reuse:
            for p in work.glob(f"portal-{args.n}.sqlite3*"):
                p.unlink()
        data_dir = work / f"data-{args.n}"
    data_dir.mkdir(parents=True, exist_ok=True)
    setup_django(url, data_dir)
    from django.db import connection

    out: dict = {
        "vendor": connection.vendor,
        "n": args.n,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_start": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "repeat": args.repeat,
        "workers": args.workers,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "concurrency": args.concurrency,
    }
    have = published_count() if reuse else -1
    if have != args.n:
        if reuse:
            print(f"--reuse: found {have} decisions, not {args.n}; generating afresh")
            if args.postgres:
                connection.close()
                fresh_postgres(url)
            else:
                connection.close()
                for p in work.glob(f"portal-{args.n}.sqlite3*"):
                    p.unlink()
        out |= build_data(args.n, batch=args.batch, bars=bars)
        reuse = False
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # new product migrations since the data was made
    ensure_checkpoint(args.n)
    out |= render_pages(bars=bars)
    out["db_bytes"] = db_size_bytes(url, sqlite_path)
    if args.no_search:
        out["search"] = []
    elif search_module() is None:
        out["search_missing"] = True
        out["search"] = []
    else:
        marker = data_dir / "search-indexed"
        if not (reuse and marker.exists() and marker.read_text() == str(args.n)):
            out |= build_index(bars=bars)
            marker.write_text(str(args.n))
            out["db_bytes_indexed"] = db_size_bytes(url, sqlite_path)
        out["search"] = bench_search(repeat=args.repeat, warmup=args.warmup)
        out["plans"] = explain_slow(out["search"])
    if args.seconds > 0:
        tool = args.load_tool
        if tool == "auto":
            tool = "wrk" if shutil.which("wrk") else "python"
        out["tool"] = "wrk" if tool == "wrk" else "built-in threaded client"
        connection.close()
        out["pages"] = bench_pages(
            url,
            data_dir,
            n=args.n,
            workers=args.workers,
            seconds=args.seconds,
            rounds=args.rounds,
            concurrency=args.concurrency,
            tool=tool,
        )
    return out


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("-n", type=int, default=1_000_000, help="published decisions to generate")
    p.add_argument(
        "--postgres",
        metavar="URL",
        help="PostgreSQL database to use (dropped and created again unless --reuse); "
        "default: a SQLite file under --dir",
    )
    p.add_argument("--dir", default=str(ROOT / "var" / "bench-portal"), help="work folder")
    p.add_argument("--reuse", action="store_true", help="reuse a database holding N decisions")
    p.add_argument("--batch", type=int, default=20_000, help="rows per insert batch")
    p.add_argument("--repeat", type=int, default=30, help="timed runs of each query")
    p.add_argument("--warmup", type=int, default=3, help="untimed runs of each query first")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    p.add_argument("--seconds", type=float, default=10, help="load per page and round; 0: skip")
    p.add_argument("--rounds", type=int, default=2, help="rounds over all pages")
    p.add_argument("--concurrency", type=int, default=4, help="open connections")
    p.add_argument("--load-tool", choices=["auto", "wrk", "python"], default="auto")
    p.add_argument("--no-search", action="store_true", help="skip indexing and search")
    p.add_argument("--json", help="also write the figures to this JSON file")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def main() -> None:
    args = parser().parse_args()
    out = run(args)
    report(out)
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()
