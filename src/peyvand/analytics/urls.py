from django.urls import URLPattern, path

from .views import dashboard

app_name = "analytics"

urlpatterns: list[URLPattern] = [
    path("analytics/", dashboard.dashboard_page, name="dashboard"),
    path("analytics/runs/", dashboard.run_start, name="run_start"),
    path("analytics/runs/<int:run_id>/", dashboard.run_progress, name="run_progress"),
]
