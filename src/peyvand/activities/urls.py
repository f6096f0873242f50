from django.urls import path

from .views import activities, calendar, settings

urlpatterns = [
    path("my-day/", activities.my_day, name="my_day"),
    path("activities/", activities.activity_list, name="activity_list"),
    path("activities/new/", activities.activity_create, name="activity_create"),
    path("activities/customers/", activities.party_search, name="activity_party_search"),
    path("activities/deal-choices/", activities.deal_choices, name="activity_deal_choices"),
    path("activities/<id:pk>/", activities.activity_detail, name="activity_detail"),
    path("activities/<id:pk>/edit/", activities.activity_edit, name="activity_edit"),
    path("activities/<id:pk>/complete/", activities.activity_complete, name="activity_complete"),
    path("activities/<id:pk>/cancel/", activities.activity_cancel, name="activity_cancel"),
    path("activities/<id:pk>/reopen/", activities.activity_reopen, name="activity_reopen"),
    path("activities/<id:pk>/delete/", activities.activity_delete, name="activity_delete"),
    path("activities/<id:pk>/move/", calendar.activity_move, name="activity_move"),
    path("customers/<id:pk>/next-contact/", activities.party_next_contact, name="party_next_contact"),
    path("calendar/", calendar.calendar, name="calendar"),
    path("settings/calendar-feed/", calendar.feed_settings, name="feed_settings"),
    path("feeds/<str:key>.ics", calendar.calendar_feed, name="calendar_feed"),
    path("admin/follow-up/", settings.team_settings, name="team_settings"),
]
