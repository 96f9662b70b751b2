"""Login throttling: who is knocking, and what a locked-out visitor is told.

django-axes counts failed sign-ins on every door that calls Django's ``authenticate``
(the Wagtail admin, the Django admin, Wagtail's front-end login for private pages); these
two callables are the only project code it calls, named in settings as
``AXES_CLIENT_IP_CALLABLE`` and ``AXES_LOCKOUT_CALLABLE``.
"""

from __future__ import annotations

import ipaddress
import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import translate_url
from django.utils import translation
from django.utils.cache import add_never_cache_headers


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's address, trusting ``X-Forwarded-For`` only as far as settings say.

    Each trusted proxy appends the address it received the request from, so with
    ``MHA_TRUSTED_PROXY_COUNT = n`` the client is the n-th entry from the right; anything
    left of it was written by the client and is ignored. With no trusted proxies (the
    default) the header is ignored entirely: a visitor could otherwise choose their own
    address and never be locked out.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.MHA_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        # The request did not pass through every proxy we were told about.
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def lockout_minutes() -> int:
    """Minutes until a locked-out visitor may try again.

    Axes refuses a locked-out attempt and records it as one more failure, which restarts
    the cool-off (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT``), so at the moment the
    answer is shown the whole cool-off lies ahead.
    """
    return max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_language(request: HttpRequest) -> str:
    """The language to refuse a sign-in in.

    On the public site the address is the language (``/en/_util/login/`` is English,
    ``/_util/login/`` Chinese), as on every public page. The admin doors have one address
    for everyone, so there the visitor's language cookie or browser decides, Chinese when
    neither names a language we offer.
    """
    path = request.path_info
    in_path = translation.get_language_from_path(path)
    if in_path:
        return in_path
    if any(translate_url(path, code) != path for code, _ in settings.LANGUAGES):
        return settings.LANGUAGE_CODE
    return translation.get_language_from_request(request, check_path=False)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """The answer to a locked-out sign-in: 429, in the visitor's language."""
    language = lockout_language(request)
    with translation.override(language):
        response = render(
            request,
            "axes/lockout.html",
            {"minutes": lockout_minutes(), "failure_limit": settings.AXES_FAILURE_LIMIT},
            status=429,
        )
    response["Content-Language"] = language
    # Stands in for a login view's answer, which is never cached either.
    add_never_cache_headers(response)
    return response
