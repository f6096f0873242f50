from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "peyvand.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from peyvand.core import policy

        from . import models as m
        from .extensions import register_extensions

        policy.register(m.Lead, resource="lead", owner="owner_id")
        policy.register(m.LeadTouch, resource="lead", owner="lead__owner_id")
        # Everything that follows from a deal belongs to whoever owns the deal (copied onto
        # each document, so an order without a deal, such as an imported one, has one too).
        policy.register(m.Deal, resource="deal", owner="owner_id")
        policy.register(m.DealLine, resource="deal", owner="deal__owner_id")
        policy.register(m.Quote, resource="deal", owner="owner_id")
        policy.register(m.Order, resource="deal", owner="owner_id")
        policy.register(m.Invoice, resource="deal", owner="owner_id")
        policy.register(m.Payment, resource="deal", owner="invoice__owner_id")
        register_extensions()
