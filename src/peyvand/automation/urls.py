from django.urls import path

from .views import rules

app_name = "automation"

urlpatterns = [
    path("automation/", rules.rule_list, name="rule_list"),
    path("automation/new/", rules.rule_create, name="rule_create"),
    path("automation/templates/<slug:key>/", rules.rule_from_template, name="rule_from_template"),
    path("automation/<id:pk>/", rules.rule_detail, name="rule_detail"),
    path("automation/<id:pk>/edit/", rules.rule_edit, name="rule_edit"),
    path("automation/<id:pk>/switch/", rules.rule_switch, name="rule_switch"),
    path("automation/<id:pk>/delete/", rules.rule_delete, name="rule_delete"),
    path("automation/<id:pk>/test/", rules.rule_test, name="rule_test"),
]
