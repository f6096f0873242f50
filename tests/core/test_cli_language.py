"""The `peyvand` command speaks the terminal's language: Persian for fa_*, English otherwise."""

import pytest
from django.utils import translation

from peyvand import cli


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANG": "fa_IR.UTF-8"}, "fa"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
        ({"LANG": "fa_IR.UTF-8", "LC_ALL": "en_GB.UTF-8"}, "en"),  # LC_ALL wins
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "fa_IR"}, "fa"),
        ({"LC_ALL": "", "LANG": "fa"}, "fa"),  # set but empty counts as unset
    ],
)
def test_the_terminal_locale_chooses_the_language(environ, language):
    assert cli.terminal_language(environ) == language


@pytest.mark.parametrize(
    ("locale", "message"),
    [
        ("en_US.UTF-8", "A user with this username already exists."),
        ("fa_IR.UTF-8", "کاربری با این نام کاربری"),
    ],
)
def test_errors_follow_the_terminal(db, users, monkeypatch, locale, message):
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", locale)
    before = translation.get_language()
    with pytest.raises(SystemExit) as error:
        cli.main(["createadmin", "sales"])
    assert message in str(error.value.code)
    assert translation.get_language() == before  # put back for whatever runs next in this process


def test_resuming_an_import_that_is_not_there_is_an_error_not_a_traceback(db):
    for job in ("abc", "99999999999999999999999", "424242"):
        with pytest.raises(SystemExit) as error:
            cli.main(["import", "resume", job])
        assert "no import number" in str(error.value.code)
