"""Talking to the outside world: SMTP and SMS gateways. No database writes here.

A backend raises ``TransientError`` when trying again later may work (a timeout, a 4xx
SMTP reply, a 5xx from a gateway) and ``PermanentError`` when it never will (an address
the server refuses, a gateway's 4xx); the outbox decides what to do with either.
"""

from __future__ import annotations


class DeliveryError(Exception):
    pass


class TransientError(DeliveryError):
    pass


class PermanentError(DeliveryError):
    pass
