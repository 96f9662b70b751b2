"""The consent history shown on a person's page in the admin, to curators only."""

from __future__ import annotations

from wagtail.admin.panels import Panel

#: Who may read consent records (curators); contributors and teachers see none.
VIEW_CONSENT_PERM = "people.view_consentrecord"


class ConsentHistoryPanel(Panel):
    """Grants and withdrawals of one person, read-only, with links to record more."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "people/admin/consent_history_panel.html"

        def is_shown(self) -> bool:
            return bool(
                self.instance
                and self.instance.pk
                and self.request
                and self.request.user.has_perm(VIEW_CONSENT_PERM)
            )

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            user = self.request.user
            context["consents"] = self.instance.consents.select_related(
                "item", "recorded_by_user", "withdrawal__recorded_by_user"
            ).order_by("granted_on", "pk")
            context["can_add"] = user.has_perm("people.add_consentrecord")
            context["can_withdraw"] = user.has_perm("people.add_consentwithdrawal")
            return context
