"""The API object: its operations are in ``views``; ninja builds the OpenAPI 3.1 document
from their signatures and the models in ``schemas``, served at ``/api/v1/openapi.json``,
with a browsable page at ``/api/v1/docs``."""

from ninja import NinjaAPI

from .marketplace import router as marketplace_router
from .views import router

api = NinjaAPI(
    title="Miao Heritage Archive API",
    version="1",
    description=(
        "Read-only. What a caller sees is what the archive's access policy shows them: "
        "anonymous callers see public items only. Every answer has an ETag; send it back "
        "in If-None-Match to get 304 Not Modified."
    ),
    urls_namespace="api-v1",
)
api.add_router("/", router)
api.add_router("/", marketplace_router)
