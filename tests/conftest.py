from __future__ import annotations

from collections.abc import Callable
from typing import Any

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from peyvand.core.models import Role, Team, User
from peyvand.core.services import site
from peyvand.core.services.site import site_settings_forget
from peyvand.customers import services as customer_services
from peyvand.customers.models import Kind, Party
from peyvand.customers.rules import ContactInput, PartyInput
from tests.scratch import drop_templates

# No per-example deadline: timing belongs in bench/, and CI machines are noisy.
hypothesis_settings.register_profile("peyvand", deadline=None)
hypothesis_settings.load_profile("peyvand")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.SALES
    password = factory.django.Password("secret-pass-123")


@pytest.fixture(autouse=True)
def installation_language() -> Any:
    """Each test starts in the installation's language (Persian) and leaves no other behind:
    a request activates its user's language in the test's own thread and never undoes it."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def settings_read_afresh(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A setting one test chose (and its transaction undid) is not remembered by the next; and
    within a test what was read is kept (a test process is the only one changing them), so a
    slow step between two counted requests does not add a query to the second."""
    monkeypatch.setattr(site, "SETTING_SECONDS", float("inf"))
    site_settings_forget()
    if not _uses_database(request):
        # Without a database, the settings are a fresh installation's: never chosen.
        site.remember_settings(dict.fromkeys(("show_toman", "fiscal_calendar")))
    yield
    site_settings_forget()


def _uses_database(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )


@pytest.fixture
def english() -> Any:
    """For a test that reads the services' messages in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def team_a(db: Any) -> Team:
    return Team.objects.create(name="Team A")


@pytest.fixture
def team_b(db: Any) -> Team:
    return Team.objects.create(name="Team B")


@pytest.fixture
def users(team_a: Team, team_b: Team) -> dict[str, User]:
    """One user per role in team A, plus a second sales user in A and one in team B."""
    specs = {
        "admin": (Role.ADMIN, None),
        "manager": (Role.MANAGER, team_a),
        "sales": (Role.SALES, team_a),
        "sales2": (Role.SALES, team_a),
        "support": (Role.SUPPORT, team_a),
        "marketing": (Role.MARKETING, team_a),
        "readonly": (Role.READONLY, team_a),
        "outsider": (Role.SALES, team_b),
    }
    return {name: UserFactory(username=name, role=role, team=team) for name, (role, team) in specs.items()}


@pytest.fixture
def admin(users: dict[str, User]) -> User:
    return users["admin"]


@pytest.fixture
def make_person(users: dict[str, User]) -> Callable[..., Party]:
    def make(
        owner: str | User = "sales", first_name: str = "علی", last_name: str = "کریمی", **kwargs: Any
    ) -> Party:
        owner_user = users[owner] if isinstance(owner, str) else owner
        data = PartyInput(
            first_name=first_name, last_name=last_name, owner=owner_user, **kwargs.pop("data", {})
        )
        contacts = [ContactInput(**c) for c in kwargs.pop("contacts", [])]
        return customer_services.parties.party_create(
            actor=users["admin"],
            kind=Kind.PERSON,
            data=data,
            contacts=contacts,
            allow_duplicate=True,
            **kwargs,
        )

    return make


@pytest.fixture
def make_org(users: dict[str, User]) -> Callable[..., Party]:
    def make(name: str = "شرکت نمونه", owner: str | User = "sales", **kwargs: Any) -> Party:
        owner_user = users[owner] if isinstance(owner, str) else owner
        contacts = [ContactInput(**c) for c in kwargs.pop("contacts", [])]
        return customer_services.parties.party_create(
            actor=users["admin"],
            kind=Kind.ORGANISATION,
            data=PartyInput(name=name, owner=owner_user),
            contacts=contacts,
            allow_duplicate=True,
            **kwargs,
        )

    return make


@pytest.fixture
def queries() -> Callable[[], CaptureQueriesContext]:
    """``with queries() as q: ...; assert len(q) <= n`` — catches N+1 queries."""
    return lambda: CaptureQueriesContext(connection)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The run's migrated template (tests/scratch.py) goes with the process that started the run."""
    if not hasattr(session.config, "workerinput"):
        drop_templates()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The API fuzzing's figures (tests/api/test_fuzz.py), for the record of each CI run."""
    cases = [
        value
        for report in terminalreporter.stats.get("passed", [])
        if report.when == "call"
        for key, value in report.user_properties
        if key == "fuzz_cases"
    ]
    if cases:
        terminalreporter.write_line(
            f"API fuzzing: {len(cases)} operations × roles passed, {sum(cases):,} cases, no server error"
        )
