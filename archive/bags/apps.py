from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BagsConfig(AppConfig):
    name = "archive.bags"
    label = "bags"
    verbose_name = _("BagIt export and import")
