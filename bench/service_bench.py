"""The ticket list: each queue's page as the desk computes it (the selector through the
permission policy, with the capped count the list shows), p50 and p99, beside a baseline
measured in the same process: the very SQL statements the selector ran, executed raw and
fetched (what the engine alone costs for the same answer).

    .venv/bin/python -m bench.service_bench                                 # 100,000 tickets, SQLite
    BENCH_ENGINE=postgresql .venv/bin/python -m bench.service_bench         # BENCH_POSTGRES's server
    BENCH_TICKETS=1000000 BENCH_REPLIES=10000000 BENCH_ENGINE=postgresql .venv/bin/python -m bench.service_bench
    BENCH_SAMPLES=500 ...                                                   # pages timed per queue
    BENCH_REUSE=1 BENCH_ENGINE=postgresql ...                               # the last run's data again

It builds its own database (SQLite in a temporary folder, or the PostgreSQL database
``peyvand_bench_service``, dropped and made again) and writes, with the engine's bulk path:
one customer per ten tickets; 60 support agents in 6 teams; tickets over two years, a fifth
of them still open (new, open or waiting), the rest resolved or closed, most assigned, with due
times from an SLA policy and some of them overdue; BENCH_REPLIES messages spread over them.

The issue's target: a list page's p99 at most 25 ms server-side at 1M tickets and 10M replies.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

TICKETS = int(os.environ.get("BENCH_TICKETS", "100000"))
REPLIES = int(os.environ.get("BENCH_REPLIES", str(TICKETS * 3)))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "200"))
REUSE = os.environ.get("BENCH_REUSE") == "1"  # PostgreSQL only: measure again without writing again
ENGINE = os.environ.get("BENCH_ENGINE", "sqlite")
PG_BASE = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "peyvand_bench_service"
CHUNK = 20_000
TEAMS, AGENTS_PER_TEAM = 6, 10
SUBJECTS = [
    "سفارش نرسیده",
    "فاکتور اشتباه",
    "مودم وصل نمی‌شود",
    "بازگشت وجه",
    "تغییر آدرس ارسال",
    "کالای آسیب‌دیده",
    "Order not delivered",
    "Refund request",
    "رمز عبور را فراموش کردم",
    "سوال درباره گارانتی",
]
OPEN = ("new", "open", "waiting_customer", "waiting_third_party")


def say(message: str) -> None:
    print(message, flush=True)


def prepare_database() -> str:
    """A fresh database for this run (PostgreSQL's kept with BENCH_REUSE=1, migrated to the
    code being measured); returns what it is, for the report."""
    if ENGINE == "postgresql":
        import psycopg

        if REUSE:
            os.environ["DATABASE_URL"] = f"{PG_BASE}/{PG_NAME}"
            os.environ.setdefault("PEYVAND_DATA_DIR", tempfile.mkdtemp(prefix="peyvand-bench-"))
            return "PostgreSQL"
        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {PG_NAME}")
        os.environ["DATABASE_URL"] = f"{PG_BASE}/{PG_NAME}"
        os.environ.setdefault("PEYVAND_DATA_DIR", tempfile.mkdtemp(prefix="peyvand-bench-"))
        return "PostgreSQL"
    os.environ["PEYVAND_DATA_DIR"] = tempfile.mkdtemp(prefix="peyvand-bench-")
    os.environ.pop("DATABASE_URL", None)
    return "SQLite"


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peyvand.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


# --- the data ---------------------------------------------------------------------------------


class Table:
    """Rows for one model's table, in its columns; a column a row leaves out takes the field's
    default (or NULL), so the writer follows the model as other apps add columns."""

    def __init__(self, model: Any) -> None:
        from django.db import connection

        self.model, self.connection = model, connection
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.defaults = {
            f.column: None if f.null else f.get_db_prep_save(f.get_default(), connection) for f in self.fields
        }

    def write(self, rows: list[dict[str, Any]]) -> None:
        marks = ", ".join(["%s"] * len(self.columns))
        sql = f"INSERT INTO {self.model._meta.db_table} ({', '.join(self.columns)}) VALUES ({marks})"
        values = [tuple(row.get(c, self.defaults[c]) for c in self.columns) for row in rows]
        with self.connection.cursor() as cursor:
            for start in range(0, len(values), CHUNK):
                cursor.executemany(sql, values[start : start + CHUNK])


def generate() -> dict[str, Any]:
    """The agents, customers, tickets and their messages; returns who is who."""
    from django.db import connection, transaction

    from peyvand.core.models import Role, Team, User
    from peyvand.core.text import search_key, search_text
    from peyvand.customers.models import Party
    from peyvand.service.models import Category, Message, SlaPolicy, Ticket

    rng = random.Random(1404)
    adapt = connection.ops.adapt_datetimefield_value
    admin = User.objects.create_user("admin", password="x", role=Role.ADMIN)
    teams = [Team.objects.create(name=f"تیم {n + 1}") for n in range(TEAMS)]
    agents = [
        User.objects.create_user(f"agent{t}_{n}", password="x", role=Role.SUPPORT, team=team)
        for t, team in enumerate(teams)
        for n in range(AGENTS_PER_TEAM)
    ]
    categories = list(Category.objects.values_list("pk", flat=True))
    policy = SlaPolicy.objects.order_by("order").last()
    now = dt.datetime.now(dt.UTC)
    span = 2 * 365 * 24 * 3600
    customers = max(1, TICKETS // 10)
    stamp = adapt(now)
    first_names, last_names = "علی مریم رضا زهرا سارا حسین".split(), "کریمی احمدی رضایی موسوی".split()
    parties = []
    for n in range(1, customers + 1):
        name = f"{first_names[n % 6]} {last_names[n % 4]} {n}"
        parties.append(
            {"id": n, "created_at": stamp, "updated_at": stamp, "kind": "person", "first_name": name.rsplit(" ", 2)[0],
             "last_name": name.split(" ", 1)[1], "display_name": name, "sort_key": search_key(name),
             "search_text": search_key(name), "source": "website", "stage": "customer"}
        )  # fmt: skip
    with transaction.atomic():
        Table(Party).write(parties)
    ticket_table, message_table = Table(Ticket), Table(Message)
    tickets, messages = [], []
    per_ticket = REPLIES / TICKETS
    message_id = 0
    for n in range(1, TICKETS + 1):
        created = now - dt.timedelta(seconds=span * (1 - n / TICKETS) + rng.random() * 60)
        is_open = rng.random() < 0.2
        status = rng.choice(OPEN) if is_open else rng.choice(("resolved", "closed"))
        team = rng.choice(teams)
        assigned = rng.random() < (0.75 if is_open else 0.98)
        assignee = (
            rng.choice(agents[teams.index(team) * AGENTS_PER_TEAM :][:AGENTS_PER_TEAM]) if assigned else None
        )
        if assignee is None and not is_open:
            status = "closed"
        subject = rng.choice(SUBJECTS)
        party = rng.randint(1, customers)
        number = f"T-{n:07d}"
        due = created + dt.timedelta(hours=rng.choice((4, 8, 40)))
        row = {
            "id": n, "created_at": adapt(created), "updated_at": adapt(created), "number": number,
            "party_id": party, "subject": subject, "channel": rng.choice(("email", "phone", "web", "sms")),
            "kind": rng.choice(("question", "request", "incident", "complaint")),
            "category_id": rng.choice(categories), "priority": rng.choice((1, 2, 2, 2, 3, 4)),
            "status": status, "language": "en" if subject.isascii() else "fa", "team_id": team.pk,
            "assignee_id": assignee.pk if assignee else None, "sla_policy_id": policy.pk,
            "first_response_due": adapt(created + dt.timedelta(hours=4)), "last_message_at": adapt(created),
            "search_text": search_text(number, subject, parties[party - 1]["display_name"]),
        }  # fmt: skip
        if is_open:
            row["resolution_due"] = adapt(due) if status != "waiting_customer" else None
            row["sla_running_since"] = adapt(created) if status != "waiting_customer" else None
        else:
            row["first_responded_at"] = adapt(created + dt.timedelta(hours=1))
            row["resolved_at"] = adapt(created + dt.timedelta(hours=6))
            row["closed_at"] = adapt(created + dt.timedelta(days=3)) if status == "closed" else None
        tickets.append(row)
        count = int(per_ticket) + (rng.random() < per_ticket - int(per_ticket))
        for k in range(count):
            message_id += 1
            messages.append(
                {"id": message_id, "created_at": adapt(created + dt.timedelta(minutes=30 * k)),
                 "updated_at": stamp, "ticket_id": n, "kind": "customer" if k % 2 == 0 else "reply",
                 "body": "لطفاً پیگیری کنید." if k % 2 == 0 else "سلام، پیگیری شد و نتیجه را خبر می‌دهیم.",
                 "author_id": None if k % 2 == 0 else row["assignee_id"]}
            )  # fmt: skip
        if len(tickets) >= 50_000 or n == TICKETS:  # in slices: a million rows at once would not fit
            with transaction.atomic():
                ticket_table.write(tickets)
                message_table.write(messages)
            tickets, messages = [], []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("customers_party", "service_ticket", "service_message"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
            # A database in use has been vacuumed by then: the visibility map lets the
            # queues' counts read their indexes alone.
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
    say(f"- generated {customers:,} customers, {TICKETS:,} tickets, {message_id:,} messages")
    return {"admin": admin, "agents": agents}


# --- the timing --------------------------------------------------------------------------------


def percentiles(values: list[float]) -> tuple[float, float]:
    centiles = statistics.quantiles(values, n=100, method="inclusive")
    return centiles[49], centiles[98]


def measure(call: Callable[[], Any]) -> tuple[tuple[float, float], tuple[float, float], int]:
    """The selector's p50/p99 (ms) and the same statements' raw p50/p99, over SAMPLES calls."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    statements = [q["sql"] for q in captured.captured_queries]
    ours, raw = [], []
    clock = time.perf_counter
    for _ in range(SAMPLES):
        began = clock()
        call()
        ours.append((clock() - began) * 1000)
        began = clock()
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
        raw.append((clock() - began) * 1000)
    return percentiles(ours), percentiles(raw), len(statements)


