"""The demo company's field service: it leases packing machines to its distributors, with
maintenance contracts, and two support colleagues visit them. Some visits are done (one signed
and billed), some booked around the anchor day, two wait on the dispatch board's pile.

Written through the services, as the technicians and a manager would; safe to run again
(nothing is made twice)."""

from __future__ import annotations

import base64
import datetime as dt
import math
import struct
import zlib

from django.core.exceptions import ValidationError
from django.utils import timezone

from peyvand.core import policy
from peyvand.core.models import User
from peyvand.customers.models import Kind, Party
from peyvand.sales.models import Product
from peyvand.sales.services import catalogue
from peyvand.service.models import ServiceContract, Skill, WorkOrder
from peyvand.service.services import contracts, field

MANAGER = "bahram.salehi"
TECHNICIANS = ("fatemeh.nouri", "hamid.rostami")
SKILL = "دستگاه بسته‌بندی"
# (sku, Persian name, English name, unit, price in Rial)
ITEMS = (
    ("ZD-S01", "ساعت کار تکنسین", "Technician hour", "hour", 12_000_000),
    ("ZD-S02", "تسمهٔ دستگاه بسته‌بندی", "Packing machine belt", "piece", 8_500_000),
)
# (job, days from the anchor, hour, technician, how far it went)
VISITS = (
    ("سرویس دوره‌ای دستگاه بسته‌بندی", -20, 9, 0, "billed"),
    ("تعویض تسمهٔ دستگاه", -9, 10, 1, "signed"),
    ("بررسی صدای غیرعادی دستگاه", -3, 13, 0, "done"),
    ("سرویس دوره‌ای دستگاه بسته‌بندی", 0, 10, 1, "scheduled"),
    ("نصب دستگاه دوم", 1, 9, 0, "scheduled"),
    ("آموزش کار با دستگاه", 2, 14, 1, "scheduled"),
    ("بازدید پیش از تمدید قرارداد", None, 0, 0, "pile"),
    ("بررسی خطای دمای دوخت", None, 0, 0, "pile"),
)


def _signature() -> str:
    """A scribble for the demo's signed visits: a PNG drawn here, as a data URL."""
    width, height = 240, 80
    rows = [bytearray(b"\xff" * width) for _row in range(height)]
    for x in range(20, 220):
        y = int(40 + 18 * math.sin(x / 14) * math.cos(x / 41))
        for dy in (-1, 0, 1):
            rows[y + dy][x] = 0
    raw = b"".join(b"\x00" + bytes(row) for row in rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(png).decode()


def write_field(users: dict[str, User], *, anchor: dt.date) -> str:
    if WorkOrder.all_objects.exists():
        return "field service: already there"
    manager = users[MANAGER]
    technicians = [users[name] for name in TECHNICIANS]
    skill, _created = Skill.objects.get_or_create(name=SKILL)
    skill.agents.add(*technicians)
    price_list = catalogue.default_price_list()
    for sku, name_fa, name_en, unit, price in ITEMS:
        if not Product.objects.filter(sku=sku).exists():
            catalogue.product_create(
                actor=None,
                data={"sku": sku, "name_fa": name_fa, "name_en": name_en, "unit": unit, "tax_rate": 10},
                prices={price_list: price},
            )
    belt = Product.objects.get(sku="ZD-S02")
    customers = list(policy.visible(manager, Party.objects.filter(kind=Kind.ORGANISATION)).order_by("id")[:3])
    if not customers:
        return "field service: no customer to serve"
    for party in customers:
        if not ServiceContract.objects.filter(party=party).exists():
            contracts.contract_save(
                actor=manager,
                data=contracts.ContractInput(
                    party=party,
                    name="قرارداد نگهداری دستگاه بسته‌بندی",
                    starts_on=anchor - dt.timedelta(days=120),
                    ends_on=anchor + dt.timedelta(days=245),
                    hours_included="20",
                ),
            )
    zone = timezone.get_current_timezone()
    made = 0
    for n, (job, days, hour, who, stage) in enumerate(VISITS):
        technician = technicians[who]
        party = customers[n % len(customers)]
        # The manager leaves the pile's visits to the dispatcher; a technician books their own.
        work = field.work_order_create(
            actor=manager if days is None else technician,
            data=field.WorkOrderInput(party=party, title=job, skills=[skill]),
        )
        made += 1
        if days is None:
            continue
        day = anchor + dt.timedelta(days=days)
        for start_hour in (hour, hour + 3, 8, 17):  # the first free window of the day
            start = dt.datetime.combine(day, dt.time(start_hour), tzinfo=zone)
            try:
                field.work_order_schedule(
                    actor=technician,
                    work_order=work,
                    technician=technician,
                    start=start,
                    end=start + dt.timedelta(hours=2),
                )
                break
            except ValidationError:
                continue
        if stage == "scheduled":
            continue
        work.refresh_from_db()
        arrived = work.scheduled_start or dt.datetime.combine(day, dt.time(hour), tzinfo=zone)
        field.work_order_check_in(actor=technician, work_order=work, at=arrived)
        field.work_part_add(actor=technician, work_order=work, product=belt, quantity=1)
        field.work_order_check_out(
            actor=technician,
            work_order=work,
            result="fixed",
            notes="دستگاه آزمایش شد و درست کار می‌کند.",
            at=arrived + dt.timedelta(minutes=95),
        )
        if stage in ("signed", "billed"):
            field.work_order_sign(
                actor=technician, work_order=work, signature=_signature(), signed_by="مسئول انبار"
            )
        if stage == "billed":
            field.work_order_bill(actor=manager, work_order=work)
    return f"field service: {len(customers)} contracts, {made} work orders"
