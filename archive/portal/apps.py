from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public front of the archive, above the domain apps: the home page, the sitemap,
    the health check, and setting up the site tree. It may import items, search and the
    rest; nothing below imports it."""

    name = "archive.portal"
    label = "portal"
    verbose_name = _("Public site")
    default_auto_field = "django.db.models.BigAutoField"
