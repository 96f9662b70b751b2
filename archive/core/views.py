"""Small public doors that are not pages: the low-bandwidth switch and transcripts as WebVTT."""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from .pagecache import LOW_BANDWIDTH_COOKIE


def low_bandwidth(request):
    """``?on=1`` or ``?on=0``: remember the choice in a cookie for a year, go back."""
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if request.GET.get("on") == "1":
        response.set_cookie(
            LOW_BANDWIDTH_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
    else:
        response.delete_cookie(LOW_BANDWIDTH_COOKIE, samesite="Lax")
    return response
