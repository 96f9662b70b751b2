"""Curators add, change and delete pronunciations in the admin. Granted here, by the app that
owns the permissions, after the last app has migrated (when every permission exists), as
``archive.core.roles`` does."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.models import Group, Permission

from archive.core.roles import CURATORS


def grant_curators(sender, **kwargs) -> None:
    with_models = [a for a in apps.get_app_configs() if a.models_module is not None]
    if sender.label != with_models[-1].label:
        return
    curators = Group.objects.filter(name=CURATORS).first()
    if curators is not None:
        curators.permissions.add(
            *Permission.objects.filter(content_type__app_label="pronunciations")
        )
