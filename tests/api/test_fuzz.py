"""Every operation of the API's OpenAPI schema fuzzed with schemathesis, in process, as an
administrator and as a read-only user: never a server error, every response as the schema
describes it (status, content type, body, headers), and schema-invalid input refused.

Examples per operation: ``PEYVAND_FUZZ_EXAMPLES`` generated ones (``make test`` and CI's SQLite
run 100, CI's PostgreSQL run 25; ``make fuzz`` 1,000), after schemathesis's coverage phase,
which adds the boundary values of every parameter (about a hundred more cases for a list with
filters) whatever the number. Roles: ``PEYVAND_FUZZ_ROLES`` (both by default; CI's PostgreSQL
run fuzzes as the administrator only, the role whose requests reach the database's writes and
its limits, while a read-only user's refusals do not depend on the database).
Not checked: that every schema-valid request is accepted. The schema cannot say that a
cursor must be one the API gave out, that an id must name a record, or that a date range
must end after it starts; those are refused with a 400 or 422 that names the field.
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from peyvand.core.services.tokens import api_token_create

EXAMPLES = int(os.environ.get("PEYVAND_FUZZ_EXAMPLES", "100"))
ROLES = os.environ.get("PEYVAND_FUZZ_ROLES", "admin,readonly").split(",")

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def connection_kept_across_requests():
    """As Django's test client does: the end of a request would close the test's database
    connection, its transaction still open (PostgreSQL then loses it; SQLite in memory not)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=ROLES)
def token(request, users, make_person, make_org):
    # A few records to find, change and delete, whoever's they are.
    make_org(name="سازمان نمونه", owner="sales")
    make_person(first_name="مریم", last_name="احمدی", owner="sales2")
    return api_token_create(user=users[request.param], name="fuzz")[1]


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same cases every run: a failure in CI reproduces on a laptop
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_api_answers_every_request_as_its_schema_says(case, token, request):
    _count_case(request.node)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"}, excluded_checks=[positive_data_acceptance]
    )


def _count_case(item: pytest.Item) -> None:
    """Count the cases each operation ran; the run's summary adds them up (tests/conftest.py)."""
    for i, (key, value) in enumerate(item.user_properties):
        if key == "fuzz_cases":
            item.user_properties[i] = (key, value + 1)
            return
    item.user_properties.append(("fuzz_cases", 1))
