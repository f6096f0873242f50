"""Every non-trivial read of the service desk, through the permission policy."""

from . import sla, tickets

__all__ = ["sla", "tickets"]
