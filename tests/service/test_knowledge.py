"""The knowledge base: sanitised bilingual articles, a version on each save, search with the
Persian normalisation, who may read and write (by role and team), suggestions and links while
an agent writes a reply, what helped resolve tickets, the public page and the API."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from peyvand.service import richtext
from peyvand.service.models import Article, ArticleUse, ArticleVersion, Category, Status
from peyvand.service.selectors import knowledge as selectors
from peyvand.service.services import knowledge, merge, tickets
from peyvand.service.services import messages as thread

from .conftest import EMAIL

pytestmark = pytest.mark.django_db


def write(user, **fields):
    fields.setdefault("title_fa", "پیگیری مرسوله")
    fields.setdefault("body_fa", "کد رهگیری را در سایت پست وارد کنید.")
    return knowledge.article_save(actor=user, data=knowledge.ArticleInput(**fields))


def test_rich_text_is_sanitised_and_plain_text_becomes_paragraphs():
    dirty = (
        '<h2>راهنما</h2><p onclick="x()">متن <a href="javascript:alert(1)">بد</a> '
        '<a href="https://ok.example">خوب</a></p><script>alert(1)</script><img src=x onerror=y>'
    )
    clean = richtext.sanitize(dirty)
    assert (
        "<script" not in clean
        and "onclick" not in clean
        and "javascript" not in clean
        and "<img" not in clean
    )
    assert (
        '<a href="https://ok.example" rel="noopener noreferrer">خوب</a>' in clean
        and "<h2>راهنما</h2>" in clean
    )
    assert (
        richtext.sanitize("خط اول\nخط دوم\n\nبند <دوم> & سوم")
        == "<p>خط اول<br>خط دوم</p><p>بند &lt;دوم&gt; &amp; سوم</p>"
    )
    assert richtext.to_text("<p>یک</p><p>دو&amp;سه</p>") == "یک دو&سه"


def test_each_save_that_changes_an_article_keeps_a_version_and_an_old_one_comes_back(users):
    article = write(users["support"])
    assert article.version == 1 and article.visibility == "internal"
    same = knowledge.article_save(
        actor=users["support"],
        data=knowledge.ArticleInput(title_fa=article.title_fa, body_fa="کد رهگیری را در سایت پست وارد کنید."),
        article=article,
    )
    assert same.version == 1  # nothing changed: no new version
    knowledge.article_save(
        actor=users["support"],
        data=knowledge.ArticleInput(
            title_fa="پیگیری مرسوله", body_fa="متن تازه", title_en="Tracking", body_en="New"
        ),
        article=article,
    )
    article.refresh_from_db()
    assert article.version == 2 and list(article.versions.values_list("number", flat=True)) == [2, 1]
    knowledge.article_restore(
        actor=users["support"], version=ArticleVersion.objects.get(article=article, number=1)
    )
    article.refresh_from_db()
    assert article.version == 3 and article.body_fa == "<p>کد رهگیری را در سایت پست وارد کنید.</p>"
    assert article.title_en == "" and ArticleVersion.objects.count() == 3


def test_bad_articles_are_refused_with_every_reason(users):
    retired = Category.objects.create(name="بایگانی", active=False)
    with pytest.raises(ValidationError) as caught:
        write(
            users["support"],
            title_fa="",
            body_fa="متن بدون عنوان",
            title_en="Title only",
            visibility="secret",
            category=retired,
        )
    assert set(caught.value.message_dict) == {"title_fa", "body_en", "visibility", "category"}
    with pytest.raises(ValidationError) as caught:
        write(users["support"], title_fa="", body_fa="")
    assert "title_fa" in caught.value.message_dict
    assert not Article.objects.exists()


def test_everyone_reads_support_writes_their_teams_and_readonly_sees_nothing(users):
    by_support = write(users["support"])
    by_manager = write(users["manager"], title_fa="راهنمای مدیر")
    for name in ("sales", "marketing", "outsider", "support", "manager", "admin"):
        assert {a.pk for a in selectors.article_list(user=users[name], filters={}).items} == {
            by_support.pk,
            by_manager.pk,
        }, name
    assert selectors.article_list(user=users["readonly"], filters={}).items == []
    with pytest.raises(PermissionDenied):
        write(users["sales"])
    with pytest.raises(PermissionDenied):
        knowledge.article_delete(actor=users["outsider"], article=by_support)
    # Support changes their team's articles (the manager is in team A too), not an administrator's.
    knowledge.article_save(
        actor=users["support"],
        data=knowledge.ArticleInput(title_fa="ویرایش", body_fa="x"),
        article=by_manager,
    )
    by_admin = write(users["admin"], title_fa="از مدیر سیستم")
    with pytest.raises(PermissionDenied):
        knowledge.article_delete(actor=users["support"], article=by_admin)
    assert Article.objects.count() == 3


def test_search_folds_arabic_letters_and_digits(users):
    write(users["support"], title_fa="بازگشت کالا در ۷ روز", body_fa="<p>فرم <b>مرجوعی</b> را پر کنید</p>")
    write(users["support"], title_fa="نصب مودم", body_fa="کابل را وصل کنید")
    for query in ("بازگشت", "مرجوعي", "7 روز"):  # Arabic yeh, ASCII digit
        found = selectors.article_list(user=users["sales"], filters={"q": query}).items
        assert [a.title_fa for a in found] == ["بازگشت کالا در ۷ روز"], query


def test_suggestions_follow_the_subject_category_and_typing_and_links_count_when_resolved(
    users, open_ticket, customer, settings
):
    settings.PEYVAND_SUPPORT_EMAIL = "support@zarrindaneh.example"
    delivery = Category.objects.get(name="ارسال و تحویل")
    public = write(
        users["support"],
        title_fa="پیگیری سفارش نرسیده",
        body_fa="کد رهگیری",
        title_en="Late orders",
        body_en="Tracking",
        visibility="public",
    )
    write(users["support"], title_fa="راهنمای داخلی ارسال", body_fa="فقط کارکنان", category=delivery)
    write(users["support"], title_fa="پیش‌نویس سفارش", body_fa="x", published=False)
    ticket = open_ticket(subject="سفارش نرسیده", category=delivery)
    titles = [a.title_fa for a in selectors.article_suggestions(user=users["support"], ticket=ticket)]
    assert titles == ["پیگیری سفارش نرسیده", "راهنمای داخلی ارسال"]
    assert [
        a.title_fa
        for a in selectors.article_suggestions(
            user=users["support"], ticket=open_ticket(subject="x"), text="رهگیری"
        )
    ] == ["پیگیری سفارش نرسیده"]

    client = Client()
    client.force_login(users["support"])
    html = client.get(reverse("service:article_suggest", args=[ticket.pk])).content.decode()
    assert "پیگیری سفارش نرسیده" in html and f'data-testid="link-article-{public.pk}"' in html
    box = client.get(
        reverse("service:article_link", args=[ticket.pk, public.pk]), {"body": "سلام"}
    ).content.decode()
    link = f"{settings.PEYVAND_BASE_URL}/kb/{public.pk}/?lang=fa"
    assert box.startswith("<textarea") and f"سلام\n\nپیگیری سفارش نرسیده\n{link}" in box
    internal = Article.objects.get(title_fa="راهنمای داخلی ارسال")
    assert client.get(reverse("service:article_link", args=[ticket.pk, internal.pk])).status_code == 404

    thread.ticket_reply(
        ticket=ticket,
        actor=users["support"],
        data=thread.ReplyInput(body=f"این را ببینید:\n{link}", to=EMAIL),
    )
    assert ArticleUse.objects.get().article == public
    assert selectors.article_get(user=users["support"], pk=public.pk).helped == 0  # not resolved yet
    tickets.ticket_update(
        ticket=ticket, actor=users["support"], data=tickets.TicketInput(status=Status.RESOLVED)
    )
    assert selectors.article_get(user=users["support"], pk=public.pk).helped == 1
    ranked = selectors.article_list(user=users["support"], filters={}, sort="-helped").items
    assert ranked[0] == public
    # A merge carries the link to the kept ticket.
    kept = open_ticket()
    merge.ticket_merge(ticket=kept, other=ticket, actor=users["support"])
    assert ArticleUse.objects.get().ticket == kept


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_pages_in_both_languages(users, language):
    client = Client()
    client.force_login(users["support"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(
        reverse("service:article_create"),
        {
            "title_fa": "بازگشت وجه",
            "body_fa": "متن\n\nبند دوم",
            "title_en": "Refunds",
            "body_en": "Text",
            "visibility": "public",
            "published": "on",
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "service:article_detail", args=[article.pk]
    )
    client.post(
        reverse("service:article_edit", args=[article.pk]),
        {"title_fa": "بازگشت وجه", "body_fa": "متن تازه", "visibility": "public", "published": "on"},
    )
    for url in (
        reverse("service:article_list"),
        reverse("service:article_list") + "?q=وجه&visibility=public&sort=-helped",
        reverse("service:article_detail", args=[article.pk]),
        reverse("service:article_detail", args=[article.pk]) + "?version=1",
        reverse("service:article_create"),
        reverse("service:article_edit", args=[article.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200 and f'lang="{language}"' in response.content.decode(), url
    old = client.get(reverse("service:article_detail", args=[article.pk]) + "?version=1").content.decode()
    assert 'data-testid="old-version"' in old and "Refunds" in old
    assert client.get(reverse("service:article_detail", args=[article.pk]) + "?version=9").status_code == 404
    bad = client.post(
        reverse("service:article_edit", args=[article.pk]),
        {"title_fa": "", "body_fa": "x", "visibility": "public"},
    )
    assert bad.status_code == 422 and "is-invalid" in bad.content.decode()
    response = client.post(reverse("service:article_restore", args=[article.pk]), {"version": 1})
    article.refresh_from_db()
    assert response.status_code == 302 and article.version == 3 and article.title_en == "Refunds"
    # The public page: the language asked for, or the other one when the article lacks it.
    public = Client().get(reverse("service:article_public", args=[article.pk]) + "?lang=en").content.decode()
    assert 'lang="en"' in public and "Refunds" in public
    public = Client().get(reverse("service:article_public", args=[article.pk]) + "?lang=fa").content.decode()
    assert 'dir="rtl"' in public and "بازگشت وجه" in public
    readonly = Client()
    readonly.force_login(users["readonly"])
    assert readonly.get(reverse("service:article_list")).status_code == 404
    assert readonly.get(reverse("service:article_detail", args=[article.pk])).status_code == 404
    sales = Client()
    sales.force_login(users["sales"])
    assert sales.get(reverse("service:article_create")).status_code == 403
    assert sales.post(reverse("service:article_delete", args=[article.pk])).status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()


def test_internal_and_draft_articles_have_no_public_page(users):
    internal = write(users["support"])
    draft = write(users["support"], visibility="public", published=False)
    for article in (internal, draft):
        assert Client().get(reverse("service:article_public", args=[article.pk])).status_code == 404


def test_the_knowledge_base_through_the_api(api_as, users, open_ticket):
    api = api_as("support")
    created = api.post(
        "/articles",
        {"title_fa": "نصب مودم", "body_fa": "<p>مرحله <script>x</script>اول</p>", "visibility": "public"},
    )
    assert created.status_code == 201, created.content
    article = created.json()
    assert article["body_fa"] == "<p>مرحله اول</p>" and article["public_url"].endswith(
        f"/kb/{article['id']}/"
    )
    changed = api.patch(f"/articles/{article['id']}", {"title_en": "Modem", "body_en": "Step one"})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    versions = api.get(f"/articles/{article['id']}/versions").json()
    assert [v["number"] for v in versions] == [2, 1] and versions[0]["author"]["username"] == "support"
    assert [a["id"] for a in api.get("/articles", {"q": "مودم"}).json()["items"]] == [article["id"]]
    ticket = open_ticket(subject="مودم وصل نمی‌شود")
    suggested = api.get(f"/tickets/{ticket.pk}/suggested-articles").json()
    assert [a["id"] for a in suggested] == [article["id"]]
    bad = api.post("/articles", {"title_fa": "x", "body_fa": "", "visibility": "secret"})
    assert bad.status_code == 422
    bad = api.post("/articles", {"title_fa": "x", "body_fa": "y", "category_id": 999999})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "category_id"
    assert api_as("sales").post("/articles", {"title_fa": "x", "body_fa": "y"}).status_code == 403
    assert api_as("readonly").get(f"/articles/{article['id']}").status_code == 404
    assert api_as("sales").delete(f"/articles/{article['id']}").status_code == 403
    assert api.delete(f"/articles/{article['id']}").status_code == 204
    assert not Article.objects.exists()
