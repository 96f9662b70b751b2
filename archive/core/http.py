"""Response headers every door shares: who may keep a copy, and who may read it cross-origin."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers


def share(
    response: HttpResponse, for_everyone: bool, *, vary: tuple[str, ...] = ()
) -> HttpResponse:
    """Material for everyone may be kept by shared caches, briefly (a withdrawal or an
    unpublish must leave them within ``MHA_PUBLIC_CACHE_SECONDS``), and read from any origin
    (IIIF viewers, waveform drawers); anything else is the reader's own and kept by no one."""
    if for_everyone:
        response["Access-Control-Allow-Origin"] = "*"
        response["Cache-Control"] = f"public, max-age={settings.MHA_PUBLIC_CACHE_SECONDS}"
    else:
        response["Cache-Control"] = "private, no-store"
        vary = ("Cookie", *vary)
    if vary:
        patch_vary_headers(response, vary)
    response["X-Content-Type-Options"] = "nosniff"
    return response
