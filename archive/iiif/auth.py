"""IIIF Authorization Flow 2.0: probe, access (sign-in), token and logout services.

A viewer meets a resource that is not for everyone (an image service, a recording) and finds
an ``AuthProbeService2`` on it. It asks the probe, with a token if it has one; the probe
answers with the status the resource would give (the access policy decides:
:func:`archive.access.policy.probe_status`). On 401 the viewer opens the access service, our
own sign-in page, in a new window; once signed in, the token service (in an iframe) posts an
access token to the viewer's origin, and the viewer probes again.

The token stands for the session it was issued in, and only from the origin it was issued
to: it is a random string kept in the cache, mapped to that session's key. Each probe loads
the session (signing out, or a changed password, ends it), then asks the access policy
afresh, so no token outlives a withdrawal, an unpublish or a lost membership.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from importlib import import_module
from types import SimpleNamespace
from urllib.parse import urlsplit

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_http_methods

from archive.access import policy
from archive.assets.models import MediaAsset
from archive.core.http import preflight
from archive.items.models import ItemPage

from .labels import label_map

AUTH_CONTEXT = "http://iiif.io/api/auth/2/context.json"
#: Seconds an access token is good for (each probe still asks the policy).
TOKEN_SECONDS = 3600
MAX_ID = 2**31 - 1


def _absolute(request, path: str) -> str:
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def probe_path(asset_id: int) -> str:
    return f"/iiif/auth/2/probe/{asset_id}"


def item_probe_path(page_id: int) -> str:
    return f"/iiif/auth/2/probe/item/{page_id}"


def probe_service(request, asset_id: int | None = None, *, page_id: int | None = None) -> dict:
    """The service block a non-public resource carries (in a manifest or its info.json): the
    probe of one asset, or with ``page_id`` the probe of an item's manifest."""
    path = item_probe_path(page_id) if page_id is not None else probe_path(asset_id)
    return {
        "id": _absolute(request, path),
        "type": "AuthProbeService2",
        "service": [
            {
                "id": _absolute(request, reverse("iiif-auth-access")),
                "type": "AuthAccessService2",
                "profile": "active",
                "label": label_map(_("Sign in to the Miao Heritage Archive")),
                "heading": label_map(_("This material is shared with signed-in visitors")),
                "note": label_map(
                    _(
                        "Some recordings and pictures are shared only with registered "
                        "visitors or with members of the community they come from."
                    )
                ),
                "confirmLabel": label_map(_("Sign in")),
                "service": [
                    {
                        "id": _absolute(request, reverse("iiif-auth-token")),
                        "type": "AuthAccessTokenService2",
                    },
                    {
                        "id": _absolute(request, reverse("iiif-auth-logout")),
                        "type": "AuthLogoutService2",
                        "label": label_map(_("Sign out")),
                    },
                ],
            }
        ],
    }


# --- tokens ------------------------------------------------------------------------------


def _token_key(token: str) -> str:
    return "iiif:auth:token:" + hashlib.sha256(token.encode()).hexdigest()


def issue_token(session_key: str, origin: str) -> str:
    token = secrets.token_urlsafe(32)
    cache.set(_token_key(token), {"session": session_key, "origin": origin}, TOKEN_SECONDS)
    return token


