from typing import cast

from django.http import HttpRequest

from .models import User


def request_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind ``login_required`` (never anonymous there)."""
    return cast(User, request.user)
