from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IIIFConfig(AppConfig):
    """IIIF Image API 3 and Presentation API 3: the doors standard viewers use."""

    name = "archive.iiif"
    label = "iiif"
    verbose_name = _("IIIF")

    def ready(self) -> None:
        # Imported once the app registry is ready: the handlers import models.
        from . import signal_handlers

        signal_handlers.register()
