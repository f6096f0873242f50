from django.apps import AppConfig
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _

from .converters import IdConverter


class CoreConfig(AppConfig):
    name = "peyvand.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        register_converter(IdConverter, "id")
        from django.contrib.auth.signals import user_logged_in

        from . import hooks
        from .hooks import register_change_label
        from .signin import session_started

        # Django's own moment of signing in, whoever calls login(): the session is recorded.
        user_logged_in.connect(session_started, dispatch_uid="peyvand-session-started")

        # How the audit log names what two-factor sign-in changes on a user.
        register_change_label("two_factor", _("two-factor sign-in"))
        register_change_label("recovery_codes", _("unused recovery codes"))
        register_change_label("invitation_sent", _("invitation sent to"))
        register_change_label("invitation_accepted", _("invitation accepted"))

        # The first-run set-up's own steps (the apps add theirs), and its card on home.
        from .selectors.setup import colleagues_invited, company_described
        from .views.setup import home_card

        hooks.register_setup_step(
            hooks.SetupStep(
                "company",
                _("Describe your company"),
                _(
                    "Legal name, logo, address, economic code and bank account: the seller on "
                    "quotes and invoices."
                ),
                "company",
                company_described,
                order=10,
                icon="bi-building",
            )
        )
        hooks.register_setup_step(
            hooks.SetupStep(
                "colleagues",
                _("Invite your colleagues"),
                _(
                    "Each colleague gets an email with a link to choose their password; give "
                    "each a role and a team."
                ),
                "user_create",
                colleagues_invited,
                order=90,
                icon="bi-people",
            )
        )
        hooks.register_panel("home", hooks.Panel("setup", "core/_home_setup.html", home_card, "main", 1))
        hooks.register_nav(
            hooks.NavItem("custom_fields", _("Custom fields"), "custom_field_list", order=50, menu="admin")
        )
