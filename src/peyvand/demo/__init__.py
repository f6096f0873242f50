"""The demo company: a hypothetical but realistic customer base to try Peyvand on.

The seeds ask to test a CRM "on a hypothetical but realistic customer before going live";
``load_demo`` builds one — teams and users in every role, a few hundred Persian and
foreign customers with their contact points, two years of interactions on every channel,
a product catalogue, leads, deals in every stage of the pipeline with their quotes,
orders, invoices and payments, the quarter's sales targets, and each salesperson's and
support agent's activities around the anchor day — in one transaction, through the same
services the UI and the API use, so the demo data is normalised, permission-checked and
audited like anything a user types.

It works in two steps. ``build_plan`` draws everything from the seed without touching
the database: the same seed gives the same customers, names and numbers, and with the
same anchor day the same history, deals and activities. ``load_demo`` then writes the plan.
Loading twice is refused: the ``demo_loaded`` site flag is set on success and checked
first (``force=True`` loads again, adding a second set of customers, deals, leads and
activities, and reusing the demo's teams, users, products and pipeline).

The demo's email addresses are all under reserved ``.example`` domains (RFC 2606), so a
campaign run against it can never mail a real person. Its phone numbers are random valid
Iranian and foreign numbers and may belong to someone: do not send SMS from a demo.

The package: ``data`` (the word lists and stories it draws from), ``base`` (sizes, time
helpers), ``customers``, ``sales`` and ``activities`` (the plan of each, no database),
``plan`` (all of it), ``load`` and ``load_sales`` (writing it through the services).
"""

from .base import SIZES, Size, window
from .load import FLAG, DemoAlreadyLoaded, DemoDuplicate, DemoResult, load_demo
from .plan import Plan, build_plan

__all__ = [
    "FLAG",
    "SIZES",
    "DemoAlreadyLoaded",
    "DemoDuplicate",
    "DemoResult",
    "Plan",
    "Size",
    "build_plan",
    "load_demo",
    "window",
]
