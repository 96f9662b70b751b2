from django.contrib import messages
from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenView,
)
from wagtail.snippets.views.snippets import (
    EditView,
    HistoryView,
    InspectView,
    SnippetViewSet,
    UsageView,
)

from archive.access.policy import is_curator
from archive.items.admin_scope import admin_assets

from . import admin_views, roundtrip_views
from .models import AssetStatus, MediaAsset
from .tasks import enqueue_processing


class ScopedObjectMixin:
    """A 404 for an asset the user may not see in the admin (``items.admin_scope``)."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not admin_assets(MediaAsset.objects.filter(pk=obj.pk), self.request.user).exists():
            raise Http404
        return obj


class ScopedListMixin:
    def get_object_list(self):
        return admin_assets(super().get_object_list(), self.request.user)


class AssetChooserViewSet(SnippetChooserViewSet):
    choose_view_class = type("ChooseView", (ScopedListMixin, ChooseView), {})
    choose_results_view_class = type("ChooseResultsView", (ScopedListMixin, ChooseResultsView), {})
    chosen_view_class = type("ChosenView", (ScopedObjectMixin, SnippetChosenView), {})


class MediaAssetViewSet(SnippetViewSet):
    """Curators see every asset's state (queued, processing, ready, failed and why); others
    see the assets the access policy lets them see, and contributors cannot move an asset or
    change its level (see ``MediaAsset.panels``)."""

    model = MediaAsset
    menu_label = _("Media assets")
    menu_icon = "media"
    menu_order = 270
    add_to_admin_menu = True
    list_display = ["__str__", "status", "progress", "access_level", "error", "updated_at"]
    list_filter = ["status", "access_level"]
    search_fields = ["caption_zh", "caption_en"]
    #: Newest first: what a curator just uploaded is on the first page, not the last.
    ordering = ["-pk"]
    copy_view_enabled = False
    chooser_viewset_class = AssetChooserViewSet
    edit_view_class = type("EditView", (ScopedObjectMixin, EditView), {})
    history_view_class = type("HistoryView", (ScopedObjectMixin, HistoryView), {})
    usage_view_class = type("UsageView", (ScopedObjectMixin, UsageView), {})
    inspect_view_class = type("InspectView", (ScopedObjectMixin, InspectView), {})

    def get_queryset(self, request):
        return admin_assets(MediaAsset.objects.select_related("item", "original"), request.user)

    @property
    def add_url_name(self):
        # Assets come from an upload that checks the file and stores the original once.
        return "media_upload"


register_snippet(MediaAssetViewSet)


@hooks.register("register_admin_urls")
def register_upload_url():
    return [
        path("media/upload/", admin_views.upload, name="media_upload"),
        path("media/metadata/", roundtrip_views.metadata, name="media_metadata"),
    ]


@hooks.register("register_admin_menu_item")
def register_upload_menu_item():
    return MenuItem(_("Upload media"), reverse("media_upload"), icon_name="upload", order=271)


class CuratorMenuItem(MenuItem):
    def is_shown(self, request):
        return is_curator(request.user)


@hooks.register("register_admin_menu_item")
def register_metadata_menu_item():
    return CuratorMenuItem(
        _("Metadata spreadsheet"), reverse("media_metadata"), icon_name="table", order=272
    )


@hooks.register("register_bulk_action")
class ReprocessBulkAction(SnippetBulkAction):
    """Curators select assets (failed ones, say) and queue them to be made again."""

    display_name = _("Reprocess")
    action_type = "reprocess"
    aria_label = _("Make the derivatives of the selected assets again")
    template_name = "assets/admin/confirm_bulk_reprocess.html"
    action_priority = 40
    models = [MediaAsset]

    def check_perm(self, obj):
        return self.request.user.has_perm("assets.change_mediaasset")

    @classmethod
    def execute_action(cls, objects, **kwargs):
        for asset in objects:
            enqueue_processing(asset)
        return len(objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d asset queued for processing.",
            "%(count)d assets queued for processing.",
            num_parent_objects,
        ) % {"count": num_parent_objects}


def _warn_if_media_not_ready(request, page):
    """Publishing an item whose media the worker has not finished is allowed (the page
    shows what is ready), but the curator is told, so a stalled worker is not a surprise."""
    if not request.POST.get("action-publish") or not getattr(page, "live", False):
        return
    waiting = MediaAsset.objects.filter(
        item_id=page.pk, status__in=(AssetStatus.QUEUED, AssetStatus.PROCESSING)
    ).count()
    failed = MediaAsset.objects.filter(item_id=page.pk, status=AssetStatus.FAILED).count()
    if waiting:
        messages.warning(
            request,
            ngettext(
                "Published, but %(n)s media file is not ready yet (queued or processing): "
                "visitors will not see it until it is.",
                "Published, but %(n)s media files are not ready yet (queued or processing): "
                "visitors will not see them until they are.",
                waiting,
            )
            % {"n": waiting},
        )
    if failed:
        messages.warning(
            request,
            ngettext(
                "%(n)s media file failed to process and is not shown; "
                "see its reason in Media assets.",
                "%(n)s media files failed to process and are not shown; "
                "see the reasons in Media assets.",
                failed,
            )
            % {"n": failed},
        )


hooks.register("after_edit_page", _warn_if_media_not_ready)
hooks.register("after_create_page", _warn_if_media_not_ready)
