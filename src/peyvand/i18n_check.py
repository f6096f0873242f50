"""Check the Persian catalogue: up to date with the code, and every entry translated.

Run in CI (`python -m peyvand.i18n_check`); needs GNU gettext's xgettext for extraction.
The completeness half also runs in the test suite, which needs no gettext.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import polib

PACKAGE_DIR = Path(__file__).resolve().parent
CATALOGUE = PACKAGE_DIR / "locale" / "fa" / "LC_MESSAGES" / "django.po"
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def active_msgids(po: polib.POFile) -> set[tuple[str, str]]:
    return {(entry.msgctxt or "", entry.msgid) for entry in po if not entry.obsolete}


def problems(po: polib.POFile) -> list[str]:
    """Untranslated or fuzzy entries, and translations whose placeholders differ."""
    found = []
    for entry in po:
        if entry.obsolete:
            continue
        label = entry.msgid[:70]
        if entry.fuzzy:
            found.append(f"fuzzy: {label}")
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if not all(t.strip() for t in translations):
            found.append(f"untranslated: {label}")
            continue
        wanted = set(_PLACEHOLDER.findall(entry.msgid)) | set(_PLACEHOLDER.findall(entry.msgid_plural or ""))
        for text in translations:
            if set(_PLACEHOLDER.findall(text)) - wanted:
                found.append(f"placeholders differ: {label}")
    return found


def extracted_msgids() -> set[tuple[str, str]]:
    """What makemessages would write today, without changing the committed catalogue."""
    original = CATALOGUE.read_bytes()
    try:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "peyvand.settings"}
        subprocess.run(
            [sys.executable, "-m", "django", "makemessages", "-l", "fa", "--no-location", "--no-wrap"],
            cwd=PACKAGE_DIR,
            env=env,
            check=True,
            capture_output=True,
        )
        return active_msgids(polib.pofile(str(CATALOGUE)))
    finally:
        CATALOGUE.write_bytes(original)


def main() -> int:
    po = polib.pofile(str(CATALOGUE))
    errors = problems(po)
    committed, current = active_msgids(po), extracted_msgids()
    errors += [f"missing from the catalogue: {m[1][:70]}" for m in sorted(current - committed)]
    errors += [f"no longer in the code: {m[1][:70]}" for m in sorted(committed - current)]
    for error in errors:
        print(error)
    if errors:
        print(f"\n{len(errors)} problem(s). Run `make messages`, translate, and commit the catalogue.")
        return 1
    print(f"The Persian catalogue is complete: {len(committed)} messages.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
