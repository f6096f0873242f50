"""Settings for the test suite: the real settings with fast hashing and inline jobs."""

import os
import tempfile

os.environ.setdefault("PEYVAND_DATA_DIR", tempfile.mkdtemp(prefix="peyvand-test-"))
os.environ.setdefault("SECRET_KEY", "tests-only-" + "x" * 40)

from peyvand.settings import *  # noqa: F403
from peyvand.settings import HUEY, STATIC_ROOT, STORAGES

STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Hashing dominates a suite that logs in hundreds of times; production keeps PBKDF2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
ALLOWED_HOSTS = ["*"]
