"""An organisation's timeline rolls up its people's, through the permission policy."""

import pytest
from django.urls import reverse

from peyvand.customers.services.memberships import membership_add
from peyvand.interactions.selectors.timeline import party_timeline
from peyvand.interactions.services.interactions import InteractionInput, interaction_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm(users, make_org, make_person):
    """A firm of team A with two people: Ali (sales', team A) and Sara (the outsider's, team B);
    each had a call."""
    firm = make_org(owner="sales")
    ali = make_person(first_name="علی", owner="sales")
    sara = make_person(first_name="سارا", owner="outsider")
    for person, subject in ((ali, "تماس علی"), (sara, "تماس سارا")):
        membership_add(person=person, organisation=firm, actor=users["admin"])
        interaction_log(
            party=person, actor=users["admin"], data=InteractionInput(channel="phone", subject=subject)
        )
    interaction_log(
        party=firm, actor=users["admin"], data=InteractionInput(channel="email", subject="نامهٔ شرکت")
    )
    return {"firm": firm, "ali": ali, "sara": sara}


def subjects(page):
    return {entry.obj.subject for entry in page.items if entry.kind == "interaction"}


def test_the_organisation_shows_its_peoples_history_and_says_whose(users, firm):
    page = party_timeline(user=users["admin"], party=firm["firm"])
    assert subjects(page) == {"تماس علی", "تماس سارا", "نامهٔ شرکت"}
    people = {entry.obj.subject: entry.person for entry in page.items if entry.kind == "interaction"}
    assert people["تماس علی"] == firm["ali"] and people["نامهٔ شرکت"] is None
    alone = party_timeline(user=users["admin"], party=firm["firm"], people=False)
    assert subjects(alone) == {"نامهٔ شرکت"}


def test_a_member_one_may_not_see_stays_out(users, firm):
    # Sales (team A) sees the firm and Ali, not Sara of team B, nor her call.
    assert subjects(party_timeline(user=users["sales"], party=firm["firm"])) == {"تماس علی", "نامهٔ شرکت"}


def test_a_persons_timeline_is_their_own(users, firm):
    assert subjects(party_timeline(user=users["admin"], party=firm["ali"])) == {"تماس علی"}


def test_the_page_filters_whose_history(client, users, firm):
    client.force_login(users["admin"])
    url = reverse("party_timeline", args=[firm["firm"].pk])
    rolled = client.get(url).content.decode()
    assert 'data-testid="timeline-people"' in rolled and "تماس علی" in rolled
    assert 'data-testid="timeline-person"' in rolled
    own = client.get(url, {"people": "0"}).content.decode()
    assert "تماس علی" not in own and "نامهٔ شرکت" in own
