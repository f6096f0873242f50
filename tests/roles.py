"""Who sees and changes whose customers under the default policy: the tests' reference.

Owners are the users of ``tests/conftest.py``'s ``users`` fixture; None is "nobody owns it".
"""

OWNERS = ("sales", "sales2", "outsider", None)

# role -> owners whose customers the role sees / changes
SEES = {
    "admin": {"sales", "sales2", "outsider", None},
    "manager": {"sales", "sales2", None},
    "sales": {"sales", "sales2", None},
    "support": {"sales", "sales2", None},
    "marketing": {"sales", "sales2", "outsider", None},
    "readonly": set(),
    "outsider": {"outsider", None},
}
CHANGES = {
    "admin": {"sales", "sales2", "outsider", None},
    "manager": {"sales", "sales2", None},
    "sales": {"sales"},
    "support": set(),
    "marketing": set(),
    "readonly": set(),
    "outsider": {"outsider"},
}
