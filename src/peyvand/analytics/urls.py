from django.urls import URLPattern, path

from .views import dashboard, reports

app_name = "analytics"

urlpatterns: list[URLPattern] = [
    path("analytics/", dashboard.dashboard_page, name="dashboard"),
    path("analytics/runs/", dashboard.run_start, name="run_start"),
    path("analytics/runs/<int:run_id>/", dashboard.run_progress, name="run_progress"),
    path("analytics/reports/", reports.report_list, name="report_list"),
    path("analytics/reports/new/", reports.report_new, name="report_new"),
    path("analytics/reports/<int:pk>/", reports.report_detail, name="report_detail"),
    path("analytics/reports/<int:pk>/edit/", reports.report_edit, name="report_edit"),
    path("analytics/reports/<int:pk>/delete/", reports.report_delete, name="report_delete"),
]