def token_user(request):
    """The user a ``Bearer`` token stands for, or None when there is no usable token.

    Anonymous when the token is unknown or expired, was issued to another origin than the
    request's ``Origin``, or its session has ended (signed out, password changed)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    entry = cache.get(_token_key(token.strip()))
    if not entry:
        return AnonymousUser()
    origin = request.headers.get("Origin")
    if origin and origin != entry["origin"]:
        return AnonymousUser()
    store = import_module(settings.SESSION_ENGINE).SessionStore(entry["session"])
    # Django's own check: the session's user, backend and password hash must still hold.
    return auth.get_user(SimpleNamespace(session=store))


def valid_origin(origin: str) -> bool:
    """A serialized origin (``scheme://host[:port]``), and one this site gives tokens to."""
    try:
        parts = urlsplit(origin)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        return False
    allowed = settings.MHA_IIIF_AUTH_ORIGINS
    return not allowed or origin in allowed


# --- the services ------------------------------------------------------------------------


def _probe_door(request, path: str, status_for) -> HttpResponse:
    """``AuthProbeResult2``: always HTTP 200, the answer is in ``status``; ``status_for(user)``
    asks the access policy for the probe's user (the token's, else the session's)."""
    if request.method == "OPTIONS":
        return preflight()
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    user = token_user(request)
    if user is None:
        user = request.user
    status = status_for(user)
    result: dict = {
        "@context": AUTH_CONTEXT,
        "id": request.build_absolute_uri(path),
        "type": "AuthProbeResult2",
        "status": status,
    }
    if status == 401:
        result["heading"] = label_map(_("Sign in to see this"))
        result["note"] = label_map(
            _("It is shared with registered visitors or with its community's members.")
        )
    elif status == 403:
        result["heading"] = label_map(_("Not shared with you"))
        result["note"] = label_map(
            _("Its community shares it only with its own members and the archive's curators.")
        )
    response = HttpResponse(json.dumps(result, ensure_ascii=False), content_type="application/json")
    # The token travels in a header, never a cookie: any origin may ask, the answer is the
    # asker's own and is kept by no cache.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "private, no-store"
    response["Vary"] = "Authorization, Origin, Cookie"
    return response


def probe(request, asset_id: int):
    """The probe of one asset (an image service, a recording)."""

    def status_for(user) -> int:
        if asset_id > MAX_ID:
            return 404
        asset = MediaAsset.objects.select_related("item", "original").filter(pk=asset_id).first()
        return 404 if asset is None else policy.probe_status(user, asset)

    return _probe_door(request, probe_path(asset_id), status_for)


def item_probe(request, page_id: int):
    """The probe of an item's manifest: 401 or 403 for an item sign-in could open, 404 for
    one that is hidden (unpublished, withdrawn, expired, curators only) or does not exist."""

    def status_for(user) -> int:
        if page_id > MAX_ID:
            return 404
        item = ItemPage.objects.filter(pk=page_id).first()
        return 404 if item is None else policy.item_probe_status(user, item)

    return _probe_door(request, item_probe_path(page_id), status_for)


@require_http_methods(["GET", "POST"])
def access(request):
    """The active access service, in the window the viewer opened: the site's sign-in form
    (Django's ``LoginView``, so the same accounts and the same throttling as every sign-in
    door), then a page that closes the window.

    It is served here rather than by redirecting to ``/_util/login/`` because that page, like
    every page of the site, sends ``Cross-Origin-Opener-Policy: same-origin``, which cuts the
    window from the viewer that opened it: the viewer would see it closed at once and ask
    for a token before the visitor had signed in. These pages send ``unsafe-none``; they
    show only the sign-in form and a message."""
    if request.user.is_authenticated:
        response = render(request, "iiif/auth_signed_in.html", {})
    else:
        login = LoginView.as_view(
            template_name="iiif/auth_sign_in.html", next_page=request.get_full_path()
        )
        response = login(request)
        if hasattr(response, "render"):
            response = response.render()
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Opener-Policy"] = "unsafe-none"
    return response


# A viewer on any origin frames the token service (the spec's iframe); the message inside
# goes to the checked origin only.
@csp_replace({"frame-ancestors": ["*"]})
@xframe_options_exempt
@require_http_methods(["GET"])
def token(request):
    """The access token service, loaded by the viewer in an iframe: posts a token, or the
    reason there is none, to the viewer's window, and to the viewer's origin only."""
    message_id = request.GET.get("messageId", "")
    origin = request.GET.get("origin", "")
    message: dict = {"@context": AUTH_CONTEXT, "messageId": message_id}
    target = origin
    if not message_id or not origin:
        message.update(type="AuthAccessTokenError2", profile="invalidRequest")
        target = "*"  # an error names no secret
    elif not valid_origin(origin):
        message.update(type="AuthAccessTokenError2", profile="invalidOrigin")
        target = "*"
    elif not request.user.is_authenticated or not request.session.session_key:
        message.update(
            type="AuthAccessTokenError2",
            profile="missingAspect",
            heading=label_map(_("Not signed in")),
            note=label_map(_("Sign in to the archive first.")),
        )
    else:
        message.update(
            type="AuthAccessToken2",
            accessToken=issue_token(request.session.session_key, origin),
            expiresIn=TOKEN_SECONDS,
        )
    response = render(
        request, "iiif/auth_token.html", {"post": {"message": message, "target": target}}
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def logout(request):
    """The logout service: a page with a sign-out button (a POST, so no other site can sign a
    visitor out). Signing out ends the session, and with it every token issued in it."""
    signed_out = False
    if request.method == "POST":
        auth.logout(request)
        signed_out = True
    elif not request.user.is_authenticated:
        signed_out = True
    response = render(request, "iiif/auth_logout.html", {"signed_out": signed_out})
    response["Cache-Control"] = "private, no-store"
    return response
