from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import MediaAsset


class MediaAssetViewSet(SnippetViewSet):
    """Curators see every asset's state (queued, processing, ready, failed and why)."""

    model = MediaAsset
    menu_label = _("Media assets")
    menu_icon = "media"
    menu_order = 270
    add_to_admin_menu = True
    list_display = ["__str__", "status", "access_level", "error", "updated_at"]
    list_filter = ["status", "access_level"]
    search_fields = ["caption_zh", "caption_en"]
    copy_view_enabled = False


register_snippet(MediaAssetViewSet)
