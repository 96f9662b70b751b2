from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    """Originals, the assets that put them on items, their derivatives, and the file door.

    The tables were made by the first wave's ``media_pipeline`` app; migration 0001 replaces
    that app's migration, so existing databases keep their rows (see ``migrations/``).
    """

    name = "archive.assets"
    label = "assets"
    verbose_name = _("Media")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from archive.core import pagecache

        from .signals import asset_ready

        def made(sender, item_id=None, **kwargs) -> None:
            # Its derivatives are made: a published item's pages can now show it.
            pagecache.item_changed(item_id)

        asset_ready.connect(made, weak=False, dispatch_uid="assets-ready-pagecache")
