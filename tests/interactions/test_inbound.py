"""Inbound email from real .eml files (Persian RFC 2047 subjects, HTML and plain parts,
attachments) and from IMAP, and SMS replies with opt-outs."""

import hashlib
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from unittest import mock

import pytest
from django.utils import timezone

from peyvand.customers import services as customer_services
from peyvand.customers.models import ContactPoint, Party
from peyvand.customers.rules import PartyInput
from peyvand.interactions import tasks
from peyvand.interactions.consent import is_opt_out
from peyvand.interactions.models import Attachment, InboundReceipt, Interaction
from peyvand.interactions.services import inbound
from peyvand.notifications.models import Notification

PDF = b"%PDF-1.4\n% a small file\n" + bytes(range(256)) * 4


def eml(
    sender=("مریم احمدی", "Maryam@Example.com"),
    subject="درخواست پیش‌فاکتور",
    plain="سلام،\nلطفاً پیش‌فاکتور را بفرستید.",
    html="<p>سلام،</p><p>لطفاً <b>پیش‌فاکتور</b> را بفرستید.</p>",
    message_id="<req-1@mail.example.com>",
    attachments=(("پیش‌فاکتور قبلی.pdf", PDF),),
):
    message = EmailMessage()
    message["From"] = formataddr(sender)
    message["To"] = "sales@peyvand.example"
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now() - timezone.timedelta(minutes=5))
    if message_id:
        message["Message-ID"] = message_id
    if plain is not None:
        message.set_content(plain)
        if html:
            message.add_alternative(html, subtype="html")
    else:
        message.set_content(html, subtype="html")
    for name, content in attachments:
        message.add_attachment(content, maintype="application", subtype="pdf", filename=name)
    return message.as_bytes()


@pytest.fixture
def inbox(settings, tmp_path):
    settings.PEYVAND_INBOX_DIR = tmp_path / "inbox"
    settings.PEYVAND_ATTACHMENTS_DIR = tmp_path / "attachments"
    settings.PEYVAND_INBOX_DIR.mkdir()
    settings.PEYVAND_IMAP_HOST = ""
    return settings.PEYVAND_INBOX_DIR


def test_the_raw_message_really_is_rfc_2047(inbox):
    raw = eml()
    assert b"=?utf-8?" in raw and "درخواست".encode() not in raw.split(b"\n\n")[0]


def test_mail_from_a_customer_lands_on_their_timeline_with_its_attachment(inbox, customer, users, as_user):
    (inbox / "one.eml").write_bytes(eml())
    result = inbound.inbox_folder_read()
    assert (result.received, result.duplicates, result.failed) == (1, 0, [])
    interaction = Interaction.objects.get(party=customer)
    assert interaction.channel == "email" and interaction.direction == "inbound"
    assert interaction.subject == "درخواست پیش‌فاکتور"
    assert interaction.body == "سلام،\nلطفاً پیش‌فاکتور را بفرستید."
    assert interaction.created_by is None and interaction.handled_by is None
    attachment = Attachment.objects.get(interaction=interaction)
    assert attachment.filename == "پیش‌فاکتور قبلی.pdf" and attachment.size == len(PDF)
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (inbox / "processed" / "one.eml").exists() and not (inbox / "one.eml").exists()
    # The owner is told, with a link to the customer.
    told = Notification.objects.get(recipient=users["sales"], kind="email_in")
    assert told.url == f"/customers/{customer.pk}/"
    # The file is served through the policy: the owner's team gets it, others a 404.
    client = as_user("sales2")
    response = client.get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/octet-stream"
    assert "attachment" in response["Content-Disposition"]
    for role in ("outsider", "readonly"):
        assert as_user(role).get(f"/attachments/{attachment.pk}/").status_code == 404
    assert as_user("sales").get("/attachments/999999999999999999/").status_code == 404


