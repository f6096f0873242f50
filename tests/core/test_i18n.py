"""Both languages complete: every message of the Persian catalogue translated, placeholders intact."""

import polib
from django.utils import translation

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
