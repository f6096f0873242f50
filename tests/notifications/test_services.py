"""Notifications (idempotent by key, emailed on request), the messenger and @mentions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from peyvand.customers import services as customer_services
from peyvand.interactions.models import OutboundMessage
from peyvand.notifications import kinds, selectors, services
from peyvand.notifications.models import Conversation, Message, Notification


def test_a_key_is_delivered_once(users):
    first = services.notifications.notify(
        recipient=users["sales"], kind="reminder", key="k1", data={"title": "x"}
    )
    again = services.notifications.notify(
        recipient=users["sales"], kind="reminder", key="k1", data={"title": "x"}
    )
    other = services.notifications.notify(
        recipient=users["sales2"], kind="reminder", key="k1", data={"title": "x"}
    )
    assert first is not None and again is None and other is not None
    assert Notification.objects.count() == 2


def test_inactive_users_are_not_notified(users):
    users["sales"].is_active = False
    users["sales"].save()
    assert services.notifications.notify(recipient=users["sales"], kind="message", data={}) is None


def test_text_is_written_in_the_readers_language(users):
    note = services.notifications.notify(
        recipient=users["sales"], kind="reminder", data={"title": "تماس", "when": "2025-03-10T06:30:00+00:00"}
    )
    with translation.override("fa"):
        assert "۱۴۰۳/۱۲/۲۰ ۱۰:۰۰" in kinds.notification_text(note)
    with translation.override("en"):
        text = kinds.notification_text(note)
        assert text.startswith("Reminder: تماس") and "2025-03-10" in text


def test_unknown_kinds_and_broken_data_still_read(users):
    odd = services.notifications.notify(
        recipient=users["sales"], kind="from_the_future", data={"text": "hello"}
    )
    assert kinds.notification_text(odd) == "hello"
    broken = services.notifications.notify(recipient=users["sales"], kind="reminder", data={})
    assert kinds.notification_text(broken)


def test_email_copy_follows_each_users_choice(users, django_capture_on_commit_callbacks):
    users["sales"].email = "sara@example.com"
    users["sales"].language = "en"
    users["sales"].save()
    data = {"title": "Call back", "when": "2025-03-10T06:30:00+00:00"}
    services.notifications.notify(recipient=users["sales"], kind="reminder", data=data, url="/activities/1/")
    assert not OutboundMessage.objects.exists()  # nobody asked yet
    services.preferences.preference_update(user=users["sales"], data={"email_reminders": True})
    services.notifications.notify(recipient=users["sales"], kind="overdue", data=data)  # alerts: not asked
    services.notifications.notify(
        recipient=users["sales"], kind="reminder", data=data, url="/activities/1/", late=True
    )
    email = OutboundMessage.objects.get()
    assert email.to_address == "sara@example.com" and email.purpose == "notification"
    assert email.subject.startswith("Peyvand: Reminder: Call back") and 'dir="ltr"' in email.body_html
    assert "http://127.0.0.1:8000/activities/1/" in email.body_text and "late" in email.body_text
    services.notifications.notify(
        recipient=users["sales"], kind="call", data={"number": "+989121234567"}
    )  # never by email
    assert OutboundMessage.objects.count() == 1


def test_preferences_reject_unknown_fields_and_reminders(users):
    with pytest.raises(ValidationError):
        services.preferences.preference_update(user=users["sales"], data={"email_everything": True})
    with pytest.raises(ValidationError):
        services.preferences.preference_update(user=users["sales"], data={"default_reminders": [7]})
    assert selectors.notifications.default_reminders(user=users["sales"]) == [15]
    services.preferences.preference_update(user=users["sales"], data={"default_reminders": [1440, 0, 1440]})
    assert selectors.notifications.default_reminders(user=users["sales"]) == [0, 1440]


def test_only_the_recipient_marks_read(users):
    note = services.notifications.notify(recipient=users["sales"], kind="message", data={})
    with pytest.raises(PermissionDenied):
        services.notifications.notification_mark_read(notification=note, user=users["manager"])
    services.notifications.notification_mark_read(notification=note, user=users["sales"])
    assert selectors.notifications.unread_count(user=users["sales"]) == 0


def test_unread_count_is_capped(users):
    Notification.objects.bulk_create(
        [
            Notification(recipient=users["sales"], kind="message", created_at="2025-01-01T00:00Z")
            for _ in range(120)
        ]
    )
    assert selectors.notifications.unread_count(user=users["sales"]) == 100
    assert services.notifications.notifications_mark_all_read(user=users["sales"]) == 120


# --- the messenger ------------------------------------------------------------------------


def test_messages_between_two_users_share_one_conversation(users):
    first = services.messages.message_send(
        sender=users["sales"], recipient=users["manager"], body="گزارش آماده است"
    )
    reply = services.messages.message_send(sender=users["manager"], recipient=users["sales"], body="ممنون")
    assert first.conversation_id == reply.conversation_id and Conversation.objects.count() == 1
    told = Notification.objects.get(recipient=users["manager"], kind="message")
    assert told.actor == users["sales"] and told.url == f"/messages/{users['sales'].pk}/"
    assert services.messages.conversation_mark_read(user=users["manager"], other=users["sales"]) == 1
    assert Notification.objects.get(pk=told.pk).read_at is not None


@pytest.mark.parametrize("body, recipient", [("", "manager"), ("x" * 5001, "manager"), ("hi", "sales")])
def test_bad_messages_change_nothing(users, body, recipient):
    with pytest.raises(ValidationError):
        services.messages.message_send(sender=users["sales"], recipient=users[recipient], body=body)
    assert not Message.objects.exists() and not Notification.objects.exists()


# --- @mentions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, names",
    [
        ("@sales2 لطفاً پیگیری کن", ["sales2"]),
        ("با @manager و @Sales2. هماهنگ شد", ["manager", "Sales2"]),
        ("ایمیل ali@example.com را ببین", []),
        ("(@support)", ["support"]),
        ("@sales2 @sales2 again", ["sales2"]),
    ],
)
def test_mentions_are_found(text, names):
    assert services.mentions.mentioned_usernames(text) == names


def test_a_note_mentioning_colleagues_notifies_those_who_may_see_it(users, make_person):
    party = make_person()
    note = customer_services.notes.note_add(
        party=party, actor=users["sales"], body="@sales2 و @outsider و @sales: فردا تماس بگیرید"
    )
    # Adding the note told them: sales2 only, not the outsider (cannot see it), not the author.
    mention = Notification.objects.get(kind="mention")
    assert mention.recipient == users["sales2"]
    assert mention.url == f"/customers/{party.pk}/" and mention.data["party"] == party.display_name
    assert services.mentions.note_mentions_notify(note=note, actor=users["sales"]) == []  # once per note
    customer_services.notes.note_update(note=note, actor=users["sales"], body=note.body + " @manager")
    assert sorted(n.recipient.username for n in Notification.objects.filter(kind="mention")) == [
        "manager",
        "sales2",
    ]


def test_the_email_subject_is_one_translated_sentence(users):
    users["sales"].email = "sara@example.com"
    users["sales"].language = "fa"
    users["sales"].save()
    services.preferences.preference_update(user=users["sales"], data={"email_reminders": True})
    services.notifications.notify(
        recipient=users["sales"], kind="reminder", data={"title": "تماس", "when": ""}
    )
    assert OutboundMessage.objects.get().subject.startswith("پیوند: یادآوری: تماس")
