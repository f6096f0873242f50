"""What the desk's endpoints share: a reference by name, and a row a body names by id.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from typing import Any

from django.utils.translation import gettext as _
from ninja import Schema

from peyvand.core.apikit.errors import field_error


class NamedRef(Schema):
    id: int
    name: str


def one_row(model: Any, pk: int | None, field: str, **conditions: Any) -> Any:
    """The row ``pk`` names (None for None), or a field error naming ``field``."""
    if pk is None:
        return None
    row = model.objects.filter(pk=pk, **conditions).first()
    if row is None:
        raise field_error(field, _("Choose a valid value."))
    return row
