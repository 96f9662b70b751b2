from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkersConfig(AppConfig):
    """The task workers, watched: each beats while alive, and recovers what a dead one left."""

    name = "archive.workers"
    label = "workers"
    verbose_name = _("Task workers")
    default_auto_field = "django.db.models.BigAutoField"
