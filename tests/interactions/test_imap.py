"""The IMAP mailbox against a real IMAP4rev1 server on a local socket: read once, marked
read only after logging, a message that cannot be logged flagged and passed over, and a
server that stops answering does not hold the worker."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from peyvand.interactions import tasks
from peyvand.interactions.models import Attachment, Interaction
from peyvand.interactions.services import inbound

DATA = Path(__file__).parent / "data"


@pytest.fixture
def attachments(settings, tmp_path):
    settings.PEYVAND_ATTACHMENTS_DIR = tmp_path / "attachments"
    return settings.PEYVAND_ATTACHMENTS_DIR


def test_the_mailbox_is_read_once_and_marked_read_after_logging(imap, customer, attachments):
    imap.add(7, (DATA / "thunderbird-alternative-attachment.eml").read_bytes())
    imap.add(9, (DATA / "outlook-windows-1256.eml").read_bytes())
    result = inbound.inbox_read()
    assert (result.received, result.failed) == (2, [])
    assert Interaction.objects.get(party=customer).subject == "درخواست پیش‌فاکتور برای ۳ دستگاه"
    assert Attachment.objects.get().filename == "مشخصات فنی دستگاه‌ها.pdf"
    assert all("\\Seen" in flags for _raw, flags in imap.messages.values())
    # Fetched without marking read; marked read by an explicit STORE after logging.
    fetches = [c for c in imap.commands if c.startswith("UID FETCH")]
    assert fetches and all("BODY.PEEK[]" in c for c in fetches)
    assert imap.commands.index("UID STORE 7 +FLAGS (\\Seen)") > imap.commands.index(fetches[0])
    assert tasks.inbox_read_task.call_local() == 0  # nothing unread is left
    assert Interaction.objects.count() == 2


def test_a_crash_between_logging_and_marking_read_logs_nothing_twice(imap, customer, attachments):
    imap.add(7, (DATA / "thunderbird-alternative-attachment.eml").read_bytes())
    inbound.inbox_read()
    imap.messages[7][1].clear()  # as if the worker died before the STORE reached the server
    result = inbound.inbox_read()
    assert (result.received, result.duplicates) == (0, 1)
    assert Interaction.objects.filter(party=customer).count() == 1


def test_a_message_that_cannot_be_logged_is_flagged_and_the_rest_go_on(imap, customer, attachments):
    imap.add(3, b"this is not an email at all\r\n")
    imap.add(4, (DATA / "thunderbird-alternative-attachment.eml").read_bytes())
    result = inbound.inbox_read()
    assert result.failed == ["3"] and result.received == 1
    assert imap.messages[3][1] == {"\\Seen", "\\Flagged"}
    assert inbound.inbox_read().failed == []  # not tried again on every run


def test_wrong_credentials_are_an_error_not_a_hang(imap, settings, db):
    import imaplib

    settings.PEYVAND_IMAP_PASSWORD = "wrong"
    with pytest.raises(imaplib.IMAP4.error):
        inbound.inbox_read()


def test_a_server_that_stops_answering_times_out(imap, monkeypatch, db):
    import threading

    imap.silent = True
    monkeypatch.setattr(inbound, "IMAP_TIMEOUT", 1)
    outcome: list[BaseException | None] = []

    def read() -> None:
        try:
            inbound.inbox_read()
        except BaseException as exc:  # what the worker would see
            outcome.append(exc)
        else:
            outcome.append(None)

    reader = threading.Thread(target=read, daemon=True)  # without a timeout it would hang for good
    start = time.monotonic()
    reader.start()
    reader.join(timeout=15)
    assert not reader.is_alive(), "the read hung on a silent server"
    assert isinstance(outcome[0], TimeoutError) and time.monotonic() - start < 10
