"""The demo company's service desk: three months of tickets from its customers, by phone,
email, SMS and the web form, answered by the two support colleagues; some resolved and
rated, some complaints with their cause, a few still open, one breached.

Written through the services, as the agents would. The services stamp "now"; the tickets'
own moments (opened, first answered, resolved, rated) are then set to the plan's, inside the
loading transaction, so the service analysis shows a quarter of work rather than one
afternoon. Safe to run again (nothing is made twice)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from peyvand.core.models import AuditEvent, User
from peyvand.customers.models import ContactPoint, Party
from peyvand.interactions.models import Interaction
from peyvand.sales.models import Product
from peyvand.service.models import (
    Category,
    Cause,
    Channel,
    Kind,
    Message,
    Priority,
    SlaEvent,
    Status,
    Survey,
    Ticket,
)
from peyvand.service.selectors.tickets import reply_addresses
from peyvand.service.services import surveys
from peyvand.service.services.messages import ReplyInput, ticket_note, ticket_reply
from peyvand.service.services.tickets import TicketInput, ticket_open, ticket_update

AGENTS = ("fatemeh.nouri", "hamid.rostami")
DAYS = 90


@dataclass(frozen=True)
class Case:
    subject: str
    description: str
    reply: str
    kind: str
    channel: str
    compensation: str = ""


# What the desk hears: the customers' words, and the agent's first answer.
CASES = (
    Case(
        "دستگاه بسته‌بندی روشن نمی‌شود",
        "از صبح دستگاه روشن نمی‌شود و چراغ برق آن خاموش است.",
        "لطفاً فیوز پشت دستگاه را بررسی کنید؛ اگر سالم بود تکنسین اعزام می‌کنیم.",
        Kind.INCIDENT,
        Channel.PHONE,
    ),
    Case(
        "درخواست فاکتور رسمی",
        "لطفاً فاکتور رسمی سفارش ماه گذشته را با کد اقتصادی ما صادر کنید.",
        "فاکتور رسمی صادر شد و به نشانی ایمیل شما فرستاده شد.",
        Kind.REQUEST,
        Channel.EMAIL,
    ),
    Case(
        "تأخیر در ارسال سفارش",
        "سفارش ما قرار بود دیروز برسد ولی هنوز خبری نیست.",
        "سفارش از انبار خارج شده و فردا تحویل می‌شود. بابت تأخیر پوزش می‌خواهیم.",
        Kind.COMPLAINT,
        Channel.PHONE,
        "ارسال رایگان سفارش بعدی",
    ),
    Case(
        "کالای آسیب‌دیده",
        "دو کارتن از محموله با آسیب رسید و محتوای آن‌ها رطوبت دیده است.",
        "کالای آسیب‌دیده تعویض می‌شود؛ همکاران ما برای جمع‌آوری تماس می‌گیرند.",
        Kind.COMPLAINT,
        Channel.EMAIL,
        "تعویض کالا",
    ),
    Case(
        "پرسش دربارهٔ شرایط پرداخت",
        "آیا امکان پرداخت اقساطی برای سفارش‌های بالای صد میلیون ریال هست؟",
        "بله، برای مشتریان دارای قرارداد پرداخت ۶۰ روزه ممکن است.",
        Kind.QUESTION,
        Channel.WEB,
    ),
    Case(
        "تخفیف حجمی اعمال نشده",
        "در فاکتور اخیر تخفیف حجمی طبق قرارداد اعمال نشده است.",
        "فاکتور اصلاحی با تخفیف قرارداد صادر شد.",
        Kind.COMPLAINT,
        Channel.SMS,
        "فاکتور اصلاحی",
    ),
    Case(
        "آموزش کار با نرم‌افزار دستگاه",
        "برای دو نفر از همکاران جدید آموزش کار با دستگاه لازم داریم.",
        "جلسهٔ آموزشی برای هفتهٔ آینده هماهنگ شد.",
        Kind.REQUEST,
        Channel.PHONE,
    ),
    Case(
        "صدای غیرعادی دستگاه",
        "دستگاه هنگام دوخت صدای غیرعادی می‌دهد.",
        "احتمالاً تسمه فرسوده است؛ تکنسین برای بازدید هماهنگ می‌کند.",
        Kind.INCIDENT,
        Channel.EMAIL,
    ),
    Case(
        "موجودی کالا",
        "آیا از کارتن پنج‌لایهٔ بزرگ موجودی کافی برای سفارش هزار عددی دارید؟",
        "بله، موجودی کافی است و تا سه روز کاری ارسال می‌شود.",
        Kind.QUESTION,
        Channel.WEB,
    ),
    Case(
        "برخورد نامناسب راننده",
        "رانندهٔ شرکت حمل هنگام تحویل برخورد مناسبی نداشت.",
        "موضوع را با شرکت حمل پیگیری کردیم و از شما پوزش می‌خواهیم.",
        Kind.COMPLAINT,
        Channel.PHONE,
        "",
    ),
)


def write_service(users: dict[str, User], *, seed: int, anchor: dt.date) -> str:
    """Open the demo's tickets, unless there are some already."""
    if Ticket.all_objects.exists():
        return "service desk: already there"
    rng = random.Random(seed + 10)
    agents = [users[name] for name in AGENTS]
    # Customers the desk can answer: with an email address or a mobile.
    reachable = ContactPoint.objects.filter(
        Q(kind=ContactPoint.Kind.EMAIL) | Q(kind=ContactPoint.Kind.PHONE, label=ContactPoint.Label.MOBILE),
        deleted_at__isnull=True,
    ).values("party_id")
    customers = list(Party.objects.filter(deleted_at__isnull=True, pk__in=reachable).order_by("id")[:400])
    categories = list(Category.objects.order_by("order", "id"))
    causes = list(Cause.objects.order_by("order", "id"))
    products = list(Product.objects.filter(active=True).order_by("id")[:10])
    end = timezone.make_aware(dt.datetime.combine(anchor, dt.time(17, 0)))
    count = 0
    for index in range(42):
        case = CASES[index % len(CASES)]
        agent = agents[index % len(agents)]
        opened = end - dt.timedelta(days=rng.uniform(0, DAYS), hours=rng.uniform(0, 6))
        opened = opened.replace(hour=rng.choice((8, 9, 10, 11, 13, 14, 15)))
        complaint = case.kind == Kind.COMPLAINT
        since = Interaction.all_objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        ticket = ticket_open(
            actor=agent,
            data=TicketInput(
                party=rng.choice(customers),
                subject=case.subject,
                channel=case.channel,
                kind=case.kind,
                category=rng.choice(categories) if categories else None,
                product=rng.choice(products) if products and rng.random() < 0.6 else None,
                priority=rng.choices(list(Priority.values), weights=(2, 6, 3, 1))[0],
                assignee=agent,
                cause=rng.choice(causes) if complaint and causes else None,
                compensation=case.compensation if complaint else "",
                customer_stayed=rng.random() < 0.8 if complaint else None,
            ),
            description=case.description,
        )
        # The newest stay open; the rest were answered, and most of those resolved.
        age = (end - opened).days
        answered = age > 1 or rng.random() < 0.5
        addresses = reply_addresses(ticket=ticket)
        channel = Channel.EMAIL if addresses[Channel.EMAIL] else Channel.SMS
        answered = answered and bool(addresses[channel])
        if answered:
            reply = ReplyInput(body=case.reply, channel=channel, to=addresses[channel][0], status=Status.OPEN)
            ticket_reply(ticket=ticket, actor=agent, data=reply)
            if rng.random() < 0.3:
                ticket_note(ticket=ticket, actor=agent, body="با واحد انبار هماهنگ شد.")
        resolved = answered and age > 3 and rng.random() < 0.85
        if resolved:
            ticket_update(ticket=ticket, actor=agent, data=TicketInput(status=Status.RESOLVED))
        _give_past(ticket, rng, since=since, opened=opened, end=end, answered=answered, resolved=resolved)
        count += 1
    return f"service desk: {count} tickets"


