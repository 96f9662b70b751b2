"""Routing a public URL to its page in fewer queries than Wagtail's default.

Wagtail's ``Page.route`` asks two queries per level of the URL: the child by its slug (as a
plain ``Page``), then that child's specific row (``.specific``). Where a parent knows what
kind its children are (the home page holds collections; a founding collection holds items
of its kind, see ``items.registry``), :func:`route_to_child` asks the child's specific row at
once, with whatever it will need joined in (``select_related``), in one query. A child of
another kind, or none, falls back to Wagtail's own route, so nothing that routes today stops
routing.

:func:`view_restrictions` is Wagtail's ``Page.get_view_restrictions`` (privacy set in the
admin: a password, signed-in users, groups) in one query instead of two — none when the
routing query, which asks whether any applies, found none: the ancestors are named by their
materialised paths, which the page already holds.

:class:`CachedSiteMiddleware` keeps what every page request starts from — the Wagtail site
for the host, its root page and the root's children (the collections), as their specific
pages — in the cache, keyed by the page cache's generation, which publishing, unpublishing,
moving or deleting any page and saving a site bump (``pagecache.connect_signals``). So a
request does not ask again, three queries each time, what the previous one read. Only the
routing tree is kept: the page a request is for, and everything it shows, is read afresh.
``MHA_ROUTE_CACHE_SECONDS`` = 0 turns it off (the tests' default: their local-memory cache
outlives each test's database).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from wagtail.models import Page, PageViewRestriction, Site

from .pagecache import generation


def route_to_child(
    parent: Page,
    request: Any,
    path_components: list[str],
    model: type[Page] | None,
    select_related: Iterable[str] = (),
):
    """Route ``path_components`` below ``parent``, fetching the child as ``model`` (or
    taking it from the children the route cache keeps with the site's root page)."""
    kept = getattr(parent, "_route_children", None)
    if path_components and kept and path_components[0] in kept:
        child = kept[path_components[0]]
        child._cached_parent_obj = parent
        return child.route(request, path_components[1:])
    if not path_components or model is None:
        return Page.route(parent, request, path_components)
    child = (
        model.objects.child_of(parent)
        .filter(slug=path_components[0])
        .select_related(*select_related)
        .annotate(any_view_restriction=Exists(_restrictions_q(parent.path, OuterRef("pk"))))
        .first()
    )
    if child is None or child.specific_class is not type(child):
        # Not of the kind this parent expects (or a subclass of it): Wagtail's own route.
        return Page.route(parent, request, path_components)
    # As Wagtail does: the parent is cached on the child, so get_parent() asks nothing.
    child._cached_parent_obj = parent
    return child.route(request, path_components[1:])


def _restrictions_q(path: str, page: Any = None):
    """View restrictions on the page at ``path`` and its ancestors (an alias's source page's
    instead of the alias's own), and on ``page`` if given (an ``OuterRef``)."""
    step = Page.steplen
    paths = [path[:end] for end in range(step, len(path) + 1, step)]
    aliases = Page.objects.filter(path__in=paths, alias_of__isnull=False).values("alias_of_id")
    q = Q(page__path__in=paths, page__alias_of__isnull=True) | Q(page_id__in=aliases)
    if page is not None:
        q |= Q(page_id=page)
    return PageViewRestriction.objects.filter(q)


def view_restrictions(page: Page):
    """The view restrictions that apply to ``page`` (its own and its ancestors'; an alias
    takes its source page's), as ``Page.get_view_restrictions`` answers: in one query, or
    none when routing already found that there are none (``any_view_restriction``)."""
    if page.alias_of_id:
        return Page.get_view_restrictions(page)
    if getattr(page, "any_view_restriction", None) is False:
        return PageViewRestriction.objects.none()
    return _restrictions_q(page.path)


def route_cache_seconds() -> int:
    return int(getattr(settings, "MHA_ROUTE_CACHE_SECONDS", 0))


def _site_with_tree(request: HttpRequest) -> Site | None:
    """Wagtail's site for ``request``, its root page specific, with the root's children
    (specific, by slug) kept on it for :func:`route_to_child`."""
    site = Site._find_for_request(request)
    if site is None:
        return None
    root = site.root_page.specific
    root._route_children = {c.slug: c for c in root.get_children().specific()}
    site.root_page = root
    return site


class CachedSiteMiddleware:
    """Gives Wagtail the request's site from the cache (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = route_cache_seconds()
        if seconds > 0 and not hasattr(request, "_wagtail_site"):
            host = split_domain_port(request._get_raw_host())[0]
            key = f"mha:route:{generation()}:{host}:{request.get_port()}"
            site = cache.get(key)
            if site is None:
                site = _site_with_tree(request)
                if site is not None:
                    cache.set(key, site, seconds)
            if site is not None:
                request._wagtail_site = site
        return self.get_response(request)
