import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peyvand.settings")
application = get_wsgi_application()
# Import every view while the worker starts rather than inside its first request, so the
# first page a user opens is as quick as the next.
get_resolver().check()
# What starting made is kept out of the garbage collector's full passes (see cli.freeze_start_up).
gc.freeze()
