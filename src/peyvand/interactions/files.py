"""Files kept under PEYVAND_ATTACHMENTS_DIR: what came with an inbound email and what goes
out with an outbound one. Named by a random id (the user's name is kept in the row), so a
file name from outside never becomes a path."""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from peyvand.core.text import clean_text

_SAFE_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,10}$")


@dataclass(frozen=True)
class StoredFile:
    path: Path  # absolute, to remove it again if the transaction that refers to it fails
    relative: str  # what the row keeps
    sha256: str
    size: int


def clean_filename(name: str, fallback: str) -> str:
    """A file name to show and to send: no directories, no control characters."""
    name = clean_text(name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:255] or fallback


def store(content: bytes, *, filename: str, folder: str = "") -> StoredFile:
    """Write ``content`` under the attachments directory and return where it went."""
    suffix = Path(filename).suffix
    now = timezone.now()
    relative = f"{folder + '/' if folder else ''}{now:%Y/%m}/{uuid.uuid4().hex}"
    relative += suffix if _SAFE_SUFFIX.match(suffix) else ""
    target = Path(settings.PEYVAND_ATTACHMENTS_DIR) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return StoredFile(target, relative, hashlib.sha256(content).hexdigest(), len(content))


def resolve(relative: str) -> Path:
    """The absolute path of a stored file; refuses one that would leave the directory."""
    root = Path(settings.PEYVAND_ATTACHMENTS_DIR).resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise FileNotFoundError(relative)
    return path
