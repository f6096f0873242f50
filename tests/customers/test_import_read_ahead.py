"""Reading an import's next chunk in a thread while the database writes this one."""

import threading

import pytest
from django.utils import translation

from peyvand.core import spreadsheets
from peyvand.customers.importer import reading
from peyvand.customers.importer.rows import ReaderSpec, RowReader

SPEC = ReaderSpec(kind="person", mapping={"0": "first_name", "1": "email"}, owners={}, default_owner=None)


def chunks(spec, rows, fail_after=None):
    reader = RowReader(spec)
    for number, cells in enumerate(rows, start=1):
        if fail_after is not None and number > fail_after:
            raise spreadsheets.FileProblem(f"the file broke at row {number}")
        yield reading.read_chunk(reader, [(number, cells)], ["name", "email"])


@pytest.mark.parametrize(
    ("job_language", "callers_language", "word"), [("fa", "en", "ایمیل"), ("en", "fa", "email")]
)
def test_chunks_arrive_in_order_with_the_checks_in_the_jobs_language(job_language, callers_language, word):
    spec = ReaderSpec(**{**vars(SPEC), "language": job_language})
    rows = [["Ali", "ali@example.com"], ["Sara", "not-an-address"], ["Mina", ""]]
    with translation.override(callers_language):
        read = list(reading.read_ahead(chunks(spec, rows), spec))
    assert [chunk.last_row for chunk in read] == [1, 2, 3]
    assert [len(chunk.items) for chunk in read] == [1, 0, 1]
    (issue,) = read[1].issues
    assert issue.column == "email" and word in issue.message, issue.message


def test_a_file_problem_reaches_the_caller_after_the_chunks_before_it():
    ahead = reading.read_ahead(chunks(SPEC, [["Ali", ""]] * 5, fail_after=2), SPEC)
    assert next(ahead).last_row == 1
    assert next(ahead).last_row == 2
    with pytest.raises(spreadsheets.FileProblem, match="row 3"):
        next(ahead)


def test_stopping_early_stops_the_reading_thread():
    before = {t.ident for t in threading.enumerate()}
    ahead = reading.read_ahead(chunks(SPEC, [["Ali", ""]] * 1000), SPEC)
    assert next(ahead).last_row == 1
    ahead.close()
    assert not [t for t in threading.enumerate() if t.ident not in before and t.name == "import-read-ahead"]
