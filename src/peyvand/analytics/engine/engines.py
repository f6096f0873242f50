"""What runs a run's Ibis expressions: DuckDB on the snapshot file (the default), or Spark
(``PEYVAND_ANALYTICS_ENGINE=spark``) for a company that outgrows one machine.

The snapshot stays a DuckDB file either way: the refresh writes it, and the per-customer
results are kept in it for the next run's cell movement. With Spark, the snapshot's tables
are written as Parquet (``PEYVAND_SPARK_DIR``) once refreshed and read by Spark under their
snapshot names; the expressions then run on Spark, and what a run computes in Python (the
scores from the fitted models, each customer's results) goes back to Spark the same way.
The model fits themselves run in the worker, on the per-customer summary collected from the
engine (one row per group of customers alike for BG/NBD, one per repeat customer for
Gamma-Gamma and churn).
"""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path
from typing import Any, Protocol

import duckdb

from .. import conf
from . import snapshot

# The snapshot's tables an analysis reads, besides the results a run writes.
TABLES = (*(source.table for source in snapshot.SOURCES), "calendar")


class Engine(Protocol):
    def table(self, name: str) -> Any:
        """A table of the snapshot (or one kept by ``keep`` or ``publish``)."""

    def keep(self, name: str, expression: Any) -> Any:
        """Work ``expression`` out once and keep it as ``name`` for the rest of the run."""

    def publish(self, name: str) -> Any:
        """The snapshot's table ``name``, just written in DuckDB, as this engine's table."""

    def write(self, name: str, expression: Any) -> None:
        """Replace the snapshot's table ``name`` with ``expression`` (which may read it)."""


class DuckDbEngine:
    """The expressions on the snapshot's own connection: nothing is copied."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.ibis = snapshot.backend(con)

    def table(self, name: str) -> Any:
        return self.ibis.table(name)

    def keep(self, name: str, expression: Any) -> Any:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS " + self.ibis.compile(expression))
        return self.ibis.table(name)

    def publish(self, name: str) -> Any:
        return self.ibis.table(name)

    def write(self, name: str, expression: Any) -> None:
        self.con.execute(f"CREATE OR REPLACE TABLE {name}_next AS " + self.ibis.compile(expression))
        _swap(self.con, name)


class SparkEngine:
    """The expressions on Spark, over the snapshot's tables written as Parquet."""

    def __init__(self, con: duckdb.DuckDBPyConnection, session: Any, folder: Path) -> None:
        self.con, self.session, self.folder = con, session, folder
        self.ibis = importlib.import_module("ibis").pyspark.connect(session)
        self.kept: dict[str, Any] = {}
        self.published = 0
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for name in TABLES:
            self.publish(name)

    def table(self, name: str) -> Any:
        return self.ibis.table(name)

    def keep(self, name: str, expression: Any) -> Any:
        frame = self.session.sql(self.ibis.compile(expression)).cache()
        frame.createOrReplaceTempView(name)
        old = self.kept.pop(name, None)
        if old is not None:
            old.unpersist()
        self.kept[name] = frame
        return self.ibis.table(name)

    def publish(self, name: str) -> Any:
        # A new file each time: Spark may still read the last one lazily.
        self.published += 1
        path = self.folder / f"{name}-{self.published}.parquet"
        quoted = str(path).replace("'", "''")
        self.con.execute(f"COPY {name} TO '{quoted}' (FORMAT parquet)")
        self.session.read.parquet(str(path)).createOrReplaceTempView(name)
        return self.ibis.table(name)

    def write(self, name: str, expression: Any) -> None:
        self.con.register(f"{name}_computed", expression.to_pyarrow())
        copy = f"CREATE OR REPLACE TABLE {name}_next AS SELECT * FROM {name}_computed"  # noqa: S608 - our names
        try:
            self.con.execute(copy)
        finally:
            self.con.unregister(f"{name}_computed")
        _swap(self.con, name)
        self.publish(name)

    def close(self) -> None:
        for frame in self.kept.values():
            frame.unpersist()
        self.kept.clear()


def _swap(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute(f"DROP TABLE IF EXISTS {name}")
    con.execute(f"ALTER TABLE {name}_next RENAME TO {name}")


def spark_session() -> Any:
    """The process's Spark session, started on ``PEYVAND_SPARK_MASTER`` if none is running
    (the worker keeps it for the next run: starting one takes seconds)."""
    try:
        builder = importlib.import_module("pyspark.sql").SparkSession.builder
    except ImportError as exc:
        raise RuntimeError(
            "PEYVAND_ANALYTICS_ENGINE=spark needs the optional extra peyvand[spark] (pyspark)"
        ) from exc
    master = conf.spark_master()
    if master:
        builder = builder.master(master)
    return (
        builder.appName("peyvand-analytics")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )


def open_engine(con: duckdb.DuckDBPyConnection) -> DuckDbEngine | SparkEngine:
    """The engine ``PEYVAND_ANALYTICS_ENGINE`` names, over the refreshed snapshot ``con``."""
    if conf.analytics_engine() == "spark":
        # A session of its own (same Spark context): the run's tables are views under the
        # snapshot's names, which must not replace anyone else's in the process.
        return SparkEngine(con, spark_session().newSession(), conf.spark_dir())
    return DuckDbEngine(con)
