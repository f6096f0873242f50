"""Marketing: evaluating a segment and queueing a campaign, each beside a baseline measured in
the same process (the raw engine doing the same work).

    .venv/bin/python -m bench.marketing_bench                           # 100,000 customers, SQLite
    BENCH_MARKETING_CUSTOMERS=1000000 .venv/bin/python -m bench.marketing_bench
    BENCH_ENGINE=postgresql .venv/bin/python -m bench.marketing_bench   # BENCH_POSTGRES's server

It builds its own database (SQLite in a temporary folder, or the PostgreSQL database
``peyvand_bench_marketing``, dropped and made again), writes the customers with the engine's
bulk path (a third in Tehran, most with a mobile and SMS consent, a third with orders over
two years), then measures:

1. The segment «customers in Tehran who bought twice last year but nothing for 90 days and
   agreed to SMS», as Peyvand evaluates it (the rule's one queryset through the policy), as a
   full count and as the capped count the builder shows; the baseline is the same count in
   hand-written SQL.
2. Queueing an SMS campaign to everyone who agreed to SMS: the send's whole run (the
   audience frozen with one INSERT … SELECT, each customer decided and rendered, the outbox
   rows written) in recipients a second; delivery is left out (it is the gateway's pace).
   The baseline inserts the same number of finished outbox rows with executemany.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import shutil
import tempfile
import time
from decimal import Decimal
from typing import Any

CUSTOMERS = int(os.environ.get("BENCH_MARKETING_CUSTOMERS", "100000"))
ENGINE = os.environ.get("BENCH_ENGINE", "sqlite")
PG_BASE = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "peyvand_bench_marketing"
CHUNK = 20_000
CITIES = ["تهران"] * 5 + "اصفهان شیراز تبریز مشهد کرج رشت یزد کرمان اهواز".split()
FIRST = "علی محمد رضا حسین مهدی امیر مریم زهرا فاطمه سارا نگار لیلا نرگس مینا".split()
LAST = "کریمی احمدی رضایی محمدی حسینی موسوی جعفری صادقی رحیمی کاظمی".split()


def say(message: str) -> None:
    print(message, flush=True)


def prepare_database() -> str:
    """A fresh database for this run; returns what it is, for the report."""
    if ENGINE == "postgresql":
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {PG_NAME}")
        os.environ["DATABASE_URL"] = f"{PG_BASE}/{PG_NAME}"
        os.environ.setdefault("PEYVAND_DATA_DIR", tempfile.mkdtemp(prefix="peyvand-bench-"))
        return "PostgreSQL"
    folder = tempfile.mkdtemp(prefix="peyvand-bench-")
    os.environ["PEYVAND_DATA_DIR"] = folder
    os.environ.pop("DATABASE_URL", None)
    return "SQLite"


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peyvand.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def timed(action: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def insert(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection

    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                rows[start : start + CHUNK],
            )


def generate(admin_id: int) -> None:
    """The customers, their addresses and orders, with the engine's bulk path."""
    from django.db import connection, transaction

    from peyvand.core.text import search_key

    rng = random.Random(1404)
    now = dt.datetime.now(dt.UTC)
    stamp = connection.ops.adapt_datetimefield_value(now)
    today = dt.date.today()
    parties, points, orders = [], [], []
    order_number = 0
    for n in range(1, CUSTOMERS + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last}"
        sms = rng.random() < 0.7
        phone = f"+98912{n:07d}"
        parties.append(
            (n, stamp, stamp, admin_id, admin_id, "person", first, last, "", name, search_key(name),
             search_key(name), "", "", "", "", admin_id, "website", "customer", False, None, "", sms,
             stamp if sms else None, "web form" if sms else "", "", phone)
        )  # fmt: skip
        points.append((stamp, stamp, n, "phone", "mobile", phone, True, "", "", "", "", ""))
        city = rng.choice(CITIES)
        points.append((stamp, stamp, n, "address", "home", city, False, "IR", city, city, "", ""))
        if rng.random() < 0.35:
            for _order in range(rng.randint(1, 4)):
                order_number += 1
                day = today - dt.timedelta(days=rng.randint(0, 730))
                total = Decimal(rng.randint(1, 50) * 100_000)
                orders.append(
                    (stamp, stamp, f"B-{order_number:08d}", n, admin_id, "open",
                     connection.ops.adapt_datefield_value(day), "IRR", str(total), "0", "0", str(total), "0", False)
                )  # fmt: skip
    with transaction.atomic():
        insert(
            "customers_party",
            "id created_at updated_at created_by_id updated_by_id kind first_name last_name name display_name "
            "sort_key search_text national_id economic_code website industry owner_id source stage email_consent "
            "email_consent_at email_consent_source sms_consent sms_consent_at sms_consent_source "
            "primary_email primary_phone".split(),
            parties,
        )
        insert(
            "customers_contactpoint",
            "created_at updated_at party_id kind label value is_primary country province city street "
            "postal_code".split(),
            points,
        )
        insert(
            "sales_order",
            "created_at updated_at number party_id owner_id status ordered_on currency subtotal "
            "discount_total tax_total total invoiced_total imported".split(),
            orders,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('customers_party', 'id'), %s)", [CUSTOMERS])
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    say(f"- generated {CUSTOMERS:,} customers, {len(points):,} contact points, {len(orders):,} orders")


