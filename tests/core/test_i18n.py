"""Both languages complete: every message of the Persian catalogue translated, placeholders intact."""

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

import peyvand
from peyvand.i18n_check import CATALOGUE, problems


def test_persian_catalogue_is_complete():
    po = polib.pofile(str(CATALOGUE))
    assert problems(po) == []
    assert len([e for e in po if not e.obsolete]) > 300


def test_catalogue_reaches_the_running_app():
    with translation.override("fa"):
        assert translation.gettext("People") == "اشخاص"
        assert translation.pgettext("audit event", "changed") == "تغییر داد"


def test_problems_are_found():
    po = polib.POFile()
    po.append(polib.POEntry(msgid="Hello %(name)s", msgstr="سلام %(nam)s"))
    po.append(polib.POEntry(msgid="Untranslated", msgstr=""))
    po.append(polib.POEntry(msgid="Fuzzy", msgstr="x", flags=["fuzzy"]))
    assert len(problems(po)) == 3


# An attribute people hear or see (a screen reader's label, a tooltip, a placeholder)
# written as plain text in a template is English in the Persian interface.
_PLAIN_ATTRIBUTE = re.compile(r'\b(aria-label|title|placeholder|alt)="[^"{]*[A-Za-z][^"{]*"')


def test_no_template_has_an_untranslated_label_or_tooltip():
    found = []
    for path in sorted(Path(peyvand.__file__).parent.rglob("templates/**/*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found += [f"{path.name}:{number}: {m.group(0)}" for m in _PLAIN_ATTRIBUTE.finditer(line)]
    assert found == []


@pytest.mark.parametrize(
    ("language", "expected", "not_expected"),
    [
        ("en", "up to 1,048,576 rows", "ردیف"),
        ("fa", "تا ۱٬۰۴۸٬۵۷۶ ردیف", "rows"),
    ],
)
def test_the_import_page_help_follows_the_readers_language(client, users, language, expected, not_expected):
    client.force_login(users["sales"])
    html = client.get("/person/import/", headers={"Accept-Language": language}).content.decode()
    help_text = re.search(r'<div class="form-text">(.*?)</div>', html, re.S).group(1)
    assert expected in help_text and not_expected not in help_text


def test_permission_cells_are_named_for_screen_readers(client, users):
    client.force_login(users["admin"])
    html = client.get("/admin/permissions/", headers={"Accept-Language": "fa"}).content.decode()
    assert 'aria-label="مدیر · مشتریان (اشخاص و سازمان‌ها) · دیدن"' in html
    assert "party view" not in html and "breadcrumb" not in html.lower()


@pytest.mark.parametrize(
    ("language", "message"),
    [("fa", "۱۰۰"), ("en", "at most 100 characters (this has 150)")],
)
def test_form_errors_use_the_interfaces_digits(client, users, language, message):
    client.force_login(users["sales"])
    response = client.post(
        "/person/new/",
        {
            "first_name": "x" * 150,
            "last_name": "y",
            "source": "other",
            "stage": "suspect",
            "phone_label": "mobile",
        },
        headers={"Accept-Language": language},
    )
    with translation.override(language):  # Django's messages are lazy: read them in the page's language
        errors = " ".join(response.context["form"].errors["first_name"])
    assert message in errors
    if language == "fa":
        assert not re.search(r"[0-9]", errors), errors


GLOSSARY = Path(peyvand.__file__).parents[2] / "docs" / "glossary.md"


def glossary() -> list[tuple[str, str]]:
    rows = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|", GLOSSARY.read_text(encoding="utf-8"), re.MULTILINE)
    return [(english, persian) for english, persian in rows if english not in ("English", "---")]


def test_the_catalogue_uses_the_glossarys_words():
    """«Suspect» is a customer not yet qualified (مشتری احتمالی), never «مشکوک» (suspicious)."""
    catalogue = {e.msgid: e.msgstr for e in polib.pofile(str(CATALOGUE)) if not e.obsolete and not e.msgctxt}
    terms = glossary()
    assert len(terms) >= 30
    wrong = {
        english: catalogue.get(english) for english, persian in terms if catalogue.get(english) != persian
    }
    assert wrong == {}
    assert all("مشکوک" not in text for text in catalogue.values())
