"""A segment's rule may name the customers' custom fields: a choice by its key or label,
money by amount, a date in a range, yes or no; a deactivated field holds nobody."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from peyvand.core.custom_fields import Choice, FieldType
from peyvand.core.services.custom_fields import CustomFieldInput, custom_field_create, custom_field_deactivate
from peyvand.marketing import rules
from peyvand.marketing.selectors.segments import rule_parse, rule_parties

pytestmark = pytest.mark.django_db


def _rule(*conditions):
    return rule_parse({"match": "all", "groups": [{"match": "all", "conditions": list(conditions)}]})


def test_a_rule_on_custom_fields(admin, make_person):
    made = {}
    for key, kind, extra in (
        (
            "size",
            FieldType.CHOICE,
            {"choices": (Choice("small", "کوچک", "Small"), Choice("large", "بزرگ", "Large"))},
        ),
        ("budget", FieldType.MONEY, {}),
        ("visit", FieldType.DATE, {}),
        ("vip", FieldType.YES_NO, {}),
    ):
        made[key] = custom_field_create(
            actor=admin,
            data=CustomFieldInput(entity="person", key=key, type=kind, label_fa=key, label_en=key, **extra),
        )
    make_person(
        last_name="الف",
        data={"custom": {"size": "large", "budget": "500", "visit": "2024-08-02", "vip": True}},
    )
    make_person(last_name="ب", data={"custom": {"size": "small", "budget": "90", "visit": "2023-01-01"}})
    assert "custom.size" in {spec.key for spec in rules.FIELDS.values()}

    def names(*conditions):
        return sorted(p.last_name for p in rule_parties(user=admin, rule=_rule(*conditions)))

    assert names({"field": "custom.size", "op": "in", "value": ["بزرگ"]}) == ["الف"]
    assert names({"field": "custom.size", "op": "not_in", "value": ["large"]}) == ["ب"]
    assert names({"field": "custom.budget", "op": "gte", "value": "۱۰۰"}) == ["الف"]
    assert names({"field": "custom.visit", "op": "between", "value": {"to": "2023-12-31"}}) == ["ب"]
    assert names({"field": "custom.vip", "op": "yes"}) == ["الف"]
    custom_field_deactivate(field=made["size"], actor=admin)
    with pytest.raises(ValidationError):
        _rule({"field": "custom.size", "op": "in", "value": ["large"]})
