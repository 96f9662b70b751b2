from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ItemsConfig(AppConfig):
    name = "archive.items"
    label = "items"
    verbose_name = _("Collections and items")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Signal wiring needs the models loaded, hence here and not at import time.
        from .consent import connect_signals

        connect_signals()
