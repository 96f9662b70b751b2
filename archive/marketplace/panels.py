"""What a curator sees of an artisan's or cooperative's profile that lives elsewhere: who
they are comes from their person record (edited there), and the photo already stored."""

from __future__ import annotations

from django.urls import reverse
from wagtail.admin.panels import Panel


class PartyPanel(Panel):
    """Read-only: the person behind the profile (names, village: edited on the person) and
    the stored photo, if any, with whether the site shows it now."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "marketplace/admin/party_panel.html"

        def is_shown(self) -> bool:
            return bool(self.instance and self.instance.pk)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            party = self.instance
            context["party"] = party
            context["person_url"] = reverse(
                "wagtailsnippets_people_person:edit", args=[party.person_id]
            )
            context["shown"] = type(party).objects.shown().filter(pk=party.pk).exists()
            return context
