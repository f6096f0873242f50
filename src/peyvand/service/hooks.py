"""The service desk's registrations: its records in the permission policy, its menu items,
its card on the customer page, its notifications, and the email it threads onto tickets."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peyvand.core import hooks, policy
from peyvand.core.custom_fields import Entity
from peyvand.core.http import request_user
from peyvand.core.models import Role, Scope
from peyvand.core.selectors import search
from peyvand.core.selectors.custom_fields import register_entity
from peyvand.core.selectors.setup import changed_by_someone
from peyvand.interactions.models import Interaction
from peyvand.interactions.services.inbound import EMAIL_RECEIVED, SMS_RECEIVED
from peyvand.notifications import kinds

from .models import (
    Article,
    Message,
    Priority,
    ServiceContract,
    SlaEvent,
    Ticket,
    WorkOrder,
    WorkPart,
    WorkPhoto,
)
from .selectors.field import party_work
from .selectors.home import tickets_card
from .selectors.tickets import party_tickets
from .services.messages import ticket_for_email, ticket_for_sms

# Support works its team's queue: tickets nobody holds yet are the team's to pick up.
_SUPPORT_WORKS_THE_QUEUE: dict[str, dict[str, Scope]] = {
    Role.SUPPORT: {"view": Scope.TEAM, "change": Scope.TEAM}
}


# The knowledge base is read by everyone who works with customers, and written by support
# (their team's articles) and managers (all).
_EVERYONE_READS_THE_KNOWLEDGE_BASE: dict[str, dict[str, Scope]] = {
    Role.MANAGER: {"view": Scope.ALL, "change": Scope.ALL},
    Role.SALES: {"view": Scope.ALL, "change": Scope.NONE},
    Role.SUPPORT: {"view": Scope.ALL, "change": Scope.TEAM},
    Role.MARKETING: {"view": Scope.ALL, "change": Scope.NONE},
}


# A visit is its technician's; support dispatch their team's, managers everyone's.
# Marketing has no business on a customer's site.
_TECHNICIANS_WORK_THEIR_VISITS: dict[str, dict[str, Scope]] = {
    Role.MANAGER: {"view": Scope.ALL, "change": Scope.ALL},  # the dispatcher sends anyone
    Role.MARKETING: {"view": Scope.NONE, "change": Scope.NONE},
}

# Contracts are seen by whoever serves the customer, sold by sales, kept by managers.
_CONTRACTS: dict[str, dict[str, Scope]] = {
    Role.MANAGER: {"view": Scope.ALL, "change": Scope.ALL},
    Role.SUPPORT: {"view": Scope.ALL, "change": Scope.NONE},
    Role.MARKETING: {"view": Scope.NONE, "change": Scope.NONE},
}


def _find_work_orders(user: Any, query: str, limit: int) -> list[hooks.SearchHit]:
    return search.hits(
        user,
        search.matching(WorkOrder.objects.prefetch_related("party"), query),
        limit,
        url=lambda work: reverse("service:work_order_detail", args=[work.pk]),
        title=lambda work: f"{work.number} · {work.title}",
        detail=lambda work: work.party.display_name if work.party else "",
    )


def _find_tickets(user: Any, query: str, limit: int) -> list[hooks.SearchHit]:
    return search.hits(
        user,
        search.matching(Ticket.objects.prefetch_related("party"), query),
        limit,
        url=lambda ticket: reverse("service:ticket_detail", args=[ticket.pk]),
        title=lambda ticket: f"{ticket.number} · {ticket.subject}",
        detail=lambda ticket: ticket.party.display_name if ticket.party else "",
    )


def _find_articles(user: Any, query: str, limit: int) -> list[hooks.SearchHit]:
    return search.hits(
        user,
        search.matching(Article.objects.all(), query),
        limit,
        url=lambda article: reverse("service:article_detail", args=[article.pk]),
    )


def register() -> None:
    hooks.register_search(
        hooks.SearchSource("ticket", gettext_lazy("Tickets"), "bi-life-preserver", _find_tickets, order=40)
    )
    hooks.register_search(
        hooks.SearchSource(
            "article", gettext_lazy("Knowledge base"), "bi-journal-text", _find_articles, order=41
        )
    )
    hooks.register_search(
        hooks.SearchSource("work_order", gettext_lazy("Work orders"), "bi-truck", _find_work_orders, order=42)
    )
    policy.register_resource("ticket", gettext_lazy("Tickets"), order=60, defaults=_SUPPORT_WORKS_THE_QUEUE)
    # A ticket is its assignee's; unassigned ones are in the queue of whoever has team scope.
    policy.register(Ticket, resource="ticket", owner="assignee_id")
    register_entity(Entity.TICKET, Ticket, order=("created_at", "id"))  # the list's default order
    policy.register(Message, resource="ticket", owner="ticket__assignee_id", change_owner="author_id")
    policy.register_resource(
        "article", gettext_lazy("Knowledge base"), order=61, defaults=_EVERYONE_READS_THE_KNOWLEDGE_BASE
    )
    # An article is its author's; whoever may change the team's writes it with them.
    policy.register(Article, resource="article", owner="created_by_id")

    policy.register_resource(
        "work_order", gettext_lazy("Field service"), order=62, defaults=_TECHNICIANS_WORK_THEIR_VISITS
    )
    policy.register(WorkOrder, resource="work_order", owner="technician_id")
    policy.register(WorkPart, resource="work_order", owner="work_order__technician_id")
    policy.register(WorkPhoto, resource="work_order", owner="work_order__technician_id")
    policy.register_resource(
        "service_contract", gettext_lazy("Service contracts"), order=63, defaults=_CONTRACTS
    )
    # Seen with the customer: the customer's owner's team reaches it.
    policy.register(ServiceContract, resource="service_contract", owner="party__owner_id")

    def sees_tickets(user: object) -> bool:
        return policy.scope(user, "ticket", "view") != Scope.NONE

    # The first-run set-up: the working week and holidays that service promises are counted in.
    hooks.register_setup_step(
        hooks.SetupStep(
            "working-week",
            gettext_lazy("Set your working week and holidays"),
            gettext_lazy(
                "Working days and hours, and the holidays of the Iranian calendar, that tickets' "
                "response and resolution times are counted in."
            ),
            "service:settings",
            lambda: changed_by_someone("service.businesscalendar"),
            order=40,
            icon="bi-calendar-week",
        )
    )

    hooks.register_nav(
        hooks.NavItem(
            "tickets",
            gettext_lazy("Tickets"),
            "service:ticket_list",
            "bi-life-preserver",
            order=35,
            visible=sees_tickets,
        )
    )
    hooks.register_nav(
        hooks.NavItem(
            "service-analysis",
            gettext_lazy("Service analysis"),
            "service:analysis",
            "bi-bar-chart-line",
            order=36,
            visible=sees_tickets,
        )
    )
    hooks.register_nav(
        hooks.NavItem(
            "knowledge",
            gettext_lazy("Knowledge base"),
            "service:article_list",
            "bi-journal-text",
            order=37,
            visible=lambda user: policy.scope(user, "article", "view") != Scope.NONE,
        )
    )
    hooks.register_nav(
        hooks.NavItem(
            "field",
            gettext_lazy("Field service"),
            "service:dispatch_board",
            "bi-truck",
            order=38,
            visible=lambda user: policy.scope(user, "work_order", "view") != Scope.NONE,
        )
    )
    hooks.register_nav(
        hooks.NavItem(
            "service-settings", gettext_lazy("Customer service"), "service:settings", menu="admin", order=70
        )
    )
    hooks.register_panel(
        "party", hooks.Panel("tickets", "service/_party_panel.html", _party_panel, "side", 15)
    )
    hooks.register_panel("party", hooks.Panel("field", "service/_party_field.html", _party_field, "side", 16))
    hooks.register_panel(
        "home", hooks.Panel("tickets", "service/_home_tickets.html", _home_tickets, "main", 30, charts=True)
    )
    hooks.register_panel(
        "call", hooks.Panel("ticket", "service/_call_action.html", _call_action, "actions", 10)
    )
    hooks.register_value_display("service.ticket", "priority", _priority)
    hooks.on_customer_event(EMAIL_RECEIVED, _email_received)
    hooks.on_customer_event(SMS_RECEIVED, _sms_received)
    _register_notifications()


def _home_tickets(request: HttpRequest, _obj: Any) -> dict[str, Any] | None:
    """The home page's tickets card: support's own, a manager's team's, an administrator's all."""
    card = tickets_card(user=request_user(request))
    return {"card": card} if card is not None else None


