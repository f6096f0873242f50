"""`make bench`: import, list, search and the 360° page at a million customers, each figure
beside a baseline measured in the same run (the raw engine doing the same work).

    make bench                                   # 1M people, 10M interactions, SQLite and PostgreSQL
    BENCH_PEOPLE=100000 BENCH_INTERACTIONS=1000000 make bench     # a quicker look
    BENCH_ENGINES=sqlite make bench
    BENCH_REUSE=1 make bench     # measure the served app again on the databases of the last run

Writes bench/RESULTS.md with the machine and the date.
"""

from __future__ import annotations

import csv
import datetime as dt
import http.client
import json
import os
import platform
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench import generate, load

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
PG_BASE = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "peyvand_bench"


def say(message: str) -> None:
    print(message, flush=True)


# --- databases ----------------------------------------------------------------------------


class Engine:
    def __init__(self, name: str) -> None:
        self.name = name
        self.folder = DATA / name
        self.url = (
            f"sqlite:///{self.folder / 'bench.sqlite3'}" if name == "sqlite" else f"{PG_BASE}/{PG_NAME}"
        )

    def reset(self) -> None:
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        if self.name == "postgresql":
            import psycopg

            with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
                admin.execute(f"CREATE DATABASE {PG_NAME}")

    def connect(self) -> Any:
        if self.name == "sqlite":
            connection = sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=60)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            return connection
        import psycopg

        return psycopg.connect(self.url, autocommit=True)

    def env(self) -> dict[str, str]:
        env = {**os.environ, "DATABASE_URL": self.url, "PEYVAND_DATA_DIR": str(self.folder)}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        return env

    def peyvand(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "peyvand.cli", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def version(self) -> str:
        with self.connect() as connection:
            if self.name == "sqlite":
                return "SQLite " + connection.execute("select sqlite_version()").fetchone()[0]
            version = connection.execute("show server_version").fetchone()[0].split()[0]
            return f"PostgreSQL {version}"


def timed(action: Any) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


# --- import -------------------------------------------------------------------------------


def raw_baselines(engine: Engine, path: Path) -> dict[str, float]:
    """The same rows moved by the engine alone: into a bare table, and (copied inside the
    database) into the customers table with all its indexes."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    count = len(rows)
    figures: dict[str, float] = {}
    with engine.connect() as connection:
        connection.execute(
            "CREATE TABLE bench_raw (id integer primary key, first text, last text, phone text, "
            "email text, city text)"
        )
        numbered = [(n, *row) for n, row in enumerate(rows, start=1)]
        if engine.name == "sqlite":
            seconds = timed(
                lambda: (
                    connection.executemany("INSERT INTO bench_raw VALUES (?,?,?,?,?,?)", numbered),
                    connection.commit(),
                )
            )
        else:

            def copy() -> None:
                with connection.cursor() as cursor, cursor.copy("COPY bench_raw FROM STDIN") as target:
                    for row in numbered:
                        target.write_row(row)

            seconds = timed(copy)
        figures["raw_bare_rows_per_second"] = round(count / seconds)
        # Into the real table: every index the app keeps, no Python in the loop. Tagged with an
        # import job, as the import's rows are, so the search index is left to its own phase.
        job = int(engine.peyvand("manage", "shell", "--no-imports", "-c", JOB_SQL).strip().splitlines()[-1])
        offset = 10**12  # far above the ids the import will use
        insert = (
            "INSERT INTO customers_party (id, created_at, updated_at, kind, first_name, last_name, name, display_name, "
            "sort_key, search_text, national_id, economic_code, website, industry, source, stage, email_consent, "
            "email_consent_source, sms_consent, sms_consent_source, primary_email, primary_phone, import_job_id) "
            f"SELECT id + {offset}, '2026-01-01', '2026-01-01', 'person', first, last, '', first || ' ' || last, "
            f"last, first || ' ' || last, '', '', '', '', 'other', 'suspect', false, '', false, '', email, phone, {job} "
            "FROM bench_raw"
        )
        seconds = timed(lambda: (connection.execute(insert), connection.commit()))
        figures["raw_indexed_rows_per_second"] = round(count / seconds)
        connection.execute(f"DELETE FROM customers_party WHERE id > {offset}")
        connection.execute(f"DELETE FROM customers_importjob WHERE id = {job}")
        connection.execute("DROP TABLE bench_raw")
        connection.commit()
        if engine.name == "postgresql":
            # The baseline's million deleted rows would stay in every index of the table as dead
            # entries until autovacuum came by (one end of the name index: a backward page of the
            # list read 10,000 pages); a database in use has been vacuumed.
            connection.execute("VACUUM ANALYZE customers_party")
    return figures


JOB_SQL = (
    "from peyvand.core.models import User; from peyvand.customers.models import ImportJob; "
    "print(ImportJob.objects.create(kind='person', created_by=User.objects.get(username='admin'), "
    "original_name='baseline', status='done').pk)"
)


def our_import(engine: Engine, path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.import_people", str(path)],
        env=engine.env(),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- interactions -------------------------------------------------------------------------


def load_interactions(engine: Engine, count: int, heavy: int) -> tuple[int, float]:
    """Bulk-load ``count`` interactions over all people plus ``heavy`` on one customer (for
    the 360° page), with the engine's bulk path. Returns that customer's id and the rate."""
    with engine.connect() as connection:
        ids = [row[0] for row in connection.execute("SELECT id FROM customers_party ORDER BY id").fetchall()]
        user = connection.execute("SELECT id FROM core_user WHERE username = 'admin'").fetchone()[0]
        heavy_id = ids[len(ids) // 2]
        until = dt.datetime.now(dt.UTC)
        columns = (
            "created_at",
            "updated_at",
            "party_id",
            "channel",
            "direction",
            "occurred_at",
            "subject",
            "body",
            "outcome",
            "handled_by_id",
        )
        started = time.perf_counter()
        for party_ids, rows, seed in ((ids, count, 7), ([heavy_id], heavy, 8)):
            batch: list[tuple] = []
            for party_id, channel, direction, moment, subject, handler in generate.interaction_rows(
                party_ids, rows, seed=seed, until=until, user_id=user
            ):
                stamp = moment if engine.name == "postgresql" else moment.strftime("%Y-%m-%d %H:%M:%S")
                batch.append((stamp, stamp, party_id, channel, direction, stamp, subject, "", "", handler))
                if len(batch) >= 200_000:
                    _write(engine, connection, "interactions_interaction", columns, batch)
                    batch = []
            _write(engine, connection, "interactions_interaction", columns, batch)
        rate = (count + heavy) / (time.perf_counter() - started)
        if engine.name == "sqlite":
            connection.execute("PRAGMA optimize")
        else:
            connection.execute("ANALYZE")
        return heavy_id, rate


def _write(engine: Engine, connection: Any, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    if engine.name == "sqlite":
        marks = ", ".join("?" * len(columns))
        connection.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        connection.commit()
        return
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as target,
    ):
        for row in rows:
            target.write_row(row)


# --- the served app -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, engine: Engine, workers: int) -> None:
        self.port = free_port()
        env = {**engine.env(), "WEB_WORKERS": str(workers)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "peyvand.cli", "run", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                http.client.HTTPConnection("127.0.0.1", self.port, timeout=2).request("GET", "/login/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.3)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def get_json(port: int, path: str, headers: dict[str, str]) -> Any:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers)
    return json.loads(connection.getresponse().read())


def list_paths(port: int, headers: dict[str, str]) -> list[str]:
    """First pages in every sort and filter the list offers, and pages deep in the list."""
    paths = [
        f"/api/v1/people?limit=50&sort={sort}" for sort in ("name", "-name", "created", "-created", "updated")
    ]
    paths += [f"/api/v1/people?limit=50&stage={s}" for s in ("suspect", "prospect", "customer")]
    cursor = None
    for _ in range(100):  # 5,000 rows deep
        page = get_json(port, f"/api/v1/people?limit=50{'&cursor=' + cursor if cursor else ''}", headers)
        cursor = page.get("next_cursor")
        if not cursor:
            break
        paths.append(f"/api/v1/people?limit=50&cursor={cursor}")
    return paths


def search_paths(seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    queries = []
    for _ in range(60):
        first, last = rng.choice(generate.PERSIAN_FIRST), rng.choice(generate.PERSIAN_LAST)
        queries += [
            first,
            f"{first} {last}",
            last.translate(generate.ARABIC_LOOK),
            f"0912{rng.randrange(1000, 9999)}",
            f"user{rng.randrange(1, 900_000)}@",
            first[:2],
        ]
    return [f"/api/v1/people?limit=20&q={urllib.parse.quote(q)}" for q in queries]


def global_search_paths() -> list[str]:
    """The same queries typed into the top bar's search (every kind of record at once)."""
    return [
        "/search/suggest/?" + path.split("?", 1)[1].replace("limit=20&", "")
        for path in search_paths()
        if len(urllib.parse.unquote(path.rsplit("q=", 1)[1])) >= 2
    ]


def raw_list_baseline(engine: Engine, rounds: int = 300) -> dict[str, float]:
    """The engine alone answering the first list page and a search, for comparison."""
    list_sql = (
        "SELECT id, display_name, primary_phone, primary_email FROM customers_party "
        "WHERE kind = 'person' AND deleted_at IS NULL ORDER BY sort_key, id LIMIT 51"
    )
    if engine.name == "sqlite":
        search_sql = (
            "SELECT id FROM customers_party WHERE id IN (SELECT rowid FROM customers_party_fts "
            "WHERE customers_party_fts MATCH '\"کریمی\"') AND deleted_at IS NULL ORDER BY sort_key, id LIMIT 21"
        )
    else:
        search_sql = (
            "SELECT id FROM customers_party WHERE id IN (SELECT party_id FROM customers_party_search "
            "WHERE doc LIKE '%کریمی%') AND deleted_at IS NULL ORDER BY sort_key, id LIMIT 21"
        )
    figures = {}
    with engine.connect() as connection:
        for name, sql in (("list", list_sql), ("search", search_sql)):
            samples = []
            for _ in range(rounds):
                started = time.perf_counter()
                connection.execute(sql).fetchall()
                samples.append((time.perf_counter() - started) * 1000)
            samples.sort()
            figures[f"{name}_p50_ms"] = round(statistics.median(samples), 2)
            figures[f"{name}_p99_ms"] = round(samples[int(len(samples) * 0.99) - 1], 2)
    return figures


def login(port: int, password: str) -> str:
    """A session cookie for the admin, through the real login form."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/login/")
    response = connection.getresponse()
    page = response.read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    body = urllib.parse.urlencode({"username": "admin", "password": password, "csrfmiddlewaretoken": csrf})
    connection.request(
        "POST",
        "/login/",
        body=body,
        headers={
            "Cookie": cookie,
            "Referer": f"http://127.0.0.1:{port}/login/",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    response = connection.getresponse()
    response.read()
    return "; ".join(c.split(";")[0] for c in response.msg.get_all("Set-Cookie") or [])


def page_360(port: int, cookie: str, party_id: int, rounds: int = 40) -> dict[str, float]:
    result = load.run(
        port,
        lambda _i: f"/customers/{party_id}/",
        headers={"Cookie": cookie},
        connections=1,
        seconds=max(5, rounds * 0.1),
    )
    return result.summary()


def raw_timeline_baseline(engine: Engine, party_id: int, rounds: int = 200) -> dict[str, float]:
    """The three timeline reads of the 360° page, by the engine alone."""
    queries = [
        f"SELECT * FROM interactions_interaction WHERE party_id = {party_id} AND deleted_at IS NULL "
        "ORDER BY occurred_at DESC, id DESC LIMIT 21",
        f"SELECT * FROM customers_note WHERE party_id = {party_id} AND deleted_at IS NULL "
        "ORDER BY created_at DESC, id DESC LIMIT 21",
        f"SELECT * FROM core_auditevent WHERE party_id = {party_id} ORDER BY at DESC, id DESC LIMIT 21",
    ]
    samples = []
    with engine.connect() as connection:
        for _ in range(rounds):
            started = time.perf_counter()
            for sql in queries:
                connection.execute(sql).fetchall()
            samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p99_ms": round(samples[int(len(samples) * 0.99) - 1], 2),
    }


# --- the run ------------------------------------------------------------------------------


def bench_engine(
    engine: Engine, path: Path, interactions: int, seconds: float, *, reuse: bool = False
) -> dict[str, Any]:
    say(f"\n== {engine.name}")
    saved = engine.folder / "loaded.json"
    if reuse and saved.exists():
        # The database of an earlier run, loaded with the same data: measure the served app
        # again without importing and loading it anew (the import figures are that run's).
        loaded = json.loads(saved.read_text())
        figures, heavy_id, password = (
            loaded["figures"],
            loaded["heavy_id"],
            engine.peyvand("password", "admin"),
        )
        password = re.search(r": (\S+)$", password.strip()).group(1)  # type: ignore[union-attr]
        say(f"  reusing the database loaded on {loaded['at']}")
        figures["reused_from"] = loaded["at"]
    else:
        engine.reset()
        setup = engine.peyvand("setup", "--no-demo")
        password = re.search(r"password: (\S+)", setup).group(1)  # type: ignore[union-attr]
        figures = {"version": engine.version()}
        say("  raw baselines…")
        figures["raw"] = raw_baselines(engine, path)
        say(f"  {figures['raw']}")
        say("  importing through Peyvand…")
        figures["import"] = our_import(engine, path)
        say(f"  {figures['import']}")
        say(f"  loading {interactions:,} interactions…")
        heavy_id, rate = load_interactions(engine, interactions, 10_000)
        figures["interactions_load_rows_per_second"] = round(rate)
        at = dt.datetime.now(dt.UTC).isoformat(timespec="minutes")
        saved.write_text(json.dumps({"figures": figures, "heavy_id": heavy_id, "at": at}))
    token = engine.peyvand("token", "admin").strip()
    headers = {"Authorization": f"Bearer {token}"}
    cores = os.cpu_count() or 1
    server = Server(engine, workers=cores)
    try:
        say("  list and search through the API…")
        lists, searches = list_paths(server.port, headers), search_paths()
        figures["list"] = load.run(
            server.port, lambda i: lists[i % len(lists)], headers=headers, seconds=seconds
        ).summary()
        figures["search"] = load.run(
            server.port, lambda i: searches[i % len(searches)], headers=headers, seconds=seconds
        ).summary()
        figures["list_saturated"] = load.run(
            server.port,
            lambda i: lists[i % len(lists)],
            headers=headers,
            connections=4 * cores,
            seconds=seconds,
        ).summary()
        # The floor under any endpoint: the cheapest authenticated one (who am I), through the
        # same server, middleware and token check, with no customers to read.
        figures["floor_saturated"] = load.run(
            server.port, lambda _i: "/api/v1/me", headers=headers, connections=4 * cores, seconds=seconds
        ).summary()
        figures["raw_queries"] = raw_list_baseline(engine)
        say("  the 360° page…")
        cookie = login(server.port, password)
        figures["page_360"] = page_360(server.port, cookie, heavy_id)
        say("  the top bar's search…")
        everywhere = global_search_paths()
        figures["global_search"] = load.run(
            server.port,
            lambda i: everywhere[i % len(everywhere)],
            headers={"Cookie": cookie},
            seconds=seconds,
        ).summary()
        figures["raw_timeline"] = raw_timeline_baseline(engine, heavy_id)
    finally:
        server.stop()
    figures["cores"] = cores
    say(json.dumps({k: v for k, v in figures.items() if k not in ("raw", "import")}, ensure_ascii=False))
    return figures


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    return f"{cpu}, {os.cpu_count()} cores, {int(memory) // 1024 // 1024} GiB, Python {platform.python_version()}"


def main() -> int:
    people = int(os.environ.get("BENCH_PEOPLE", "1000000"))
    interactions = int(os.environ.get("BENCH_INTERACTIONS", "10000000"))
    seconds = float(os.environ.get("BENCH_SECONDS", "15"))
    engines = os.environ.get("BENCH_ENGINES", "sqlite,postgresql").split(",")
    reuse = os.environ.get("BENCH_REUSE", "") == "1"
    say(f"Generating {people:,} people…")
    path = generate.write_people_csv(DATA / f"people-{people}.csv", people)
    results = {name: bench_engine(Engine(name), path, interactions, seconds, reuse=reuse) for name in engines}
    from bench.report import write_results

    write_results(
        ROOT / "bench" / "RESULTS.md",
        machine=machine(),
        people=people,
        interactions=interactions,
        path_csv=path,
        results=results,
    )
    say("\nWrote bench/RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