def test_the_timeline_shows_the_email_and_its_attachment(inbox, customer, as_user):
    (inbox / "one.eml").write_bytes(eml())
    inbound.inbox_folder_read()
    html = as_user("sales").get(f"/customers/{customer.pk}/").content.decode()
    assert (
        "درخواست پیش‌فاکتور" in html and "پیش‌فاکتور قبلی.pdf" in html and 'data-testid="attachments"' in html
    )


def test_an_unknown_sender_becomes_a_suspect(inbox, users):
    (inbox / "new.eml").write_bytes(eml(sender=("رضا کاظمی", "reza@newco.ir"), attachments=()))
    inbound.inbox_folder_read()
    suspect = Party.objects.get(primary_email="reza@newco.ir")
    assert suspect.stage == "suspect" and suspect.owner is None
    assert (suspect.first_name, suspect.last_name) == ("رضا", "کاظمی")
    assert suspect.created_by == users["admin"]  # the system user: the first administrator
    assert Interaction.objects.get(party=suspect).subject == "درخواست پیش‌فاکتور"


def test_an_unknown_sender_without_a_name_is_named_by_address(inbox, users):
    (inbox / "new.eml").write_bytes(eml(sender=("", "info@shop.ir"), attachments=()))
    inbound.inbox_folder_read()
    assert "info@shop.ir" in Party.objects.get(primary_email="info@shop.ir").display_name


def test_reading_the_same_message_again_logs_nothing_twice(inbox, customer):
    raw = eml()
    (inbox / "a.eml").write_bytes(raw)
    (inbox / "b.eml").write_bytes(raw)  # the same message saved twice
    result = inbound.inbox_folder_read()
    assert (result.received, result.duplicates) == (1, 1)
    (inbox / "c.eml").write_bytes(raw)
    tasks.inbox_read_task.call_local()
    tasks.inbox_read_task.call_local()
    assert Interaction.objects.filter(party=customer).count() == 1
    assert Attachment.objects.count() == 1
    assert InboundReceipt.objects.get().key == "req-1@mail.example.com"


def test_a_message_without_message_id_is_known_by_its_content(inbox, customer):
    raw = eml(message_id=None, attachments=())
    (inbox / "a.eml").write_bytes(raw)
    inbound.inbox_folder_read()
    (inbox / "a.eml").write_bytes(raw)
    inbound.inbox_folder_read()
    assert Interaction.objects.filter(party=customer).count() == 1
    assert InboundReceipt.objects.get().key == "sha256:" + hashlib.sha256(raw).hexdigest()


def test_html_only_mail_is_read_as_text(inbox, customer):
    (inbox / "a.eml").write_bytes(eml(plain=None, attachments=()))
    inbound.inbox_folder_read()
    body = Interaction.objects.get(party=customer).body
    assert "پیش‌فاکتور" in body and "<b>" not in body and "<p>" not in body


def test_unreadable_files_are_set_aside(inbox, db):
    (inbox / "junk.eml").write_bytes(b"this is not an email at all\n")
    (inbox / "noaddress.eml").write_bytes(eml(sender=("nobody", "not-an-address"), attachments=()))
    result = inbound.inbox_folder_read()
    assert sorted(result.failed) == ["junk.eml", "noaddress.eml"]
    assert (inbox / "failed" / "junk.eml").exists()
    assert not Interaction.objects.exists()


def test_a_failure_while_logging_leaves_no_files_behind(inbox, customer, settings):
    """The database went away mid-message: rolled back, files removed, the message kept for
    the next run (an error in the message itself sets it aside instead: see the fixtures)."""
    from django.db import OperationalError

    (inbox / "a.eml").write_bytes(eml())
    with (
        mock.patch.object(
            inbound, "_tell_owner", side_effect=OperationalError("server closed the connection")
        ),
        pytest.raises(OperationalError),
    ):
        inbound.inbox_folder_read()
    assert not Interaction.objects.exists() and not InboundReceipt.objects.exists()
    assert not any(p.is_file() for p in settings.PEYVAND_ATTACHMENTS_DIR.rglob("*"))
    assert (inbox / "a.eml").exists()  # still there for the next run
    assert inbound.inbox_folder_read().received == 1


