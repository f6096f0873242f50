"""Reading a job's file into checked chunks: the half of an import that needs no database
(for people and organisations; another kind's reader may look things up).

(Reading in a second process while this one writes was tried: handing the checked rows
over cost as much as reading them, so it did not pay on two cores.)
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.utils import timezone, translation

from peyvand.core import spreadsheets

from .registry import ReadChunk, RowIssue, RowReader

# Rows per transaction: big enough for the bulk path to pay (at a million customers each
# commit writes out every index page the chunk touched), small enough to show progress.
# The first chunk is smaller, so the progress bar moves soon after the start.
CHUNK_ROWS = int(os.environ.get("PEYVAND_IMPORT_CHUNK_ROWS", "20000"))
FIRST_CHUNK_ROWS = min(2_000, CHUNK_ROWS)

__all__ = [
    "CHUNK_ROWS",
    "FIRST_CHUNK_ROWS",
    "JobLocale",
    "ReadChunk",
    "RowIssue",
    "data_rows",
    "read_ahead",
    "read_chunk",
    "read_chunks",
]


class Locale(Protocol):
    """The language and time zone a job's rows are checked in (a reader's spec has them)."""

    @property
    def language(self) -> str: ...

    @property
    def time_zone(self) -> str: ...


@dataclass(frozen=True)
class JobLocale:
    language: str
    time_zone: str

    @classmethod
    def current(cls) -> JobLocale:
        return cls(translation.get_language() or "", str(timezone.get_current_timezone()))


def read_chunks(
    path: Path,
    info: spreadsheets.FileInfo,
    *,
    start: int,
    reader: RowReader,
    header: list[str],
    chunk_rows: int = 0,
) -> Iterator[ReadChunk]:
    """The file's checked chunks from data row ``start``, of ``chunk_rows`` rows at most."""
    size = min(chunk_rows or CHUNK_ROWS, CHUNK_ROWS)
    rows = data_rows(path, info, start=start)
    first = min(FIRST_CHUNK_ROWS, size)
    while batch := list(itertools.islice(rows, first)):
        yield read_chunk(reader, batch, header)
        first = size


def read_ahead(chunks: Iterator[ReadChunk], spec: Locale) -> Iterator[ReadChunk]:
    """``chunks``, each read and checked in a thread while the caller writes the one before.

    Pays where the database works in a process of its own (PostgreSQL: the driver lets go
    of the interpreter while the server copies, checks foreign keys and commits); SQLite
    writes in this process, so there the thread only contends for the interpreter.
    """
    handed: queue.Queue[tuple[ReadChunk | None, BaseException | None]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def hand(item: tuple[ReadChunk | None, BaseException | None]) -> bool:
        while not stop.is_set():
            try:
                handed.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        # The checks' messages in the job's language: translations are per thread.
        with translation.override(spec.language or None), timezone.override(spec.time_zone):
            try:
                for chunk in chunks:
                    if not hand((chunk, None)):
                        return
            except BaseException as exc:  # raised again in the caller's thread
                hand((None, exc))
                return
            hand((None, None))

    reader = threading.Thread(target=read, name="import-read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            chunk, error = handed.get()
            if error is not None:
                raise error
            if chunk is None:
                return
            yield chunk
    finally:
        stop.set()
        reader.join()


def read_chunk(reader: RowReader, rows: list[tuple[int, list[str]]], header: list[str]) -> ReadChunk:
    chunk = ReadChunk(last_row=rows[-1][0])
    for number, cells in rows:
        if all(not cell or cell.isspace() for cell in cells):
            continue
        outcome = reader.read(number, cells)
        if not isinstance(outcome, list):  # an item to write; a list is the row's problems
            chunk.items.append(outcome)
            continue
        for problem in outcome:
            column = (
                header[problem.column]
                if problem.column is not None and problem.column < len(header)
                else problem.column_name
            )
            chunk.issues.append(RowIssue(number, column[:255], problem.value[:10_000], problem.message))
    return chunk


def data_rows(path: Path, info: spreadsheets.FileInfo, *, start: int) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) for the data rows from ``start`` (1 is the first after the header)."""
    iterator = spreadsheets.rows(path, info)
    next(iterator, None)  # the header
    for number, cells in enumerate(iterator, start=1):
        if number >= start:
            yield number, cells
