"""Admin panels for items."""

from wagtail.admin.panels import Panel


class MediaStatusPanel(Panel):
    """The item's media on its edit page: each asset's state, progress and failure reason,
    with links to upload more and to reprocess; assets are not edited through the page form
    (the pipeline updates them in the background)."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "items/admin/media_status_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            item = self.instance
            context["assets"] = (
                item.assets.select_related("original").order_by("position", "pk") if item.pk else []
            )
            context["item"] = item
            return context
