"""Settings for the test suite: the real settings with fast hashing and inline jobs."""

import atexit
import os
import shutil
import tempfile

if "PEYVAND_DATA_DIR" not in os.environ:
    # The run's data folder: made by the process that starts the run (xdist's workers inherit
    # it through the environment) and removed when that process ends.
    os.environ["PEYVAND_DATA_DIR"] = tempfile.mkdtemp(prefix="peyvand-test-")
    atexit.register(shutil.rmtree, os.environ["PEYVAND_DATA_DIR"], ignore_errors=True)
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
