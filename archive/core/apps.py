from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from . import checks  # noqa: F401  (registers system checks)
from .pagecache import connect_signals


class CoreConfig(AppConfig):
    name = "archive.core"
    label = "core"
    verbose_name = _("Archive")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_ensure_roles_after_last_app, dispatch_uid="mha-ensure-roles")
        connect_signals()


def _ensure_roles_after_last_app(sender, **kwargs) -> None:
    # post_migrate fires once per app, and each app's permissions are created by its own
    # signal; only after the last app do all the permissions the groups need exist.
    with_models = [a for a in apps.get_app_configs() if a.models_module is not None]
    if sender.label != with_models[-1].label:
        return
    # Imported here: roles imports django.contrib.auth's models, which cannot be imported
    # while this module is (app configs load before any models do).
    from .roles import ensure_roles

    ensure_roles()
