from django.urls import path

from .views import analysis, settings, surveys, tickets

app_name = "service"

urlpatterns = [
    path("tickets/", tickets.ticket_list, name="ticket_list"),
    path("tickets/new/", tickets.ticket_create, name="ticket_create"),
    path("tickets/analysis/", analysis.ticket_analysis, name="analysis"),
    path("tickets/<id:pk>/", tickets.ticket_detail, name="ticket_detail"),
    path("tickets/<id:pk>/edit/", tickets.ticket_edit, name="ticket_edit"),
    path("tickets/<id:pk>/reply/", tickets.ticket_reply, name="ticket_reply"),
    path("tickets/<id:pk>/note/", tickets.ticket_note, name="ticket_note"),
    path("tickets/<id:pk>/status/", tickets.ticket_status, name="ticket_status"),
    path("tickets/<id:pk>/survey/", surveys.survey_ask, name="survey_ask"),
    path("survey/<str:token>/", surveys.survey, name="survey"),
    path("admin/service/", settings.service_settings, name="settings"),
    path("admin/service/calendars/new/", settings.calendar_edit, name="calendar_create"),
    path("admin/service/calendars/<id:pk>/", settings.calendar_edit, name="calendar_edit"),
    path("admin/service/calendars/<id:pk>/days/", settings.calendar_day, name="calendar_day"),
    path("admin/service/policies/new/", settings.policy_edit, name="policy_create"),
    path("admin/service/policies/<id:pk>/", settings.policy_edit, name="policy_edit"),
]
