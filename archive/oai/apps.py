from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OaiConfig(AppConfig):
    name = "archive.oai"
    label = "oai"
    verbose_name = _("OAI-PMH")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Signal wiring needs the models loaded, hence here and not at import time.
        from .signal_handlers import connect_signals

        connect_signals()
