"""Finding users by Persian names however they are spelt: hamza, Arabic letters, digits."""

import pytest
from django.test import Client

from peyvand.core import services
from peyvand.core.models import Role, User
from tests.api.conftest import api_as  # noqa: F401 - fixture


@pytest.fixture
def named(users):
    made = {}
    for username, first, last in (
        ("raisi", "علی", "رئیسی"),
        ("momeni", "مریم", "مؤمنی"),
        ("kazemi", "رضا", "کاظمی"),
    ):
        made[username], _password = services.users.user_create(
            username=username, role=Role.SALES, first_name=first, last_name=last, actor=users["admin"]
        )
    return made


QUERIES = [
    ("رییسی", "raisi"),  # hamza written as a plain yeh
    ("رئيسي", "raisi"),  # Arabic yeh
    ("علی رئیسی", "raisi"),
    ("مومنی", "momeni"),  # waw without its hamza
    ("مؤمني", "momeni"),
    ("كاظمي", "kazemi"),  # Arabic kaf and yeh
    ("KAZEMI", "kazemi"),  # the username, any case
]


@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_the_user_list_finds_every_spelling(client, users, named, query, expected):
    client.force_login(users["admin"])
    page = client.get("/admin/users/", {"q": query}).context["page"]
    assert [u.username for u in page.items] == [expected]


@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_the_owner_picker_api_finds_every_spelling(api_as, named, query, expected):  # noqa: F811
    response = api_as("admin").get("/users", {"q": query})
    assert [u["username"] for u in response.json()["items"]] == [expected]


def test_renaming_a_user_updates_what_they_are_found_by(users, named):
    user = named["kazemi"]
    services.users.user_update(user=user, actor=users["admin"], last_name="نوری")
    assert User.objects.filter(search_text__contains="نوری").get() == user
    assert not User.objects.filter(pk=user.pk, search_text__contains="کاظمی").exists()
    # Saving only other fields leaves the search text as it is.
    services.users.user_set_preferences(user=user, language="en")
    user.refresh_from_db()
    assert "نوری" in user.search_text


def test_users_made_outside_the_services_are_found_too(client, users):
    User.objects.create_user(username="cli-made", first_name="نائب", password="x-long-pass-123")
    client = Client()
    client.force_login(users["admin"])
    page = client.get("/admin/users/", {"q": "نایب"}).context["page"]
    assert [u.username for u in page.items] == ["cli-made"]
