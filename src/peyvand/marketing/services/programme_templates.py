"""The three ready programmes: a welcome series, a win-back for customers at risk, and a
post-purchase cross-sell. Each is made as a draft in the installation's language (its
name, its entry segment, tags and tasks), with its messages written in every language, to
be read over and started.

The win-back's entry uses what the analysis writes back onto customers: a churn risk of
60 % or more, or the RFM cells "at risk" and "can't lose them".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import User

from ..models import Channel, Programme, Segment, Step
from . import programmes
from .segments import SegmentInput, segment_create

K = Step.Kind


@dataclass(frozen=True)
class Draft:
    kind: str
    amount: int = 0
    unit: str = "days"
    channel: str = ""
    message: str = ""  # a key of MESSAGES
    condition: str = ""
    yes: int | None = None
    no: int | None = None
    text: str = ""  # a key of WORDS


# The words a programme keeps in the installation's language.
WORDS: dict[str, dict[str, str]] = {
    "fa": {
        "welcome": "سری خوشامد",
        "welcome_description": "به مشتریان تازه خوشامد می‌گوید، راهنمایی می‌کند و پیشنهاد اولین خرید را می‌دهد.",
        "welcome_segment": "مشتریان تازه (۷ روز اخیر)",
        "welcome_call": "تماس خوشامد با مشتری تازه",
        "welcome_bought": "خرید پس از خوشامد",
        "win_back": "بازگرداندن مشتریان در خطر",
        "win_back_description": "برای مشتریانی که احتمال ریزششان بالاست پیشنهاد ویژه می‌فرستد "
        "و در نبود پاسخ، تماس را به مسئولشان می‌سپارد.",
        "win_back_segment": "مشتریان در خطر ریزش",
        "win_back_call": "تماس با مشتری در خطر ریزش",
        "won_back": "بازگشته",
        "cross_sell": "فروش مکمل پس از خرید",
        "cross_sell_description": "چند روز پس از خرید، محصولات مکمل را پیشنهاد می‌دهد "
        "و از علاقه‌مندان سرنخ می‌سازد.",
        "cross_sell_segment": "خریداران هفته اخیر",
        "cross_sell_lead": "علاقه به محصولات مکمل",
    },
    "en": {
        "welcome": "Welcome series",
        "welcome_description": "Welcomes new customers, shows them around and offers a first purchase.",
        "welcome_segment": "New customers (last 7 days)",
        "welcome_call": "Welcome call to a new customer",
        "welcome_bought": "bought after welcome",
        "win_back": "Win back customers at risk",
        "win_back_description": "Sends customers likely to leave a special offer and, without an answer, "
        "asks their owner to call.",
        "win_back_segment": "Customers at risk of leaving",
        "win_back_call": "Call a customer at risk of leaving",
        "won_back": "won back",
        "cross_sell": "Post-purchase cross-sell",
        "cross_sell_description": "A few days after a purchase, offers related products and makes a lead "
        "of those interested.",
        "cross_sell_segment": "Bought in the last week",
        "cross_sell_lead": "Interested in related products",
    },
}

# Each message in every language: (subject, body); an email's body is HTML.
MESSAGES: dict[str, dict[str, tuple[str, str]]] = {
    "welcome_email": {
        "fa": (
            "{first_name} عزیز، خوش آمدید",
            "<p>{first_name} عزیز،</p><p>از اینکه به جمع مشتریان {sender} پیوستید خوشحالیم. "
            "هر پرسشی داشتید کافی است به همین ایمیل پاسخ دهید.</p>",
        ),
        "en": (
            "Welcome, {first_name}",
            "<p>Dear {first_name},</p><p>We are glad to have you with us. If you have any question, "
            "just reply to this email.</p>",
        ),
    },
    "welcome_sms": {
        "fa": ("", "{first_name} عزیز، خوش آمدید! ایمیل خوشامد ما را دیدید؟ برای هر پرسشی در خدمتیم."),
        "en": ("", "Welcome, {first_name}! Did you see our welcome email? We are here for any question."),
    },
    "welcome_offer": {
        "fa": (
            "پیشنهاد اولین خرید برای {first_name}",
            "<p>{first_name} عزیز،</p><p>برای اولین خریدتان پیشنهاد ویژه‌ای کنار گذاشته‌ایم. "
            "برای دیدن آن پاسخ دهید یا با ما تماس بگیرید.</p>",
        ),
        "en": (
            "An offer for your first purchase, {first_name}",
            "<p>Dear {first_name},</p><p>We have set aside a special offer for your first purchase. "
            "Reply or call us to hear about it.</p>",
        ),
    },
    "win_back_sms": {
        "fa": ("", "{first_name} عزیز، دلمان برایتان تنگ شده! این هفته خریدتان با تخفیف ویژه است."),
        "en": ("", "We miss you, {first_name}! Your next purchase this week comes with a special discount."),
    },
    "win_back_email": {
        "fa": (
            "{first_name} عزیز، هنوز منتظرتان هستیم",
            "<p>{first_name} عزیز،</p><p>مدتی است از شما خبری نداریم. اگر چیزی باب میلتان نبوده، "
            "با پاسخ به همین ایمیل به ما بگویید؛ پیشنهاد ویژه‌مان هنوز برقرار است.</p>",
        ),
        "en": (
            "We are still here for you, {first_name}",
            "<p>Dear {first_name},</p><p>We have not heard from you for a while. If something was not "
            "right, tell us by replying to this email; our special offer still stands.</p>",
        ),
    },
    "cross_sell_email": {
        "fa": (
            "{first_name} عزیز، از خریدتان ممنونیم",
            "<p>{first_name} عزیز،</p><p>امیدواریم از خریدتان راضی باشید. محصولاتی که کنار آن "
            "به کارتان می‌آید را برایتان کنار گذاشته‌ایم؛ برای دیدنشان پاسخ دهید.</p>",
        ),
        "en": (
            "Thank you for your purchase, {first_name}",
            "<p>Dear {first_name},</p><p>We hope you are happy with your purchase. We have picked "
            "products that go well with it; reply to see them.</p>",
        ),
    },
    "cross_sell_sms": {
        "fa": ("", "{first_name} عزیز، محصولات مکمل خرید اخیرتان این هفته با تخفیف است."),
        "en": ("", "{first_name}, the products that go with your last purchase are on offer this week."),
    },
}

TEMPLATES: dict[str, dict[str, Any]] = {
    Programme.Template.WELCOME: {
        "rule": {"match": "all", "groups": [{"match": "all", "conditions": [
            {"field": "created", "op": "within", "value": 7},
        ]}]},
        "reentry_days": None,
        "steps": [
            Draft(K.SEND, channel=Channel.EMAIL, message="welcome_email"),  # 1
            Draft(K.BRANCH, 3, condition=Step.Condition.OPENED, yes=4, no=3),  # 2
            Draft(K.SEND, channel=Channel.SMS, message="welcome_sms"),  # 3
            Draft(K.WAIT, 4),  # 4
            Draft(K.SEND, channel=Channel.EMAIL, message="welcome_offer"),  # 5
            Draft(K.BRANCH, 7, condition=Step.Condition.BOUGHT, yes=9, no=7),  # 6
            Draft(K.TASK, text="welcome_call"),  # 7
            Draft(K.EXIT),  # 8
            Draft(K.TAG, text="welcome_bought"),  # 9
        ],
    },
    Programme.Template.WIN_BACK: {
        "rule": {"match": "any", "groups": [{"match": "any", "conditions": [
            {"field": "churn_risk", "op": "gte", "value": 60},
            {"field": "rfm_cell", "op": "in", "value": ["at_risk", "cant_lose"]},
        ]}]},
        "reentry_days": 90,
        "steps": [
            Draft(K.SEND, channel=Channel.SMS, message="win_back_sms"),  # 1
            Draft(K.BRANCH, 7, condition=Step.Condition.BOUGHT, yes=7, no=3),  # 2
            Draft(K.SEND, channel=Channel.EMAIL, message="win_back_email"),  # 3
            Draft(K.BRANCH, 7, condition=Step.Condition.BOUGHT, yes=7, no=5),  # 4
            Draft(K.TASK, text="win_back_call"),  # 5
            Draft(K.EXIT),  # 6
            Draft(K.TAG, text="won_back"),  # 7
        ],
    },
    Programme.Template.CROSS_SELL: {
        "rule": {"match": "all", "groups": [{"match": "all", "conditions": [
            {"field": "order_count", "op": "gte", "value": 1, "period": {"days": 7}},
        ]}]},
        "reentry_days": 30,
        "steps": [
            Draft(K.WAIT, 3),  # 1
            Draft(K.SEND, channel=Channel.EMAIL, message="cross_sell_email"),  # 2
            Draft(K.BRANCH, 5, condition=Step.Condition.CLICKED, yes=4, no=6),  # 3
            Draft(K.LEAD, text="cross_sell_lead"),  # 4
            Draft(K.EXIT),  # 5
            Draft(K.SEND, channel=Channel.SMS, message="cross_sell_sms"),  # 6
        ],
    },
}  # fmt: skip


def installation_language() -> str:
    code = settings.LANGUAGE_CODE.split("-")[0]
    return code if code in WORDS else "en"


@transaction.atomic
def programme_from_template(*, actor: User, template: str, language: str | None = None) -> Programme:
    """A draft programme made from a ready template, with its entry segment and its steps."""
    if template not in TEMPLATES:
        raise ValidationError({"template": [_("Choose a template.")]})
    policy.require_create(actor, Programme)
    words = WORDS[language if language in WORDS else installation_language()]
    spec = TEMPLATES[template]
    segment: Segment | None = None
    if policy.can_create(actor, Segment):
        segment = segment_create(
            actor=actor,
            data=SegmentInput(
                name=words[f"{template}_segment"], kind=Segment.Kind.DYNAMIC, rule=spec["rule"]
            ),
        )
    programme = programmes.programme_create(
        actor=actor,
        data=programmes.ProgrammeInput(
            name=words[template],
            description=words[f"{template}_description"],
            entry_segment=segment,
            reentry_days=spec["reentry_days"],
            default_language=installation_language(),
        ),
        template=template,
    )
    drafts: list[Draft] = spec["steps"]
    made = [
        programmes.step_add(programme=programme, actor=actor, data=_input(draft, words)) for draft in drafts
    ]
    for draft, step in zip(drafts, made, strict=True):
        if draft.kind == K.BRANCH:
            step.yes_step = made[draft.yes - 1] if draft.yes else None
            step.no_step = made[draft.no - 1] if draft.no else None
            step.save(update_fields=["yes_step", "no_step"])
    return programme


def _input(draft: Draft, words: dict[str, str]) -> programmes.StepInput:
    content: dict[str, str] = {}
    if draft.message:
        for code, (subject, body) in MESSAGES[draft.message].items():
            if draft.channel == Channel.EMAIL:
                content[f"subject_{code}"] = subject
            content[f"body_{code}"] = body
    return programmes.StepInput(
        kind=draft.kind,
        amount=draft.amount,
        unit=draft.unit,
        channel=draft.channel or Channel.EMAIL,
        condition=draft.condition,
        text=words[draft.text] if draft.text else "",
        subject_fa=content.get("subject_fa", ""),
        body_fa=content.get("body_fa", ""),
        subject_en=content.get("subject_en", ""),
        body_en=content.get("body_en", ""),
    )
