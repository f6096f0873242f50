"""Saved views of lists: filters and sort kept under a name, shared with one's team or not,
one of them the list's default; a view shares a question, never records one may not see."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from peyvand.core.models import DefaultView, SavedView

PEOPLE = "/person/"
LISTS = ["/person/", "/organisation/", "/sales/leads/", "/sales/deals/"]


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def save(client, name="تهرانی‌ها", query="q=تهران&sort=name&cursor=abc", page=PEOPLE, shared=False):
    data = {"page": page, "name": name, "query": query}
    if shared:
        data["shared"] = "on"
    return client.post("/views/save/", data)


def test_a_view_keeps_filters_and_sort_but_not_the_page(users):
    sales = client_of(users["sales"])
    response = save(sales)
    view = SavedView.objects.get()
    assert (view.owner, view.page, view.name, view.team) == (users["sales"], PEOPLE, "تهرانی‌ها", None)
    assert view.query == "q=%D8%AA%D9%87%D8%B1%D8%A7%D9%86&sort=name"  # no cursor
    assert response.status_code == 302 and response["Location"] == f"{PEOPLE}?{view.query}"
    html = sales.get(f"{PEOPLE}?{view.query}").content.decode()
    assert 'data-testid="saved-views"' in html and 'data-view="تهرانی‌ها"' in html
    assert "dropdown-item rounded flex-grow-1 active" in html  # the view being looked at

    # The same name again replaces it.
    save(sales, query="q=شیراز")
    assert SavedView.objects.get().query == "q=%D8%B4%DB%8C%D8%B1%D8%A7%D8%B2"


def test_the_default_view_opens_the_list_until_unset(users):
    sales = client_of(users["sales"])
    save(sales)
    view = SavedView.objects.get()
    assert sales.post(f"/views/{view.pk}/default/").status_code == 302
    opened = sales.get(PEOPLE)
    assert opened.status_code == 302 and opened["Location"] == f"{PEOPLE}?{view.query}"
    assert sales.get(f"{PEOPLE}?plain=1").status_code == 200  # the whole list, on purpose
    assert sales.get("/organisation/").status_code == 200  # another list: its own default
    sales.post("/views/no-default/", {"page": PEOPLE})
    assert not DefaultView.objects.exists() and sales.get(PEOPLE).status_code == 200


def test_a_shared_view_is_seen_by_the_team_only_and_changed_by_its_owner(users):
    save(client_of(users["sales"]), shared=True)
    view = SavedView.objects.get()
    assert view.team == users["sales"].team

    teammate, outsider = client_of(users["sales2"]), client_of(users["outsider"])
    assert 'data-view="تهرانی‌ها"' in teammate.get(PEOPLE).content.decode()
    assert 'data-view="تهرانی‌ها"' not in outsider.get(PEOPLE).content.decode()
    # A teammate may open it and make it their default, not delete it.
    assert teammate.post(f"/views/{view.pk}/default/").status_code == 302
    assert teammate.get(PEOPLE).status_code == 302
    assert teammate.post(f"/views/{view.pk}/delete/").status_code == 403
    # Another team's user does not find it at all.
    assert outsider.post(f"/views/{view.pk}/default/").status_code == 404
    assert outsider.post(f"/views/{view.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
    assert not DefaultView.objects.filter(user=users["outsider"]).exists()

    # Unshared: the teammate's default no longer opens it.
    save(client_of(users["sales"]), shared=False)
    assert teammate.get(PEOPLE).status_code == 200

    assert client_of(users["sales"]).post(f"/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists() and not DefaultView.objects.exists()


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"page": "/admin/users/"}, "Views can be saved only for lists."),
        ({"page": "https://evil.example/person/"}, "Views can be saved only for lists."),
        ({"name": "   "}, "Give the view a name."),
        ({"query": "q=" + "x" * 2100}, "These filters are too long to save."),
    ],
)
def test_a_wrong_view_is_refused_and_nothing_saved(users, fields, message):
    users["sales"].language = "en"
    users["sales"].save()
    response = save(client_of(users["sales"]), **fields)
    assert response.status_code == 302 and response["Location"].startswith("/")  # never elsewhere
    assert [str(m) for m in get_messages(response.wsgi_request)] == [message]
    assert not SavedView.objects.exists()


def test_a_user_without_a_team_cannot_share(users, admin):
    response = save(client_of(admin), shared=True)
    assert response.status_code == 302 and not SavedView.objects.exists()


@pytest.mark.parametrize("path", [*LISTS, "/tickets/", "/activities/", "/sales/invoices/"])
def test_every_list_keeps_views(users, path):
    client = client_of(users["manager"])
    page = client.get(path)
    assert page.status_code == 200 and 'data-testid="saved-views"' in page.content.decode()
    assert save(client, name="mine", query="sort=-created", page=path).status_code == 302
    assert SavedView.objects.filter(page=path, name="mine").exists()


def test_views_cost_the_same_queries_however_many(users, queries):
    client = client_of(users["sales"])
    save(client, name="one")
    with queries() as one:
        client.get(f"{PEOPLE}?plain=1")
    for name in ("two", "three", "four"):
        save(client, name=name, shared=True)
    with queries() as four:
        client.get(f"{PEOPLE}?plain=1")
    assert len(four) == len(one)


def test_anonymous_visitors_keep_nothing(db):
    assert Client().post("/views/save/", {"page": PEOPLE, "name": "x"}).status_code == 302
    assert not SavedView.objects.exists()
