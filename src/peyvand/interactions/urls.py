from django.urls import path

from . import comms_views, views

urlpatterns = [
    path("customers/<id:pk>/timeline/", views.timeline, name="party_timeline"),
    path("customers/<id:pk>/interactions/new/", views.interaction_create, name="interaction_create"),
    path("interactions/<id:pk>/edit/", views.interaction_edit, name="interaction_edit"),
    path("interactions/<id:pk>/delete/", views.interaction_delete, name="interaction_delete"),
    path("customers/<id:pk>/email/", comms_views.email_send, name="email_send"),
    path("customers/<id:pk>/sms/", comms_views.sms_send, name="sms_send"),
    path("customers/<id:pk>/compose/email/", comms_views.compose, {"channel": "email"}, name="compose_email"),
    path("customers/<id:pk>/compose/sms/", comms_views.compose, {"channel": "sms"}, name="compose_sms"),
    path("sms/count/", comms_views.sms_count, name="sms_count"),
    path("outbox/", comms_views.outbox_list, name="outbox"),
    path("outbox/<id:pk>/retry/", comms_views.outbound_retry, name="outbound_retry"),
    path("outbox/<id:pk>/cancel/", comms_views.outbound_cancel, name="outbound_cancel"),
    path("templates/", comms_views.template_list, name="template_list"),
    path("templates/new/", comms_views.template_edit, name="template_create"),
    path("templates/<id:pk>/", comms_views.template_edit, name="template_edit"),
    path("attachments/<id:pk>/", comms_views.attachment_download, name="attachment_download"),
    path("admin/extensions/", comms_views.extensions, name="extensions"),
    path("unsubscribe/<str:token>/", comms_views.unsubscribe, name="unsubscribe"),
]