def _party_panel(request: HttpRequest, party: Any) -> dict[str, Any] | None:
    user = request_user(request)
    if policy.scope(user, "ticket", "view") == Scope.NONE:
        return None
    tickets, open_count = party_tickets(user=user, party=party)
    return {"tickets": tickets, "open": open_count, "can_create": policy.can_create(user, Ticket)}


def _party_field(request: HttpRequest, party: Any) -> dict[str, Any] | None:
    user = request_user(request)
    sees_visits = policy.scope(user, "work_order", "view") != Scope.NONE
    sees_contracts = policy.scope(user, "service_contract", "view") != Scope.NONE
    if not (sees_visits or sees_contracts):
        return None
    visits, contracts = party_work(user=user, party=party)
    return {
        "visits": visits if sees_visits else [],
        "contracts": contracts if sees_contracts else [],
        "can_create_visit": policy.can_create(user, WorkOrder),
        "can_create_contract": policy.can_create(user, ServiceContract),
    }


def _call_action(request: HttpRequest, notification: Any) -> dict[str, Any] | None:
    """A ringing call's "New ticket": for a caller who is a customer, by whoever may open one."""
    if not notification.party_id or not policy.can_create(request_user(request), Ticket):
        return None
    return {"party_id": notification.party_id}


def _email_received(event: hooks.CustomerEvent) -> None:
    assert isinstance(event.record, Interaction)
    ticket_for_email(party=event.party, interaction=event.record, details=dict(event.details or {}))