SEGMENT_SQL = """
SELECT COUNT(*) FROM customers_party p
WHERE p.deleted_at IS NULL AND p.sms_consent
  AND EXISTS (SELECT 1 FROM customers_contactpoint c
              WHERE c.party_id = p.id AND c.deleted_at IS NULL AND c.kind = 'address' AND c.city = %s)
  AND (SELECT COUNT(*) FROM sales_order o
       WHERE o.party_id = p.id AND o.deleted_at IS NULL AND o.status <> 'cancelled'
         AND o.ordered_on >= %s AND o.ordered_on <= %s) >= 2
  AND NOT EXISTS (SELECT 1 FROM sales_order o
                  WHERE o.party_id = p.id AND o.deleted_at IS NULL AND o.status <> 'cancelled'
                    AND o.ordered_on > %s)
"""


def best_of(runs: int, action: Any) -> tuple[float, Any]:
    results = [timed(action) for _ in range(runs)]
    return min(r[0] for r in results), results[0][1]


def segment_figures(admin: Any) -> None:
    from django.db import connection
    from django.utils import timezone

    from peyvand.core.pagination import capped_count
    from peyvand.marketing.selectors import segments

    today = timezone.localdate()
    year_start, year_end = today - dt.timedelta(days=365), today
    data = {
        "match": "all",
        "groups": [
            {
                "match": "all",
                "conditions": [
                    {"field": "city", "op": "in", "value": ["تهران"]},
                    {"field": "sms_consent", "op": "yes"},
                    {
                        "field": "order_count",
                        "op": "gte",
                        "value": 2,
                        "period": {"from": year_start.isoformat(), "to": year_end.isoformat()},
                    },
                    {"field": "order_count", "op": "eq", "value": 0, "period": {"days": 90}},
                ],
            }
        ],
    }
    rule = segments.rule_parse(data)
    parties = segments.rule_parties(user=admin, rule=rule)
    peyvand_full, count = best_of(3, parties.count)
    peyvand_capped, capped = best_of(3, lambda: capped_count(segments.rule_parties(user=admin, rule=rule)))

    def raw() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                SEGMENT_SQL,
                [
                    "تهران",
                    connection.ops.adapt_datefield_value(year_start),
                    connection.ops.adapt_datefield_value(year_end),
                    connection.ops.adapt_datefield_value(today - dt.timedelta(days=90)),
                ],
            )
            return int(cursor.fetchone()[0])

    baseline, raw_count = best_of(3, raw)
    assert raw_count == count, (raw_count, count)
    say("")
    say("## A segment: in Tehran, bought twice last year, nothing for 90 days, agreed to SMS")
    say("")
    say("| | seconds | customers |")
    say("|---|---:|---:|")
    say(f"| Peyvand, full count | {peyvand_full:.3f} | {count:,} |")
    say(
        f"| Peyvand, capped count (the builder's) | {peyvand_capped:.3f} | {capped[0]:,}{'+' if capped[1] else ''} |"
    )
    say(f"| baseline: the same count in hand-written SQL | {baseline:.3f} | {raw_count:,} |")


