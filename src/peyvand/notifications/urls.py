from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/count/", views.bell_count, name="bell_count"),
    path("notifications/menu/", views.bell_menu, name="bell_menu"),
    path("notifications/ringing/", views.screen_pop, name="screen_pop"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("notifications/<id:pk>/", views.notification_open, name="notification_open"),
    path("settings/notifications/", views.notification_settings, name="notification_settings"),
    path("messages/", views.conversations, name="conversations"),
    path("messages/<id:user_id>/", views.conversation, name="conversation"),
]
