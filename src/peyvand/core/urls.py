from django.urls import path

from .views import admin, auth, company, home, search, settings, two_factor

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("login/code/", auth.login_code_view, name="login_code"),
    path("logout/", auth.logout_view, name="logout"),
    path("language/", auth.set_language, name="set_language"),
    path("search/", search.search_page, name="search"),
    path("search/suggest/", search.search_suggest, name="search_suggest"),
    path("settings/", settings.settings_view, name="settings"),
    path("settings/password/", settings.password_view, name="password"),
    path("settings/tokens/", settings.tokens_view, name="tokens"),
    path("settings/tokens/<id:pk>/revoke/", settings.token_revoke, name="token_revoke"),
    path("settings/two-factor/", two_factor.two_factor_view, name="two_factor"),
    path("settings/two-factor/set-up/", two_factor.two_factor_setup, name="two_factor_setup"),
    path("settings/two-factor/off/", two_factor.two_factor_disable, name="two_factor_disable"),
    path(
        "settings/two-factor/recovery-codes/",
        two_factor.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("settings/sessions/", settings.sessions_view, name="sessions"),
    path("settings/sessions/<id:pk>/revoke/", settings.session_revoke, name="session_revoke"),
    path("admin/users/", admin.users_view, name="users"),
    path("admin/users/new/", admin.user_create_view, name="user_create"),
    path("admin/users/<id:pk>/", admin.user_edit_view, name="user_edit"),
    path("admin/users/<id:pk>/password/", admin.user_reset_password, name="user_reset_password"),
    path("admin/users/<id:pk>/two-factor/reset/", admin.user_reset_two_factor, name="user_reset_two_factor"),
    path("admin/teams/", admin.teams_view, name="teams"),
    path("admin/permissions/", admin.permissions_view, name="permissions"),
    path("admin/permissions/two-factor/", admin.two_factor_roles_view, name="two_factor_roles"),
    path("admin/company/", company.company_view, name="company"),
    path("company/logo/", company.company_logo, name="company_logo"),
    path("admin/audit/", admin.audit_view, name="audit"),
    path("admin/sign-ins/", admin.sign_ins_view, name="sign_ins"),
]
