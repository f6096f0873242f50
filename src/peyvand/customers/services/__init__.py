"""Every write to the customer database. Import the area's module:
``services.parties.party_create``, ``services.merge.party_merge``.

Each one checks the permission policy, validates and normalises its input, writes in one
transaction and records what changed in the audit log. The web UI, the API, the importer
and the demo all call them, so they can never disagree.
"""

from . import common, contacts, memberships, merge, notes, parties, suspects, tags

__all__ = ["common", "contacts", "memberships", "merge", "notes", "parties", "suspects", "tags"]