def _give_past(
    ticket: Ticket,
    rng: random.Random,
    *,
    since: int,
    opened: dt.datetime,
    end: dt.datetime,
    answered: bool,
    resolved: bool,
) -> None:
    """Move what the services stamped "now" to the plan's moments: an answer some business
    hours after the ticket came in (one in twelve too late, recorded as a breach), a
    resolution days later, a rating soon after; none after ``end``. ``since`` is the last
    interaction before this ticket's: those after it are the ticket's own, and move too."""
    ticket.refresh_from_db()
    shift = opened - ticket.created_at
    first = min(opened + dt.timedelta(hours=rng.choice((0.5, 1, 2, 3, 5))), end)
    done = min(first + dt.timedelta(days=rng.uniform(0.2, 3)), end)
    rated = min(done + dt.timedelta(hours=rng.uniform(1, 30)), end)
    late = rng.random() < 1 / 12
    for name in ("first_response_due", "next_response_due", "resolution_due", "sla_running_since"):
        moment = getattr(ticket, name)
        if moment is not None:
            setattr(ticket, name, moment + shift)
    ticket.created_at = opened
    ticket.first_responded_at = first if answered else None
    ticket.resolved_at = done if resolved else None
    ticket.last_message_at = first if answered else opened
    ticket.updated_at = done if resolved else ticket.last_message_at
    if answered and late and ticket.first_response_due is not None:
        ticket.first_responded_at = min(ticket.first_response_due + dt.timedelta(hours=2), end)
        SlaEvent.objects.create(
            ticket=ticket,
            metric=SlaEvent.Metric.FIRST_RESPONSE,
            kind=SlaEvent.Kind.BREACH,
            due_at=ticket.first_response_due,
            at=ticket.first_response_due,
        )
    ticket.save()
    moved: set[int] = set()
    messages = list(Message.objects.filter(ticket=ticket).order_by("id"))
    for message, at in zip(messages, (opened, first, first + dt.timedelta(minutes=5)), strict=False):
        message.created_at = message.updated_at = at
        if message.interaction_id is not None:  # the reply on the customer's timeline
            Interaction.objects.filter(pk=message.interaction_id).update(
                occurred_at=at, created_at=at, updated_at=at
            )
            moved.add(message.interaction_id)
    Message.objects.bulk_update(messages, ["created_at", "updated_at"])
    events = AuditEvent.objects.filter(model="service.ticket", object_id=ticket.pk)
    events.filter(kind=AuditEvent.Kind.CREATE).update(at=opened)
    events.exclude(kind=AuditEvent.Kind.CREATE).update(at=ticket.updated_at)
    survey = Survey.objects.filter(ticket=ticket).first()
    if survey is not None and rng.random() < 0.7:
        surveys.survey_answer(survey=survey, score=rng.choices((1, 2, 3, 4, 5), weights=(1, 1, 2, 5, 6))[0])
        Survey.objects.filter(pk=survey.pk).update(sent_at=done, answered_at=rated)
    elif survey is not None:
        Survey.objects.filter(pk=survey.pk).update(sent_at=done)
    # What else the ticket put on the timeline: the survey sent at resolution, the rating.
    rest = Interaction.all_objects.filter(pk__gt=since).exclude(pk__in=moved)
    sent = survey.outbound.interaction_id if survey is not None and survey.outbound is not None else None
    if sent is not None:
        rest.filter(pk=sent).update(occurred_at=done, created_at=done, updated_at=done)
        rest = rest.exclude(pk=sent)
    rest.update(occurred_at=rated, created_at=rated, updated_at=rated)
