from django.urls import path

from .views import imports, interactions, messaging, telephony, templates, webhooks

urlpatterns = [
    path("customers/<id:pk>/timeline/", interactions.timeline, name="party_timeline"),
    path("customers/<id:pk>/interactions/new/", interactions.interaction_create, name="interaction_create"),
    path("interactions/<id:pk>/edit/", interactions.interaction_edit, name="interaction_edit"),
    path("interactions/<id:pk>/delete/", interactions.interaction_delete, name="interaction_delete"),
    path("customers/<id:pk>/email/", messaging.email_send, name="email_send"),
    path("customers/<id:pk>/sms/", messaging.sms_send, name="sms_send"),
    path("customers/<id:pk>/compose/email/", messaging.compose, {"channel": "email"}, name="compose_email"),
    path("customers/<id:pk>/compose/sms/", messaging.compose, {"channel": "sms"}, name="compose_sms"),
    path("sms/count/", messaging.sms_count, name="sms_count"),
    path("outbox/", messaging.outbox_list, name="outbox"),
    path("outbox/<id:pk>/retry/", messaging.outbound_retry, name="outbound_retry"),
    path("outbox/<id:pk>/cancel/", messaging.outbound_cancel, name="outbound_cancel"),
    path("templates/", templates.template_list, name="template_list"),
    path("templates/new/", templates.template_edit, name="template_create"),
    path("templates/<id:pk>/", templates.template_edit, name="template_edit"),
    path("attachments/<id:pk>/", interactions.attachment_download, name="attachment_download"),
    path("admin/extensions/", telephony.extensions, name="extensions"),
    path("admin/webhooks/", webhooks.webhook_list, name="webhook_list"),
    path("admin/webhooks/new/", webhooks.webhook_create, name="webhook_create"),
    path("admin/webhooks/<id:pk>/", webhooks.webhook_detail, name="webhook_detail"),
    path("admin/webhooks/<id:pk>/edit/", webhooks.webhook_edit, name="webhook_edit"),
    path("admin/webhooks/<id:pk>/ping/", webhooks.webhook_ping, name="webhook_ping"),
    path("admin/webhooks/<id:pk>/secret/", webhooks.webhook_rotate, name="webhook_rotate"),
    path(
        "admin/webhooks/<id:pk>/deliveries/<id:delivery_id>/",
        webhooks.webhook_delivery,
        name="webhook_delivery",
    ),
    path(
        "admin/webhooks/<id:pk>/deliveries/<id:delivery_id>/retry/",
        webhooks.webhook_delivery_retry,
        name="webhook_delivery_retry",
    ),
    path("interactions/import/", imports.import_page, name="interaction_import"),
    path("unsubscribe/<str:token>/", messaging.unsubscribe, name="unsubscribe"),
]
