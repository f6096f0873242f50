from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/password/", views.password_view, name="password"),
    path("settings/tokens/", views.tokens_view, name="tokens"),
    path("settings/tokens/<id:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("admin/users/", views.users_view, name="users"),
    path("admin/users/new/", views.user_create_view, name="user_create"),
    path("admin/users/<id:pk>/", views.user_edit_view, name="user_edit"),
    path("admin/users/<id:pk>/password/", views.user_reset_password, name="user_reset_password"),
    path("admin/teams/", views.teams_view, name="teams"),
    path("admin/permissions/", views.permissions_view, name="permissions"),
    path("admin/audit/", views.audit_view, name="audit"),
]
