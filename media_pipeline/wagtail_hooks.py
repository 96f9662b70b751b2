from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views
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

    @property
    def add_url_name(self):
        # Assets come from an upload that checks the file and stores the original once.
        return "media_upload"


register_snippet(MediaAssetViewSet)


@hooks.register("register_admin_urls")
def register_upload_url():
    return [path("media/upload/", admin_views.upload, name="media_upload")]


@hooks.register("register_admin_menu_item")
def register_upload_menu_item():
    return MenuItem(_("Upload media"), reverse("media_upload"), icon_name="upload", order=271)
