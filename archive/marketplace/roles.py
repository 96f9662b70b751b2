"""What curators may do with the marketplace in the admin: everything but add or edit an
enquiry (a buyer's words). Granted here, by the app that owns the permissions, after the
last app has migrated (when every permission exists), as ``archive.core.roles`` does."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.models import Group, Permission

from archive.core.roles import CURATORS

NEVER_GRANTED = ["add_enquiry", "change_enquiry"]


def grant_curators(sender, **kwargs) -> None:
    with_models = [a for a in apps.get_app_configs() if a.models_module is not None]
    if sender.label != with_models[-1].label:
        return
    curators = Group.objects.filter(name=CURATORS).first()
    if curators is None:
        return
    curators.permissions.add(
        *Permission.objects.filter(content_type__app_label="marketplace").exclude(
            codename__in=NEVER_GRANTED
        )
    )
