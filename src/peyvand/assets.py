"""Copy the front-end files Peyvand serves from node_modules into build/static/vendor.

The packages come from the npm registry at set-up, pinned by package-lock.json; nothing
third-party is committed and nothing is fetched from a CDN at run time.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings

# source under node_modules -> destination under build/static/vendor
VENDOR_FILES = {
    "bootstrap/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "bootstrap/dist/css/bootstrap.min.css.map": "bootstrap/bootstrap.min.css.map",
    "bootstrap/dist/css/bootstrap.rtl.min.css": "bootstrap/bootstrap.rtl.min.css",
    "bootstrap/dist/css/bootstrap.rtl.min.css.map": "bootstrap/bootstrap.rtl.min.css.map",
    "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
    "bootstrap/dist/js/bootstrap.bundle.min.js.map": "bootstrap/bootstrap.bundle.min.js.map",
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    "bootstrap-icons/font/bootstrap-icons.min.css": "bootstrap-icons/bootstrap-icons.min.css",
    "bootstrap-icons/font/fonts": "bootstrap-icons/fonts",
    "vazirmatn/Vazirmatn-Variable-font-face.css": "vazirmatn/vazirmatn.css",
    "vazirmatn/fonts/webfonts": "vazirmatn/fonts/webfonts",
    "@majidh1/jalalidatepicker/dist/jalalidatepicker.min.js": "jalalidatepicker/jalalidatepicker.min.js",
    "@majidh1/jalalidatepicker/dist/jalalidatepicker.min.css": "jalalidatepicker/jalalidatepicker.min.css",
    "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
}


def vendor_dir() -> Path:
    return Path(settings.PROJECT_DIR) / "build" / "static" / "vendor"


def copy_vendor_files(node_modules: Path | None = None) -> int:
    """Copy every vendored file; returns how many were copied. Fails loudly if one is missing."""
    source_root = node_modules or Path(settings.PROJECT_DIR) / "node_modules"
    target_root = vendor_dir()
    missing = [src for src in VENDOR_FILES if not (source_root / src).exists()]
    if missing:
        raise FileNotFoundError(f"run `npm ci` first; missing in node_modules: {', '.join(missing)}")
    copied = 0
    for src, dst in VENDOR_FILES.items():
        source, target = source_root / src, target_root / dst
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
            copied += sum(1 for p in source.rglob("*") if p.is_file())
        else:
            shutil.copy2(source, target)
            copied += 1
    return copied
