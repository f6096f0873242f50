from django.urls import path

from .views import assessments, business, culture, models, objectives, respond, risks, roadmap, stakeholders

app_name = "adoption"

urlpatterns = [
    path("adoption/", assessments.assessment_list, name="assessment_list"),
    path("adoption/new/", assessments.assessment_create, name="assessment_create"),
    path("adoption/<id:pk>/", assessments.assessment_detail, name="assessment_detail"),
    path("adoption/<id:pk>/invite/", assessments.invite_user, name="invite_user"),
    path("adoption/<id:pk>/link/", assessments.invite_link, name="invite_link"),
    path("adoption/<id:pk>/status/", assessments.assessment_status, name="assessment_status"),
    path("adoption/<id:pk>/results/", assessments.assessment_results, name="assessment_results"),
    path("adoption/models/", models.model_list, name="model_list"),
    path("adoption/models/<id:pk>/", models.model_detail, name="model_detail"),
    path("admin/adoption/models/import/", models.model_import, name="model_import"),
    path("adoption/questionnaires/", respond.my_questionnaires, name="my_questionnaires"),
    path("adoption/questionnaires/<id:pk>/", respond.respond, name="respond"),
    path("adoption/answer/<str:token>/", respond.respond_link, name="respond_link"),
    path("adoption/risks/", risks.risk_list, name="risk_list"),
    path("adoption/risks/new/", risks.risk_edit, name="risk_create"),
    path("adoption/risks/standard/", risks.risks_standard, name="risks_standard"),
    path("adoption/risks/<id:pk>/", risks.risk_edit, name="risk_edit"),
    path("adoption/business-cases/", business.case_list, name="case_list"),
    path("adoption/business-cases/new/", business.case_edit, name="case_create"),
    path("adoption/business-cases/<id:pk>/", business.case_detail, name="case_detail"),
    path("adoption/business-cases/<id:pk>/edit/", business.case_edit, name="case_edit"),
    path("adoption/business-cases/<id:pk>/lines/", business.line_add, name="line_add"),
    path("adoption/business-cases/<id:pk>/lines/<id:line_pk>/", business.line_edit, name="line_edit"),
    path(
        "adoption/business-cases/<id:pk>/lines/<id:line_pk>/delete/", business.line_delete, name="line_delete"
    ),
    path("adoption/objectives/", objectives.objective_list, name="objective_list"),
    path("adoption/objectives/new/", objectives.objective_edit, name="objective_create"),
    path("adoption/objectives/<id:pk>/", objectives.objective_detail, name="objective_detail"),
    path("adoption/objectives/<id:pk>/edit/", objectives.objective_edit, name="objective_edit"),
    path("adoption/objectives/<id:pk>/measure/", objectives.objective_measure, name="objective_measure"),
    path("adoption/objectives/<id:pk>/delete/", objectives.objective_delete, name="objective_delete"),
    path("adoption/culture/", culture.culture_list, name="culture_list"),
    path("adoption/culture/new/", culture.culture_create, name="culture_create"),
    path("adoption/stakeholders/", stakeholders.stakeholder_list, name="stakeholder_list"),
    path("adoption/stakeholders/new/", stakeholders.stakeholder_edit, name="stakeholder_create"),
    path("adoption/stakeholders/<id:pk>/", stakeholders.stakeholder_detail, name="stakeholder_detail"),
    path("adoption/stakeholders/<id:pk>/edit/", stakeholders.stakeholder_edit, name="stakeholder_edit"),
    path("adoption/stakeholders/<id:pk>/place/", stakeholders.stakeholder_place, name="stakeholder_place"),
    path(
        "adoption/stakeholders/<id:pk>/actions/",
        stakeholders.stakeholder_action_add,
        name="stakeholder_action_add",
    ),
    path(
        "adoption/stakeholders/<id:pk>/actions/<id:action_pk>/done/",
        stakeholders.stakeholder_action_done,
        name="stakeholder_action_done",
    ),
    path("adoption/roadmaps/", roadmap.roadmap_list, name="roadmap_list"),
    path("adoption/roadmaps/<id:pk>/", roadmap.roadmap_detail, name="roadmap_detail"),
    path("adoption/roadmap-items/<id:pk>/", roadmap.item_edit, name="item_edit"),
]