class FakeImap:
    """Just enough of imaplib.IMAP4_SSL: a mailbox of (uid, raw, flags)."""

    boxes: dict = {}

    def __init__(self, host, port, timeout=None):
        assert timeout, "a mailbox that stops answering must not hold the worker forever"
        self.box = FakeImap.boxes.setdefault(host, {})

    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False

    def login(self, user, password):
        return "OK", [b"logged in"]

    def select(self, folder):
        return "OK", [str(len(self.box)).encode()]

    def uid(self, command, *args):
        if command == "SEARCH":
            unseen = [uid for uid, (raw, flags) in self.box.items() if "\\Seen" not in flags]
            return "OK", [b" ".join(unseen)]
        if command == "FETCH":
            raw, _flags = self.box[args[0].encode()]
            assert "PEEK" in args[1]  # fetching must not mark it read
            return "OK", [(b"1 (UID 1 BODY[] {%d}" % len(raw), raw), b")"]
        if command == "STORE":
            self.box[args[0].encode()][1].update(args[2].strip("()").split())
            return "OK", []
        raise AssertionError(command)


def test_imap_mailbox_is_read_and_marked_read_after_logging(inbox, customer, settings):
    settings.PEYVAND_IMAP_HOST = "imap.example.com"
    FakeImap.boxes = {
        "imap.example.com": {b"7": (eml(), set()), b"8": (eml(message_id="<req-2@x>", attachments=()), set())}
    }
    with mock.patch("imaplib.IMAP4_SSL", FakeImap):
        assert inbound.inbox_read().received == 2
        assert inbound.inbox_read().received == 0
    assert Interaction.objects.filter(party=customer).count() == 2
    assert all("\\Seen" in flags for _raw, flags in FakeImap.boxes["imap.example.com"].values())


# --- SMS replies and opting out -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "لغو",
        "لغو۱۱",
        "لغو 11",
        " لغو. ",
        "لغو١١",
        "STOP",
        "stop",
        "Stop!",
        "إلغاء",
        "الغاء",
        "انصراف",
        "لغو کنید",
        "UNSUBSCRIBE",
    ],
)
def test_opt_out_replies(text):
    assert is_opt_out(text)


@pytest.mark.parametrize(
    "text", ["", "سلام", "لغو جلسه فردا را اطلاع بدهید", "please stop by tomorrow", "۱۱", "ok"]
)
def test_other_replies_are_not_opt_outs(text):
    assert not is_opt_out(text)


def test_an_opt_out_reply_withdraws_sms_consent(customer, users):
    customer_services.parties.party_update(
        party=customer, actor=users["admin"], data=PartyInput(sms_consent=True)
    )
    interaction = inbound.sms_receive(sender="۰۹۱۲۱۲۳۴۵۶۷", text="لغو۱۱", key="gw-77")
    customer.refresh_from_db()
    assert customer.sms_consent is False and customer.sms_consent_source == "sms_reply"
    assert (
        interaction.party == customer and interaction.channel == "sms" and interaction.direction == "inbound"
    )
    assert (
        inbound.sms_receive(sender="09121234567", text="لغو۱۱", key="gw-77") is None
    )  # the same message again
    assert Interaction.objects.filter(party=customer, channel="sms").count() == 1


def test_an_sms_from_an_unknown_number_becomes_a_suspect(users):
    inbound.sms_receive(sender="+98 935 111 2233", text="قیمت چند است؟")
    suspect = ContactPoint.objects.get(value="+989351112233").party
    assert suspect.stage == "suspect" and Interaction.objects.get(party=suspect).body == "قیمت چند است؟"


def test_an_sms_from_no_number_is_refused(db):
    with pytest.raises(inbound.InboundError):
        inbound.sms_receive(sender="anonymous", text="hi")
    assert not Interaction.objects.exists()
