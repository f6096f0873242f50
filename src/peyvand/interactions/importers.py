"""Past interactions as a kind of the import machinery (``customers.importer``): the fields a
column can feed, with what such a column is called in Persian and English (and as the API
names the field), and the reader, writer and undo of ``services.imports``. Registered from
the app's hooks."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peyvand.core.hooks import register_change_label
from peyvand.customers import importer
from peyvand.customers.importer import Importer, Requirement, Target, headers
from peyvand.customers.importer import writer as bulk
from peyvand.customers.models import ImportJob

from .services import imports

Policy = ImportJob.Policy

TARGETS = (
    Target(
        "customer",
        _("Customer (id, email, phone or national ID)"),
        headers("customer", "client", "contact", "party", "مشتری", "طرف حساب", "مخاطب"),
    ),
    Target(
        "customer_id",
        _("Customer's id"),
        headers(
            "customer id",
            "customer_id",
            "party_id",
            "party id",
            "client id",
            "customer number",
            "شناسه مشتری",
            "کد مشتری",
            "شماره مشتری",
        ),
    ),
    Target(
        "email",
        _("Customer's email"),
        headers("email", "e-mail", "customer email", "ایمیل", "ایمیل مشتری", "پست الکترونیک", "رایانامه"),
    ),
    Target(
        "phone",
        _("Customer's phone"),
        headers(
            "phone",
            "mobile",
            "customer phone",
            "phone number",
            "number",
            "تلفن",
            "موبایل",
            "همراه",
            "شماره تماس",
            "شماره تلفن",
            "تلفن مشتری",
            "شماره همراه",
        ),
    ),
    Target(
        "national_id",
        _("Customer's national ID"),
        headers("national id", "national code", "کد ملی", "شناسه ملی"),
    ),
    Target(
        "customer_name",
        _("Customer's name (for new suspects)"),
        headers("customer name", "name", "full name", "نام مشتری", "نام", "نام و نام خانوادگی"),
    ),
    Target(
        "channel",
        _("Channel"),
        headers(
            "channel", "kind", "type", "interaction type", "medium", "کانال", "نوع", "نوع تعامل", "روش ارتباط"
        ),
    ),
    Target("direction", _("Direction"), headers("direction", "in/out", "جهت", "ورودی/خروجی")),
    Target(
        "occurred_at",
        _("Date and time"),
        headers(
            "occurred_at",
            "occurred at",
            "date",
            "datetime",
            "date and time",
            "time",
            "when",
            "تاریخ",
            "زمان",
            "تاریخ و ساعت",
            "تاریخ و زمان",
            "ساعت",
        ),
    ),
    Target("subject", _("Subject"), headers("subject", "title", "topic", "موضوع", "عنوان")),
    Target(
        "body",
        _("Details"),
        headers(
            "body",
            "summary",
            "details",
            "description",
            "notes",
            "note",
            "text",
            "message",
            "شرح",
            "خلاصه",
            "توضیحات",
            "متن",
            "جزئیات",
            "یادداشت",
            "پیام",
        ),
    ),
    Target("outcome", _("Outcome"), headers("outcome", "result", "نتیجه", "پیامد")),
    Target(
        "duration",
        _("Duration (calls)"),
        headers("duration", "call duration", "length", "مدت", "مدت تماس", "مدت مکالمه", "مدت زمان"),
    ),
    Target(
        "handled_by",
        _("Handled by (username or email)"),
        headers(
            "handled_by",
            "handled by",
            "user",
            "agent",
            "staff",
            "operator",
            "username",
            "کاربر",
            "کارشناس",
            "اپراتور",
            "پاسخگو",
            "انجام دهنده",
            "نام کاربری",
        ),
    ),
    Target(
        "external_id",
        _("External id (skips what was imported before)"),
        headers(
            "external_id",
            "external id",
            "id",
            "reference",
            "ref",
            "record id",
            "شناسه",
            "شناسه خارجی",
            "کد پیگیری",
            "شماره پیگیری",
            "شماره مرجع",
        ),
    ),
)


def register() -> None:
    """Past interactions, for whoever may import people."""
    importer.register(
        Importer(
            key=imports.INTERACTIONS,
            label=_("Past interactions"),
            may_import=imports.may_import,
            require=imports.require_import,
            targets=TARGETS,
            requirements=(
                Requirement(
                    ("customer", "customer_id", "email", "phone", "national_id"),
                    _("Choose the column with the customer (an id, an email, a phone or a national ID)."),
                ),
                Requirement(("channel",), _("Choose the column with the channel.")),
                Requirement(("occurred_at",), _("Choose the column with the date.")),
            ),
            reader=imports.InteractionReader,
            writer=imports.InteractionWriter,
            undo=imports.interactions_undo,
            duplicate=_("When a row's customer is not found"),
            policies=(
                (Policy.REFUSE, _("Report the row as a problem")),
                (Policy.CREATE, _("Create the customer as a suspect from the row's name, email and phone")),
            ),
            default_policy=Policy.REFUSE,
            start_url=("interaction_import", ()),
            list_url=("party_list", ("person",)),
            list_label=_("Go to people"),
            undo_confirm=_(
                "Undo this import? The interactions it brought in go to the trash, with the customers "
                "it created."
            ),
            undone=_(
                "The import was undone: its interactions and the customers it created are in the trash."
            ),
            nav="interaction-import",
            read_ahead=True,
            session=bulk.bulk_session,
        )
    )
    register_change_label("interactions", _("interactions"))
