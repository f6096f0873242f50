"""API errors write their numbers in the caller's digits, as the forms do."""

import re

import pytest

from tests.api.conftest import assert_error


@pytest.mark.parametrize(("language", "limit"), [("fa", "۱۰۰"), ("en", "100")])
def test_a_too_long_value_names_the_limit_in_the_callers_digits(api, language, limit):
    response = api.post("/people", {"first_name": "x" * 150}, headers={"Accept-Language": language})
    error = assert_error(response, 422, "validation_error", "first_name")
    message = next(f["message"] for f in error["fields"] if f["field"] == "first_name")
    assert limit in message
    if language == "fa":
        assert not re.search(r"[0-9]", message), message


def test_a_quoted_value_keeps_its_own_digits(api):
    response = api.post(
        "/people",
        {"last_name": "K", "contacts": [{"kind": "email", "value": "ali2@example"}]},
        headers={"Accept-Language": "fa"},
    )
    error = assert_error(response, 422, "validation_error")
    assert any("ali2@example" in f["message"] for f in error["fields"]), error
