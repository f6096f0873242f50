"""A worker killed in the middle of an import of past orders, then resumed: every order once,
with every one of its lines once.

Black box, as the people import's crash test: real `peyvand` processes on a database of their
own, the customers and products brought in with `peyvand import people` and `peyvand import
products`, the orders with `peyvand import orders`, killed with SIGKILL from outside.
"""

import csv
import signal
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest

from tests.scratch import PEYVAND, ScratchDatabase, installation_env

ORDERS = 2_400
CUSTOMERS = 40
PRODUCTS = {"P-1": "10", "P-2": "25.5", "P-3": "100"}


@pytest.fixture
def database(tmp_path):
    db = ScratchDatabase(tmp_path, migrated=True)
    yield db
    db.drop()


def _write_files(folder: Path) -> dict[str, tuple[int, Decimal]]:
    """The customers, the products and the orders (one to three lines each; every tenth order
    has a line at the very end of the file, away from its others). Returns each order's number
    with its count of lines and its total."""
    with (folder / "people.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["نام", "نام خانوادگی", "ایمیل"])
        for n in range(CUSTOMERS):
            writer.writerow([f"مشتری{n}", "آزمایشی", f"c{n}@example.com"])
    with (folder / "products.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["کد کالا", "نام کالا", "نرخ مالیات"])
        for sku in PRODUCTS:
            writer.writerow([sku, f"کالای {sku}", "0"])
    expected: dict[str, tuple[int, Decimal]] = {}
    rows, stragglers = [], []
    for n in range(ORDERS):
        reference = f"H{n:05d}"
        customer = f"c{n % CUSTOMERS}@example.com"
        skus = list(PRODUCTS)[: 1 + n % 3]
        total = Decimal(0)
        for position, sku in enumerate(skus):
            quantity = 1 + position
            row = [reference, customer, "1402/01/15", sku, quantity, PRODUCTS[sku]]
            (stragglers if n % 10 == 0 and position == len(skus) - 1 and position else rows).append(row)
            total += quantity * Decimal(PRODUCTS[sku])
        expected[f"IMP-{reference}"] = (len(skus), total)
    with (folder / "orders.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["شماره سفارش", "مشتری", "تاریخ", "کد کالا", "تعداد", "قیمت واحد"])
        writer.writerows(rows + stragglers)
    return expected


def test_a_killed_orders_import_resumes_to_each_order_exactly_once(tmp_path, database):
    env = installation_env(tmp_path, database, PEYVAND_IMPORT_CHUNK_ROWS="100")

    def command(*args: str) -> None:
        done = subprocess.run([*PEYVAND, *args], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr

    command("setup", "--no-demo")
    expected = _write_files(tmp_path)
    command("import", "people", str(tmp_path / "people.csv"))
    command("import", "products", str(tmp_path / "products.csv"))
    lines = sum(count for count, _total in expected.values())

    worker = subprocess.Popen(
        [*PEYVAND, "import", "orders", str(tmp_path / "orders.csv"), "--as", "admin"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    job_sql = "SELECT id, status, next_row FROM customers_importjob WHERE kind = 'orders'"
    deadline = time.monotonic() + 120
    while True:  # wait until a good part of the orders is in, then kill the worker outright
        found = database.query(job_sql)
        if found and found[0][1] == "running" and found[0][2] > lines // 4:
            break
        assert worker.poll() is None, "the import ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    ((job_id, status, next_row),) = database.query(job_sql)
    assert status == "running" and next_row <= lines, "the kill must land in the middle"
    ((written,),) = database.query("SELECT COUNT(*) FROM sales_order")
    assert 0 < written < len(expected)

    # The dead worker's lease runs out; pretend that time has passed.
    stale = "datetime('now', '-10 minutes')" if not database.name else "now() - interval '10 minutes'"
    database.query(f"UPDATE customers_importjob SET heartbeat_at = {stale} WHERE id = {job_id}")
    command("import", "resume", str(job_id))

    orders = database.query(
        "SELECT o.number, o.total, COUNT(l.id), COUNT(DISTINCT l.position) FROM sales_order o "
        "JOIN sales_orderline l ON l.order_id = o.id GROUP BY o.number, o.total"
    )
    assert len(orders) == len(expected), "every order, once"
    for number, total, count, positions in orders:
        assert (count, Decimal(str(total))) == expected[number], number  # every line, once
        assert positions == count
    ((created, rejected, checked, status),) = database.query(
        "SELECT created_count, error_count, checked_rows, status "
        f"FROM customers_importjob WHERE id = {job_id}"
    )
    assert (created, rejected, checked, status) == (len(expected), 0, lines, "done")
