"""Caption tracks in the admin, for curators (``core.roles`` grants them the permissions): a
track of a live item is shown at once, so it does not go through contributors' drafts."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import CaptionTrack


class CaptionTrackViewSet(SnippetViewSet):
    model = CaptionTrack
    icon = "openquote"
    menu_label = _("Caption tracks")
    list_display = ["item", "language", "variety", "kind", "updated_at"]
    list_filter = ["language", "kind"]
    search_fields = ["variety", "label_zh", "label_en"]


register_snippet(CaptionTrackViewSet)
