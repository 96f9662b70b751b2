from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "archive.marketplace"
    label = "marketplace"
    verbose_name = _("Artisan marketplace")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Django's app loading forces this function-level import of the app's own handlers.
        from django.db.models.signals import post_migrate

        from . import roles, signal_handlers

        signal_handlers.connect()
        post_migrate.connect(roles.grant_curators, dispatch_uid="mha-marketplace-roles")
