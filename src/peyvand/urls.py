from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from .api import api

urlpatterns = [
    # Some clients ask for /favicon.ico whatever the page's <link rel="icon"> says. The address
    # is looked up when asked for, not when the URLs load (it needs the static manifest).
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static("peyvand/favicon.svg"))),
    path("api/v1/", api.urls),
    path("", include("peyvand.core.urls")),
    path("", include("peyvand.customers.urls")),
    path("", include("peyvand.interactions.urls")),
    path("", include("peyvand.activities.urls")),
    path("", include("peyvand.notifications.urls")),
    path("", include("peyvand.sales.urls")),
    path("", include("peyvand.service.urls")),
    path("", include("peyvand.marketing.urls")),
    path("", include("peyvand.analytics.urls")),
    path("", include("peyvand.portal.urls")),
    path("", include("peyvand.adoption.urls")),
    path("", include("peyvand.automation.urls")),
]

handler403 = "peyvand.core.views.errors.forbidden"
handler404 = "peyvand.core.views.errors.not_found"
handler500 = "peyvand.core.views.errors.server_error"