def campaign_figures(admin: Any) -> None:
    from django.db import connection, transaction

    from peyvand.core import jobs
    from peyvand.interactions.models import OutboundMessage
    from peyvand.marketing.models import Recipient
    from peyvand.marketing.services import campaigns, segments, sending

    # Queueing only: the run and the deliveries are not started by the commit here.
    jobs.register(campaigns.CAMPAIGN_RUN, lambda *args: None)
    jobs.register(sending.CAMPAIGN_DELIVER, lambda *args: None)
    segment = segments.segment_create(
        actor=admin,
        data=segments.SegmentInput(
            name="SMS",
            rule={"match": "all", "groups": [{"conditions": [{"field": "sms_consent", "op": "yes"}]}]},
        ),
    )
    campaign = campaigns.campaign_create(
        actor=admin,
        data=campaigns.CampaignInput(
            name="bench",
            channel="sms",
            segments=(segment,),
            body_fa="سلام {first_name}، حراج بهاره شروع شد: https://shop.example/spring",
            body_en="Hi {first_name}, our spring sale: https://shop.example/spring",
        ),
    )
    campaigns.campaign_send(campaign=campaign, actor=admin)
    seconds, campaign = timed(lambda: sending.campaign_run(campaign_id=campaign.pk))
    assert campaign.status == "sent", campaign.status
    queued = Recipient.objects.filter(campaign=campaign, state="queued").count()
    assert OutboundMessage.objects.count() == queued
    targeted = campaign.total
    sample = list(
        OutboundMessage.objects.values_list(
            "created_at", "updated_at", "channel", "purpose", "status", "to_address", "body_text", "language",
            "segments", "cost", "currency", "next_attempt_at",
        )[:1000]
    )  # fmt: skip
    rows = []
    for n in range(queued):
        row = list(sample[n % len(sample)])
        rows.append(
            (
                *(connection.ops.adapt_datetimefield_value(v) for v in row[:2]),
                *row[2:9],
                connection.ops.adapt_decimalfield_value(row[9], 14, 2),
                row[10],
                connection.ops.adapt_datetimefield_value(row[11]),
                f"bench-{n}",
                "",
                "",
                "",
                "",
                0,
                "",
                "",
            )
        )
    columns = (
        "created_at updated_at channel purpose status to_address body_text language segments cost currency "
        "next_attempt_at idempotency_key reply_to subject body_html last_error attempts provider_id source_field"
    ).split()
    say("")
    say("## Queueing an SMS campaign to everyone who agreed to SMS")
    say("")
    say("| | seconds | rows | per second |")
    say("|---|---:|---:|---:|")
    say(
        f"| Peyvand: customers decided (queued or skipped) | {seconds:.2f} | {targeted:,} | {targeted / seconds:,.0f} |"
    )
    say(
        f"| Peyvand: recipients queued into the outbox | {seconds:.2f} | {queued:,} | {queued / seconds:,.0f} |"
    )
    # Empty the outbox for the baseline. The ORM's delete would walk every row's relations,
    # and the engine checks each deleted row against every table that may refer to it
    # (recipients' message_id has no index: hours at a million rows).
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # the recipients etc. go too: measured already
            cursor.execute(f"TRUNCATE {OutboundMessage._meta.db_table} CASCADE")
        else:
            cursor.execute(f"UPDATE {Recipient._meta.db_table} SET message_id = NULL")
            with connection.constraint_checks_disabled():
                cursor.execute(f"DELETE FROM {OutboundMessage._meta.db_table}")

    def baseline() -> None:
        from peyvand.core import bulk

        with transaction.atomic():  # the engine's fastest path: COPY on PostgreSQL
            bulk.write("interactions_outboundmessage", columns, rows)

    raw_seconds, _nothing = timed(baseline)
    say(
        f"| baseline: the same outbox rows, bulk insert (COPY on PostgreSQL, executemany on SQLite) "
        f"| {raw_seconds:.2f} | {queued:,} | {queued / raw_seconds:,.0f} |"
    )


def main() -> None:
    engine = prepare_database()
    began = time.perf_counter()
    setup()
    from django.db import connection

    from peyvand.core.models import Role, User

    say("# Marketing: segments and campaign queueing")
    say("")
    say(
        f"Run on {dt.date.today().isoformat()} - {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {engine} "
        f"({connection.vendor}), {CUSTOMERS:,} customers."
    )
    admin = User.objects.create(username="bench-admin", role=Role.ADMIN, is_active=True)
    generate(admin.pk)
    say(f"- set-up (migrations and data) took {time.perf_counter() - began:.0f} s")
    segment_figures(admin)
    campaign_figures(admin)
    if engine == "SQLite":
        shutil.rmtree(os.environ["PEYVAND_DATA_DIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
