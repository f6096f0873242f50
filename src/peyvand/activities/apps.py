from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "peyvand.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from peyvand.core import policy
        from peyvand.core.extensions import (
            NavGroup,
            NavItem,
            PartyPanel,
            register_nav,
            register_nav_group,
            register_party_panel,
        )

        from .models import Activity
        from .occasions import first_deal_won
        from .panels import next_steps_context
        from .services.alerts import register_occasion_source

        # An activity belongs to whoever is to do it: they (and, by the policy's scopes,
        # their team or manager) see and change it.
        policy.register(Activity, resource="activity", owner="assignee_id")

        def may_plan(user: object) -> bool:
            return policy.can_create(user, Activity)

        register_nav_group(NavGroup("follow_up", _("Follow-up"), "bi-check2-square", order=30))
        register_nav(
            NavItem("my_day", _("My day"), "my_day", "bi-sun", order=5, visible=may_plan, group="follow_up")
        )
        register_nav(
            NavItem(
                "calendar",
                _("Calendar"),
                "calendar",
                "bi-calendar3",
                order=6,
                visible=may_plan,
                group="follow_up",
            )
        )
        register_nav(
            NavItem(
                "follow_up_settings",
                _("Follow-up and escalation"),
                "team_settings",
                menu="admin",
                order=60,
            )
        )
        register_occasion_source(first_deal_won)
        register_party_panel(
            PartyPanel(
                "next_steps", "activities/_party_panel.html", next_steps_context, column="side", order=10
            )
        )