def main() -> None:
    engine = prepare_database()
    began = time.perf_counter()
    setup()
    from django.db import connection

    from peyvand.core.models import Role, User
    from peyvand.service.models import Ticket
    from peyvand.service.selectors import tickets as selectors

    say("# The ticket list at scale")
    say("")
    say(
        f"Run on {dt.date.today().isoformat()} - {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {engine} "
        f"({connection.vendor}), {TICKETS:,} tickets, {REPLIES:,} messages, {SAMPLES} pages per row."
    )
    say("")
    if REUSE and Ticket.objects.exists():
        people = {
            "admin": User.objects.get(username="admin"),
            "agents": list(User.objects.filter(role=Role.SUPPORT).order_by("id")),
        }
        say(f"- reused the data of an earlier run ({Ticket.objects.count():,} tickets), migrated in "
            f"{time.perf_counter() - began:.0f} s")  # fmt: skip
    else:
        people = generate()
        say(f"- data written in {time.perf_counter() - began:.0f} s")
    say("")
    rng = random.Random(7)
    agents = people["agents"]

    def as_user(user: User) -> User:
        # A request loads its user afresh: the policy's cached team and overrides go with it.
        for cached in ("_policy_team", "_policy_overrides"):
            user.__dict__.pop(cached, None)
        return user

    def page(user: User, sort: str = "-created", **filters: Any) -> Callable[[], Any]:
        return lambda: selectors.ticket_list(user=as_user(user), filters=filters, sort=sort)

    admin = people["admin"]
    agent = rng.choice(agents)
    first = selectors.ticket_list(user=admin, filters={"view": "open"}, sort="-created")
    cases = [
        ("an agent's own open tickets (mine)", page(agent, view="mine")),
        ("an agent's team queue: open tickets (team scope)", page(agent, view="open")),
        ("unassigned (team scope)", page(agent, view="unassigned")),
        ("overdue (team scope)", page(agent, view="overdue")),
        ("all open tickets (administrator)", page(admin, view="open")),
        ("all open, by due time (administrator)", page(admin, "due", view="open")),
        ("all open, by priority (administrator)", page(admin, "-priority", view="open")),
        ("the next page of all open (cursor)", lambda: selectors.ticket_list(
            user=as_user(admin), filters={"view": "open"}, sort="-created", cursor=first.next_cursor)),
        ("every ticket, newest first (administrator)", page(admin, view="all")),
        ("search «مودم» in every ticket (administrator)", page(admin, view="all", q="مودم")),
        ("one team's open tickets, high priority (administrator)",
         page(admin, view="open", team=agents[0].team_id, priority=3)),
    ]  # fmt: skip
    say(
        "| queue (first page of 50 and its capped count) | Peyvand p50 ms | Peyvand p99 ms | raw SQL p50 ms | raw SQL p99 ms | statements |"
    )
    say("|---|---:|---:|---:|---:|---:|")
    for label, call in cases:
        (p50, p99), (r50, r99), statements = measure(call)
        say(f"| {label} | {p50:.2f} | {p99:.2f} | {r50:.2f} | {r99:.2f} | {statements} |")
    say("")
    say(
        "Peyvand: `selectors.tickets.ticket_list` as the list page and `GET /api/v1/tickets` call it "
        "(the policy's lookups, the page query, the capped count). Raw SQL: the same statements, "
        "captured from one call, executed and fetched with the driver's cursor."
    )


if __name__ == "__main__":
    main()
