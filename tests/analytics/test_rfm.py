"""RFM on a small exact fixture: the expressions' quintile scores, the cells of the grid,
customers who bought only before the window (lost) and those who never bought (no cell)."""

from __future__ import annotations

import duckdb
import ibis
import pyarrow as pa
import pytest

from peyvand.analytics import expressions as ex
from peyvand.analytics import rfm
from peyvand.customers.models import RfmCell

END = 1000  # the window is the 100 days (900, 1000]


@pytest.fixture
def engine():
    con = duckdb.connect()
    yield ibis.duckdb.from_connection(con)
    con.close()


def table(engine, name, columns):
    con = engine.con
    con.register("loading", pa.table(columns))
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM loading")
    con.unregister("loading")
    return engine.table(name)


def days_table(engine, rows):
    """Purchase days: (party, day, amount)."""
    columns = {
        "party_id": [r[0] for r in rows],
        "day": [r[1] for r in rows],
        "amount": [float(r[2]) for r in rows],
    }
    return table(engine, "purchase_days", columns)


# Ten customers who bought in the window, one before it only (11), one never (12).
#   party  purchase days (day: amount)              recency  frequency  monetary
PURCHASES = [
    (1, 999, 500),
    (1, 990, 500),
    (1, 980, 500),
    (1, 970, 500),
    (1, 960, 500),  # 1   5   2500
    (2, 998, 100),
    (2, 950, 100),
    (2, 940, 100),
    (2, 930, 100),  # 2   4   400
    (3, 997, 50),  # 3   1   50
    (4, 996, 300),
    (4, 950, 300),
    (4, 920, 300),  # 4   3   900
    (5, 960, 200),
    (5, 950, 200),
    (5, 940, 200),
    (5, 930, 200),
    (5, 920, 200),  # 40  5   1000
    (6, 955, 40),
    (6, 905, 40),  # 45  2   80
    (7, 940, 1000),
    (7, 930, 1000),
    (7, 920, 1000),
    (7, 910, 1000),  # 60  4   4000
    (8, 930, 30),  # 70  1   30
    (9, 920, 70),
    (9, 910, 70),
    (9, 901, 70),  # 80  3   210
    (10, 910, 20),
    (10, 850, 20),  # 90  1   20 (850 is before)
    (11, 800, 500),  # lost
]
# n = 10 scored: score = 1 + ⌊5 × rank / 10⌋, rank = customers strictly worse; ties share
# (frequency: the three who bought once all score 1, the two who bought five times both 5).
EXPECTED = {
    #      R  F  M  cell
    1: (5, 5, 5, RfmCell.CHAMPIONS),
    2: (5, 4, 3, RfmCell.CHAMPIONS),
    3: (4, 1, 2, RfmCell.NEW),
    4: (4, 3, 4, RfmCell.POTENTIAL),
    5: (3, 5, 4, RfmCell.LOYAL),
    6: (3, 2, 2, RfmCell.HIBERNATING),
    7: (2, 4, 5, RfmCell.AT_RISK),
    8: (2, 1, 1, RfmCell.HIBERNATING),
    9: (1, 3, 3, RfmCell.AT_RISK),
    10: (1, 1, 1, RfmCell.LOST),
}


def test_scores_and_cells_of_the_fixture(engine):
    days = days_table(engine, PURCHASES)
    found = ex.rfm_scores(days, start=END - 100, end=END).to_pyarrow().to_pylist()
    by_party = {row["party_id"]: row for row in found}
    assert set(by_party) == set(EXPECTED)
    for party, (r, f, m, cell) in EXPECTED.items():
        row = by_party[party]
        assert (row["r_score"], row["f_score"], row["m_score"], row["cell"]) == (r, f, m, cell), party
    assert by_party[1]["recency"] == 1 and by_party[1]["frequency"] == 5 and by_party[1]["monetary"] == 2500
    assert by_party[10]["frequency"] == 1  # its purchase before the window does not count


def test_every_customer_gets_a_row_lost_or_without_a_cell(engine):
    days = days_table(engine, PURCHASES)
    customers = table(
        engine,
        "customers",
        {
            "id": list(range(1, 14)),
            "owner_id": [7] * 13,
            "deleted": [False] * 12 + [True],  # 13 is deleted: not analysed
            "merged": [False] * 13,
        },
    )
    rows = {
        r["party_id"]: r
        for r in ex.customer_rows(customers, days, start=END - 100, end=END).to_pyarrow().to_pylist()
    }
    assert set(rows) == set(range(1, 13))
    assert rows[11]["cell"] == RfmCell.LOST and rows[11]["r_score"] is None and rows[11]["recency"] == 200
    assert rows[12]["cell"] == "" and rows[12]["purchases"] == 0
    # The whole history feeds lifetime value: customer 10 bought twice, 60 days apart.
    assert (rows[10]["purchases"], rows[10]["x"], rows[10]["t_x"], rows[10]["T"]) == (2, 1, 60, 150)
    assert rows[10]["m"] == 20.0
    assert rows[1]["cell"] == RfmCell.CHAMPIONS


def test_the_grid_names_every_pair_of_scores_with_one_of_the_eight_cells():
    cells = {rfm.cell_of(r, f) for r in rfm.SCORES for f in rfm.SCORES}
    assert cells == set(rfm.CELL_ORDER) == set(RfmCell.values)
    assert rfm.cell_of(5, 5) == RfmCell.CHAMPIONS and rfm.cell_of(1, 5) == RfmCell.CANT_LOSE
    assert rfm.cell_of(5, 1) == RfmCell.NEW and rfm.cell_of(1, 1) == RfmCell.LOST


def test_the_score_rule_the_expression_follows():
    assert [rfm.score(rank, 10) for rank in range(10)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert rfm.score(0, 1) == 1


def test_the_expressions_compile_for_other_engines(engine):
    """Backend-neutral: the same expression compiles to PostgreSQL's and Trino's SQL (Spark's
    compiler needs pyspark, the optional extra)."""
    days = days_table(engine, PURCHASES)
    customers = table(
        engine, "customers", {"id": [1], "owner_id": [1], "deleted": [False], "merged": [False]}
    )
    expression = ex.customer_rows(customers, days, start=900, end=1000)
    for dialect in ("postgres", "trino"):
        sql = ibis.to_sql(expression, dialect=dialect)
        assert "RANK()" in sql.upper()
