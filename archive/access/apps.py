from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "archive.access"
    label = "access"
    verbose_name = _("Access and rights")
    default_auto_field = "django.db.models.BigAutoField"