def _sms_received(event: hooks.CustomerEvent) -> None:
    assert isinstance(event.record, Interaction)
    opt_out = bool((event.details or {}).get("opt_out"))
    ticket_for_sms(party=event.party, interaction=event.record, opt_out=opt_out)


def _priority(value: Any) -> str:
    return str(Priority(value).label) if value in Priority.values else str(value)


def _metric(data: Any) -> str:
    try:
        return str(SlaEvent.Metric(data.get("metric")).label)
    except ValueError:
        return ""


def _register_notifications() -> None:
    def fill(template: str, data: Any, **extra: Any) -> str:
        try:
            return template % {**data, **extra}
        except (KeyError, TypeError, ValueError):
            return template

    kinds.register(
        "ticket_assigned",
        kinds.Kind(
            gettext_lazy("Ticket assigned"),
            "bi-life-preserver",
            kinds.ALERTS,
            lambda d: fill(_("Ticket %(number)s is yours: %(subject)s"), d),
        ),
    )
    kinds.register(
        "ticket_reply",
        kinds.Kind(
            gettext_lazy("Customer replied"),
            "bi-reply",
            kinds.ALERTS,
            lambda d: fill(_("%(party)s answered on %(number)s: %(subject)s"), d),
        ),
    )
    kinds.register(
        "survey_poor",
        kinds.Kind(
            gettext_lazy("Unhappy customer"),
            "bi-emoji-frown",
            kinds.ALERTS,
            lambda d: fill(_("%(number)s was rated %(score)s: %(subject)s"), d),
        ),
    )
    kinds.register(
        "work_assigned",
        kinds.Kind(
            gettext_lazy("Visit booked"),
            "bi-truck",
            kinds.ALERTS,
            lambda d: fill(_("%(number)s is yours, %(when)s: %(title)s"), d),
        ),
    )
    kinds.register(
        "sla_warning",
        kinds.Kind(
            gettext_lazy("SLA about to be missed"),
            "bi-hourglass-split",
            kinds.ALERTS,
            lambda d: fill(_("%(metric)s of %(number)s is due soon: %(subject)s"), d, metric=_metric(d)),
        ),
    )
    kinds.register(
        "sla_breach",
        kinds.Kind(
            gettext_lazy("SLA missed"),
            "bi-exclamation-octagon",
            kinds.ALERTS,
            lambda d: fill(_("%(metric)s of %(number)s is overdue: %(subject)s"), d, metric=_metric(d)),
        ),
    )
