"""The API object. ninja builds the OpenAPI 3.1 document from the operations' signatures and
the models in ``schemas``, served at ``/api/v1/openapi.json``, with a browsable page at
``/api/v1/docs``.

Routers: the items, collections and search (``views``), people, vocabularies and curators'
writes live here; any installed app may add its own by defining ``api.py`` with a ninja
``router`` (and optionally ``prefix``, default ``/<app label>``): it is mounted here at
start-up, so a new app's endpoints need no change to ``urls.py`` or the settings.
"""

from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule
from ninja import NinjaAPI

from . import people, vocabularies, write
from .marketplace import router as marketplace_router
from .views import router

# ``write`` adds the curators' operations to the items' router (same paths, token auth).
assert write.router is router

api = NinjaAPI(
    title="Miao Heritage Archive API",
    version="1",
    description=(
        "What a caller reads is what the archive's access policy shows them: anonymous "
        "callers see public items only. Every answer has an ETag; send it back in "
        "If-None-Match to get 304 Not Modified. Lists are paged by an opaque `cursor` "
        "(`next` is the next page's URL). Curators write with a Wagtail API token "
        "(`Authorization: Bearer …`, made in the admin or by `manage.py api_tokens create "
        "--user NAME --name LABEL`); what they write waits as a draft for review."
    ),
    urls_namespace="api-v1",
)
api.add_router("/", router)
api.add_router("/", people.router)
api.add_router("/", vocabularies.router)


def _mount_app_routers() -> None:
    for config in apps.get_app_configs():
        # The project's apps only (Wagtail has an ``api`` package of its own).
        if not config.name.startswith("archive.") or config.name == "archive.api":
            continue
        if not module_has_submodule(config.module, "api"):
            continue
        module = import_module(f"{config.name}.api")
        found = getattr(module, "router", None)
        if found is not None:
            api.add_router(getattr(module, "prefix", f"/{config.label}"), found)


_mount_app_routers()
# The marketplace sits below the API in the layers (search indexes its products), so it may
# not import the API's helpers; its router lives here instead of in its own ``api.py``.
api.add_router("/", marketplace_router)
