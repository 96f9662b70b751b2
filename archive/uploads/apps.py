from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UploadsConfig(AppConfig):
    """Resumable uploads (the tus protocol): large recordings over links that drop."""

    name = "archive.uploads"
    label = "uploads"
    verbose_name = _("Resumable uploads")
    default_auto_field = "django.db.models.BigAutoField"
