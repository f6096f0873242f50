from django.urls import path

from .views import attribution, campaigns, cube, programmes, segments, tracking

app_name = "marketing"

urlpatterns = [
    path("marketing/segments/", segments.segment_list, name="segment_list"),
    path("marketing/segments/new/", segments.segment_create, name="segment_create"),
    path("marketing/segments/builder/", segments.segment_builder, name="segment_builder"),
    path("marketing/segments/count/", segments.segment_count, name="segment_count"),
    path("marketing/segments/<id:pk>/", segments.segment_detail, name="segment_detail"),
    path("marketing/segments/<id:pk>/edit/", segments.segment_edit, name="segment_edit"),
    path("marketing/segments/<id:pk>/delete/", segments.segment_delete, name="segment_delete"),
    path("marketing/segments/<id:pk>/freeze/", segments.segment_freeze, name="segment_freeze"),
    path("marketing/segments/<id:pk>/import/", segments.list_import, name="list_import"),
    path("marketing/segments/<id:pk>/remove/", segments.list_remove, name="list_remove"),
    path("marketing/lists/from-selection/", segments.list_from_selection, name="list_from_selection"),
    path("marketing/strategy-cube/", cube.strategy_cube, name="strategy_cube"),
    path("marketing/attribution/", attribution.attribution, name="attribution"),
    path("marketing/campaigns/", campaigns.campaign_list, name="campaign_list"),
    path("marketing/campaigns/new/", campaigns.campaign_create, name="campaign_create"),
    path("marketing/campaigns/<id:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("marketing/campaigns/<id:pk>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("marketing/campaigns/<id:pk>/delete/", campaigns.campaign_delete, name="campaign_delete"),
    path("marketing/campaigns/<id:pk>/estimate/", campaigns.campaign_estimate, name="campaign_estimate"),
    path("marketing/campaigns/<id:pk>/preview/", campaigns.campaign_preview, name="campaign_preview"),
    path("marketing/campaigns/<id:pk>/test/", campaigns.campaign_test, name="campaign_test"),
    path("marketing/campaigns/<id:pk>/send/", campaigns.campaign_send, name="campaign_send"),
    path("marketing/campaigns/<id:pk>/cancel/", campaigns.campaign_cancel, name="campaign_cancel"),
    path("marketing/campaigns/<id:pk>/winner/", campaigns.campaign_winner, name="campaign_winner"),
    path("marketing/campaigns/<id:pk>/progress/", campaigns.campaign_progress, name="campaign_progress"),
    path("marketing/campaigns/<id:pk>/report/", campaigns.campaign_report, name="campaign_report"),
    path(
        "marketing/campaigns/<id:pk>/recipients/", campaigns.campaign_recipients, name="campaign_recipients"
    ),
    path("marketing/programmes/", programmes.programme_list, name="programme_list"),
    path("marketing/programmes/new/", programmes.programme_create, name="programme_create"),
    path(
        "marketing/programmes/from-template/",
        programmes.programme_from_template,
        name="programme_from_template",
    ),
    path("marketing/programmes/<id:pk>/", programmes.programme_detail, name="programme_detail"),
    path("marketing/programmes/<id:pk>/edit/", programmes.programme_edit, name="programme_edit"),
    path("marketing/programmes/<id:pk>/delete/", programmes.programme_delete, name="programme_delete"),
    path("marketing/programmes/<id:pk>/start/", programmes.programme_start, name="programme_start"),
    path("marketing/programmes/<id:pk>/pause/", programmes.programme_pause, name="programme_pause"),
    path("marketing/programmes/<id:pk>/enrol/", programmes.programme_enrol, name="programme_enrol"),
    path("marketing/programmes/<id:pk>/steps/new/", programmes.step_create, name="step_create"),
    path("marketing/programmes/<id:pk>/steps/<id:step_pk>/", programmes.step_edit, name="step_edit"),
    path(
        "marketing/programmes/<id:pk>/steps/<id:step_pk>/delete/", programmes.step_delete, name="step_delete"
    ),
    path("marketing/programmes/<id:pk>/enrolments/", programmes.enrolment_list, name="enrolment_list"),
    path(
        "marketing/programmes/<id:pk>/enrolments/<id:enrolment_pk>/",
        programmes.enrolment_detail,
        name="enrolment_detail",
    ),
    # In the messages themselves: short, since an SMS pays by the character.
    path("m/c/<str:token>/", tracking.click, name="click"),
    path("m/o/<str:token>.gif", tracking.pixel, name="pixel"),
]
