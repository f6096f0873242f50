"""Deterministic benchmark data: people as an Excel-style CSV, and interactions as rows.

The same seed gives the same file, byte for byte, on any machine. Names are Persian (some
typed with Arabic ي/ك, as old systems do) and English; phones are Iranian mobiles written
every way people write them, with some foreign numbers; most people have an email.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

PERSIAN_FIRST = (
    "علی محمد رضا حسین مهدی امیر حسن سعید مجید نیما کاوه آرش بهرام پویا سینا فرهاد کامران داریوش "
    "مریم زهرا فاطمه سارا نگار لیلا نرگس مینا پریسا شیرین الهام فرشته سمیرا مهسا ندا هانیه آزاده "
    "محمدرضا علیرضا امیرحسین مهرداد بابک شهرام کیوان یاسمن گلناز ژاله ترانه"
).split()
PERSIAN_LAST = (
    "کریمی احمدی رضایی محمدی حسینی موسوی جعفری صادقی رحیمی کاظمی نوری قاسمی عباسی یزدانی تهرانی "
    "اصفهانی شیرازی تبریزی کرمانی مرادی رستمی فتحی زارعی کاشانی نجفی اکبری ملکی شریفی باقری "
    "ابراهیمی سلیمانی یوسفی حیدری نیک‌نام پورمحمدی علی‌پور کیانی فرهادی"
).split()
ENGLISH_FIRST = (
    "John Sarah David Emma James Olivia Michael Sophia Daniel Laura Thomas Anna Peter Julia".split()
)
ENGLISH_LAST = "Smith Brown Wilson Taylor Clarke Müller Schmidt Johnson Miller Davies Evans Walker".split()
ARABIC_LOOK = str.maketrans("یک", "يك")
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
HEADER = ["نام", "نام خانوادگی", "موبایل", "ایمیل", "شهر"]
CITIES = "تهران اصفهان شیراز تبریز مشهد کرج رشت یزد کرمان اهواز".split()
# Mobile prefixes in use (each checked against Iran's numbering plan in phonenumbers).
MOBILE_PREFIXES = (
    "910 911 912 913 914 915 916 917 918 919 901 902 903 904 905 930 933 935 936 937 938 939 "
    "990 991 992 993 994 920 921 922"
).split()


def person(rng: random.Random, n: int) -> list[str]:
    english = rng.random() < 0.12
    first = rng.choice(ENGLISH_FIRST if english else PERSIAN_FIRST)
    last = rng.choice(ENGLISH_LAST if english else PERSIAN_LAST)
    if not english and rng.random() < 0.15:
        first, last = first.translate(ARABIC_LOOK), last.translate(ARABIC_LOOK)
    mobile = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"
    style = rng.random()
    if style < 0.5:
        phone = "0" + mobile
    elif style < 0.7:
        phone = f"+98 {mobile[:3]} {mobile[3:6]} {mobile[6:]}"
    elif style < 0.85:
        phone = ("0" + mobile).translate(PERSIAN_DIGITS)
    elif style < 0.95:
        phone = "0098" + mobile
    else:
        phone = f"+44 7{rng.randrange(10**9):09d}"
    email = f"user{n}@example.com" if rng.random() < 0.8 else ""
    return [first, last, phone, email, rng.choice(CITIES)]


def people_rows(count: int, seed: int = 1403) -> Iterator[list[str]]:
    rng = random.Random(seed)
    for n in range(1, count + 1):
        yield person(rng, n)


def write_people_csv(path: Path, count: int, seed: int = 1403) -> Path:
    """Write (or reuse) the CSV; UTF-8 with a BOM, as Excel saves it."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(people_rows(count, seed))
    partial.rename(path)
    return path


CHANNELS = (
    "phone",
    "email",
    "sms",
    "website",
    "chat",
    "in_person",
    "store",
    "mail",
    "fax",
    "distributor",
    "partner",
)
SUBJECTS = ("پیگیری سفارش", "درخواست پیش‌فاکتور", "شکایت از ارسال", "Order follow-up", "بازدید از فروشگاه")


def interaction_rows(
    party_ids: list[int], count: int, *, seed: int = 7, until: dt.datetime, user_id: int
) -> Iterator[tuple]:
    """(party_id, channel, direction, occurred_at, subject, user) over the two years before ``until``."""
    rng = random.Random(seed)
    span = 2 * 365 * 24 * 3600
    for _ in range(count):
        moment = until - dt.timedelta(seconds=rng.randrange(span))
        yield (
            rng.choice(party_ids),
            rng.choice(CHANNELS),
            rng.choice(("inbound", "outbound")),
            moment,
            rng.choice(SUBJECTS),
            user_id,
        )
