"""Small public doors that are not pages: the low-bandwidth switch, the friendly "not found"
page, and the offline copy's service worker."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.http import HttpResponse, HttpResponseNotFound, HttpResponseRedirect
from django.template import loader
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


def page_not_found(request, exception=None):
    """A 404 in the visitor's language with the ways back in (``handler404``): never Django's
    English page, and nothing about what was asked for beyond the visitor's own address."""
    body = loader.render_to_string("404.html", {"path": request.path}, request=request)
    return HttpResponseNotFound(body)


def service_worker(request):
    """``/sw.js``: the offline copy's worker, served from the site's root so that it may
    look after every page (a worker under ``/static/`` could only see ``/static/``). Always
    asked again (``no-cache``), so a new version reaches phones on their next visit."""
    path = finders.find("js/sw.js")
    with open(path, "rb") as fh:
        response = HttpResponse(fh.read(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
