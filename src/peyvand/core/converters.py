class IdConverter:
    """A record id in a URL: digits that fit a 64-bit column, so a huge number is a 404, not a 500."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def is_id(value: object) -> bool:
    text = str(value)
    return text.isascii() and text.isdigit() and len(text) <= 18


def choice_id(value: object) -> int | None:
    """A filter's id as typed in a query string, or None when it is not one."""
    text = str(value or "")
    return int(text) if is_id(text) and text else None
