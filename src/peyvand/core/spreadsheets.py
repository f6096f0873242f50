"""The one reader of uploaded spreadsheets, for every import: the file's format, encoding
and delimiter, then its rows.

CSV files arrive from Excel in Persian Windows as Windows-1256, from newer tools as UTF-8
(with or without a BOM) or UTF-16; the delimiter is a comma, semicolon, tab, pipe or the
Arabic comma and semicolon. Excel workbooks (.xlsx) are read from their first sheet. Rows are
read as a stream, never the whole file at once.

openpyxl is imported when a workbook is read: it adds 0.3 s to every process start (measured).
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from .jalali import local_digits
from .text import clean_text

MAX_ROWS = 1_048_576  # Excel's limit, and HubSpot's
SAMPLE_BYTES = 256 * 1024
DELIMITERS = [",", ";", "\t", "|", "،", "؛"]
# A cell may be large (a note) and a broken file may hold a huge one: read it, so that row is
# refused for its content rather than the whole file for its shape.
MAX_FIELD_CHARS = 64 * 1024 * 1024
csv.field_size_limit(MAX_FIELD_CHARS)


class FileProblem(ValueError):
    """The file as a whole cannot be imported; the message says why, in the user's language."""


@dataclass(frozen=True)
class FileInfo:
    file_format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""


def detect(path: Path) -> FileInfo:
    with path.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    if not head.strip(b"\r\n\t \x00\xef\xbb\xbf\xff\xfe"):
        raise FileProblem(_("The file is empty."))
    if head.startswith(b"PK\x03\x04"):
        if not zipfile.is_zipfile(path):
            raise FileProblem(_("The file looks like an Excel workbook but is damaged."))
        return FileInfo("xlsx")
    encoding = _encoding(head)
    text = head.decode(encoding, errors="ignore")
    if _looks_binary(text):
        raise FileProblem(_("This is not a spreadsheet: save it as CSV (UTF-8) or Excel (.xlsx)."))
    return FileInfo("csv", encoding, _delimiter(text))


def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # UTF-16 without a BOM: every other byte of ASCII text is zero.
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4:
        return "utf-16-le"
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 4:
        return "utf-16-be"
    try:
        # The sample may end inside a character; an incremental decoder forgives that.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1256"  # what Excel writes for "CSV" on Persian Windows


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\r\n\t")
    return "\x00" in sample or controls > len(sample) // 50


def _delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        # One column, or no consistent guess: the delimiter most common in the header line.
        counts = {d: lines[0].count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def rows(path: Path, info: FileInfo) -> Iterator[list[str]]:
    """Every row of the file (the header first), as lists of text."""
    if info.file_format == "xlsx":
        yield from _xlsx_rows(path)
        return
    with path.open("r", encoding=info.encoding, newline="", errors="strict") as handle:
        reader = csv.reader(handle, delimiter=info.delimiter)
        try:
            yield from reader
        except UnicodeDecodeError as exc:
            raise FileProblem(
                _("The file is not all in one text encoding (a problem near byte %(position)s).")
                % {"position": exc.start}
            ) from None
        except csv.Error as exc:
            raise FileProblem(
                _("Line %(line)s of the file cannot be read: %(problem)s")
                % {"line": reader.line_num, "problem": str(exc)}
            ) from None


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook  # noqa: PLC0415 - see the module's docstring

    # A handle, not the path: openpyxl judges a path by its extension, an upload has none.
    with path.open("rb") as handle:
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken workbook
            raise FileProblem(
                _("The Excel file cannot be read: %(problem)s") % {"problem": str(exc)[:200]}
            ) from None
        try:
            sheet = workbook.worksheets[0]
            for values in sheet.iter_rows(values_only=True):
                yield ["" if v is None else _cell_text(v) for v in values]
        finally:
            workbook.close()


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 9121234567 as a float
    if hasattr(value, "date") and hasattr(value, "isoformat"):
        return value.isoformat()[:10] if getattr(value, "hour", 0) == 0 else value.isoformat()
    return str(value)


def count_rows(path: Path, info: FileInfo) -> int:
    """How many data rows, to show progress (newlines inside quoted cells make it an estimate)."""
    if info.file_format == "xlsx":
        from openpyxl import load_workbook  # noqa: PLC0415 - see the module's docstring

        try:
            with path.open("rb") as handle:
                workbook = load_workbook(handle, read_only=True)
                rows = workbook.worksheets[0].max_row or 0
                workbook.close()
        except Exception:
            return 0
        return max(rows - 1, 0)
    newline = _newline(path, info.encoding)
    lines = 0
    last = b""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            lines += block.count(newline)
            last = block
    if last and not last.endswith(newline):
        lines += 1
    return max(lines - 1, 0)


def _newline(path: Path, encoding: str) -> bytes:
    if not encoding.startswith("utf-16"):
        return b"\n"
    if encoding == "utf-16":  # with a BOM, which says the byte order
        with path.open("rb") as handle:
            encoding = "utf-16-be" if handle.read(2) == codecs.BOM_UTF16_BE else "utf-16-le"
    return "\n".encode(encoding)


def header_and_sample(path: Path, info: FileInfo, sample: int = 10) -> tuple[list[str], list[list[str]]]:
    """The header and the first rows, for mapping and preview."""
    iterator = rows(path, info)
    header = next(iterator, None)
    if header is None or not any(cell.strip() for cell in header):
        raise FileProblem(_("The file has no header row."))
    preview = []
    for row in iterator:
        preview.append(row)
        if len(preview) >= sample:
            break
    return [cell.strip() for cell in header], preview


def records(path: Path, *, max_rows: int = MAX_ROWS) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number as a spreadsheet shows it, {lower-case header: stripped cell}) for each
    non-empty row: for the small imports that read a whole file of named columns."""
    info = detect(path)
    iterator = rows(path, info)
    header = next(iterator, None)
    if header is None or not any(cell.strip() for cell in header):
        raise FileProblem(_("The file has no header row."))
    names = [clean_text(cell).lower() for cell in header]
    for number, cells in enumerate(iterator, start=2):
        if number - 1 > max_rows:
            raise FileProblem(
                local_digits(_("Import at most %(count)d rows at a time.") % {"count": max_rows})
            )
        values = [cell.strip() for cell in cells]
        if any(values):
            yield number, dict(zip(names, values, strict=False))
