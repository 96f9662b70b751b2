from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ItemsConfig(AppConfig):
    name = "archive.items"
    label = "items"
    verbose_name = _("Collections and items")
    default_auto_field = "django.db.models.BigAutoField"
