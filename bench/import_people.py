"""Import a people CSV into the database of DATABASE_URL and report the figures as JSON.

Run in its own process by bench/run.py, so its peak memory is the import's alone.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path


def main(path: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peyvand.settings")
    import django

    django.setup()
    from peyvand import cli

    cli.freeze_start_up()  # as `peyvand import` does
    from peyvand.core.models import User
    from peyvand.customers import importer
    from peyvand.customers.importer import engine

    admin = User.objects.get(username="admin")
    file = Path(path)
    phases: dict[str, float] = {}
    started = time.perf_counter()
    with file.open("rb") as source:
        job = importer.import_upload(
            actor=admin, kind="person", source=source, name=file.name, size=file.stat().st_size
        )
    job = importer.import_configure(job=job, actor=admin, columns=job.mapping, duplicates="skip")
    job = importer.import_queue(job=job, actor=admin)

    def progress(current: object) -> None:
        if getattr(current, "status", "") == "indexing" and "rows" not in phases:
            phases["rows"] = time.perf_counter() - started

    job = engine.run(job.pk, progress=progress)
    total = time.perf_counter() - started
    rows = job.total_rows or 0
    rows_seconds = phases.get("rows", total)
    print(
        json.dumps(
            {
                "status": job.status,
                "rows": rows,
                "created": job.created_count,
                "skipped": job.skipped_count,
                "rejected": job.error_count,
                "seconds": round(total, 2),
                "rows_seconds": round(rows_seconds, 2),
                "index_seconds": round(total - rows_seconds, 2),
                "rows_per_second": round(rows / total),
                "rows_per_second_before_indexing": round(rows / rows_seconds),
                "peak_mb": peak_mb(),
            }
        )
    )


def peak_mb() -> int:
    """This process's peak resident memory. Not getrusage's ru_maxrss: Linux carries that
    over from before exec, when the forked child still held the benchmark's copy of the
    whole file (it read 750 MB for an import whose own peak is near 120 MB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


if __name__ == "__main__":
    main(sys.argv[1])
