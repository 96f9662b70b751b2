"""What every router of the API shares: conditional JSON answers, cursor pages, tokens.

An app adds endpoints by defining ``api.py`` with a ninja ``router`` (and, optionally,
``prefix``, default ``/<app label>``); ``archive.api.urls`` finds and mounts it at start-up,
so the lessons or the marketplace need no change to ``urls.py`` or the settings. Their
operations answer with ``conditional_json`` (ETag, 304, cache headers by audience), page
with ``cursor_page`` and protect writes with ``auth=CuratorToken()``.
"""

from __future__ import annotations

import hashlib
import json

from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from wagtail.api.v3.auth import BearerTokenAuth

from archive.access import policy
from archive.core.http import share

CURSOR_SALT = "archive.api.cursor"
NOT_MODIFIED = {304: None}


def conditional_json(request: HttpRequest, data: dict, status: int = 200) -> HttpResponse:
    """``data`` as JSON with a strong ETag; ``304`` when the caller already holds it."""
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    response = get_conditional_response(request, etag=etag) if status == 200 else None
    if response is None:
        response = HttpResponse(body, content_type="application/json", status=status)
    response["ETag"] = etag
    return share(response, policy.audience(request.user).is_everyone, vary=("Cookie",))


def cursor_page(
    request: HttpRequest, queryset: QuerySet, cursor: str | None, limit: int
) -> tuple[list, str | None]:
    """One page of ``queryset`` by primary key after ``cursor``, and the next page's URL."""
    if cursor:
        try:
            after = signing.loads(cursor, salt=CURSOR_SALT)
        except signing.BadSignature as exc:
            raise HttpError(400, _("This cursor is not valid.")) from exc
        queryset = queryset.filter(pk__gt=int(after))
    page = list(queryset.order_by("pk")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    next_url = None
    if more:
        params = request.GET.copy()
        params["cursor"] = signing.dumps(page[-1].pk, salt=CURSOR_SALT)
        next_url = request.build_absolute_uri(request.path + "?" + params.urlencode())
    return page, next_url


class CuratorToken(BearerTokenAuth):
    """``Authorization: Bearer <token>`` of an active curator: Wagtail's own API tokens
    (``wagtailcore.APIToken``: only a keyed digest is stored; made in the admin under a
    user's API tokens, or by ``manage.py api_tokens create --user NAME --name LABEL``). A
    session cookie never stands in for a token, and a non-curator's token is refused."""

    openapi_description = (
        "A curator's API token: manage.py api_tokens create --user NAME --name LABEL"
    )

    def authenticate(self, request: HttpRequest, token: str):
        found = super().authenticate(request, token)
        if found is None or not policy.is_curator(request.user):
            return None
        return found
