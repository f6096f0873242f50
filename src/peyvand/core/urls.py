from django.urls import path

from .views import admin, auth, home, search, settings

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("language/", auth.set_language, name="set_language"),
    path("search/", search.search_page, name="search"),
    path("search/suggest/", search.search_suggest, name="search_suggest"),
    path("settings/", settings.settings_view, name="settings"),
    path("settings/password/", settings.password_view, name="password"),
    path("settings/tokens/", settings.tokens_view, name="tokens"),
    path("settings/tokens/<id:pk>/revoke/", settings.token_revoke, name="token_revoke"),
    path("admin/users/", admin.users_view, name="users"),
    path("admin/users/new/", admin.user_create_view, name="user_create"),
    path("admin/users/<id:pk>/", admin.user_edit_view, name="user_edit"),
    path("admin/users/<id:pk>/password/", admin.user_reset_password, name="user_reset_password"),
    path("admin/teams/", admin.teams_view, name="teams"),
    path("admin/permissions/", admin.permissions_view, name="permissions"),
    path("admin/audit/", admin.audit_view, name="audit"),
    path("admin/sign-ins/", admin.sign_ins_view, name="sign_ins"),
]
