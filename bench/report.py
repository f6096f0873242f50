"""bench/RESULTS.md: the figures of a run, each beside its baseline and its target."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

TARGETS = {
    "import": "≥ 100,000 rows/s and ≥ 25% of the raw engine's rate; peak memory ≤ 500 MB",
    "list": "p99 ≤ 25 ms server-side; ≥ 1,000 requests/s per core",
    "search": "p99 ≤ 50 ms server-side",
}


def _n(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def write_results(
    path: Path,
    *,
    machine: str,
    people: int,
    interactions: int,
    path_csv: Path | None = None,
    results: dict[str, dict[str, Any]],
    **extra: Any,
) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Run on {dt.date.today().isoformat()} — {machine}.",
        f"{people:,} people in a generated Excel-style CSV (UTF-8 with BOM, Persian headers, phones written "
        f"every way); {interactions:,} interactions plus 10,000 on one customer for the 360° page. "
        "Each figure is beside a baseline measured in the same run. Produced by `make bench`.",
        "",
    ]
    for engine, r in results.items():
        imp, raw = r["import"], r["raw"]
        share = imp["rows_per_second"] / raw["raw_bare_rows_per_second"] * 100
        share_indexed = imp["rows_per_second_before_indexing"] / raw["raw_indexed_rows_per_second"] * 100
        lines += [
            f"## {r['version']}",
            "",
            "### Import of the CSV",
            "",
            "| | rows/s | note |",
            "|---|---:|---|",
            f"| raw engine, bare table (`{'executemany' if engine == 'sqlite' else 'COPY'}` of the parsed rows) "
            f"| {_n(raw['raw_bare_rows_per_second'])} | the engine's ceiling for moving the data |",
            f"| raw engine into the customers table with all its indexes (INSERT … SELECT) "
            f"| {_n(raw['raw_indexed_rows_per_second'])} | index maintenance alone, no validation |",
            f"| **Peyvand import, end to end** | **{_n(imp['rows_per_second'])}** | {imp['rows']:,} rows in "
            f"{imp['seconds']} s: {_n(imp['created'])} created, {_n(imp['skipped'])} duplicates skipped, "
            f"{_n(imp['rejected'])} rejected |",
            f"| Peyvand import, rows in (before the search index) | {_n(imp['rows_per_second_before_indexing'])} "
            f"| {imp['rows_seconds']} s for the rows, {imp['index_seconds']} s to index them for search |",
            "",
            f"Peak memory of the import process: **{imp['peak_mb']} MB**. End to end the import runs at "
            f"{share:.1f}% of the bare raw rate and {share_indexed:.1f}% of the raw rate into the indexed table. "
            f"Target: {TARGETS['import']}.",
            "",
            "### Through the API (server time from the Server-Timing header)",
            "",
            *(
                [
                    f"Measured again (`BENCH_REUSE=1`) on the database the import above loaded on "
                    f"{r['reused_from']}, with the code of this run.",
                    "",
                ]
                if "reused_from" in r
                else []
            ),
            "| | server p50 ms | server p99 ms | client p99 ms | requests/s | errors |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, label in (
            ("list", "list (2 connections)"),
            ("list_saturated", f"list ({4 * r['cores']} connections)"),
            ("search", "search (2 connections)"),
            ("global_search", "the top bar's search, every kind (2 connections)"),
        ):
            if name not in r:
                continue  # a run from before it was measured
            x = r[name]
            lines.append(
                f"| {label} | {x['server_p50_ms']} | {x['server_p99_ms']} | {x['client_p99_ms']} | "
                f"{_n(x['per_second'])} | {x['errors']} |"
            )
        q = r["raw_queries"]
        if "floor_saturated" in r:
            x = r["floor_saturated"]
            lines.append(
                f"| baseline: the cheapest authenticated endpoint, `/api/v1/me` ({4 * r['cores']} connections) | "
                f"{x['server_p50_ms']} | {x['server_p99_ms']} | {x['client_p99_ms']} | {_n(x['per_second'])} | "
                f"{x['errors']} |"
            )
        lines += [
            f"| baseline: the list query by the engine alone | {q['list_p50_ms']} | {q['list_p99_ms']} | | | |",
            f"| baseline: a search query by the engine alone | {q['search_p50_ms']} | {q['search_p99_ms']} | | | |",
            "",
            f"{r['cores']} cores, shared by the server ({r['cores']} worker processes) and the load generator. "
            f"Targets: list {TARGETS['list']}; search {TARGETS['search']}.",
            "",
            "### The 360° page of a customer with 10,000 interactions",
            "",
            "| | p50 ms | p99 ms |",
            "|---|---:|---:|",
            f"| page, server time | {r['page_360']['server_p50_ms']} | {r['page_360']['server_p99_ms']} |",
            f"| baseline: its three timeline queries by the engine alone | {r['raw_timeline']['p50_ms']} | "
            f"{r['raw_timeline']['p99_ms']} |",
            "",
            f"Interactions were loaded at {_n(r['interactions_load_rows_per_second'])} rows/s with the engine's "
            "bulk path (setting up the data, not a measured target).",
            "",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
