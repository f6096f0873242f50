from django.urls import path

from .views import messages, notifications

urlpatterns = [
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/count/", notifications.bell_count, name="bell_count"),
    path("notifications/menu/", notifications.bell_menu, name="bell_menu"),
    path("notifications/ringing/", notifications.screen_pop, name="screen_pop"),
    path("notifications/read-all/", notifications.notification_read_all, name="notification_read_all"),
    path("notifications/<id:pk>/", notifications.notification_open, name="notification_open"),
    path("settings/notifications/", notifications.notification_settings, name="notification_settings"),
    path("messages/", messages.conversations, name="conversations"),
    path("messages/<id:user_id>/", messages.conversation, name="conversation"),
]
