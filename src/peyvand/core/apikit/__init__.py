"""The kit every app's API is built with, independent of the routes that use it.

- ``schemas``: building blocks of request and response bodies (ids, Jalali-aware dates,
  pages, the error envelope);
- ``errors``: one JSON error format, translated, for every failure;
- ``auth``: personal tokens and the web UI's session;
- ``endpoints``: small helpers endpoints share (the acting user, policy-checked lookups);
- ``serialize``: list pages dumped without django-ninja's per-attribute getter.

Modules here are imported while the URLconf loads and must not use ``from __future__
import annotations``: django-ninja reads the endpoints' annotations as real types.
"""
