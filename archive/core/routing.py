"""Routing a public URL to its page in fewer queries than Wagtail's default.

Wagtail's ``Page.route`` asks two queries per level of the URL: the child by its slug (as a
plain ``Page``), then that child's specific row (``.specific``). Where a parent knows what
kind its children are (the home page holds collections; a founding collection holds items
of its kind, see ``items.registry``), :func:`route_to_child` asks the child's specific row at
once, with whatever it will need joined in (``select_related``), in one query. A child of
another kind, or none, falls back to Wagtail's own route, so nothing that routes today stops
routing.

:func:`view_restrictions` is Wagtail's ``Page.get_view_restrictions`` (privacy set in the
admin: a password, signed-in users, groups) in one query instead of two: the ancestors are
named by their materialised paths, which the page already holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from wagtail.models import Page, PageViewRestriction


def route_to_child(
    parent: Page,
    request: Any,
    path_components: list[str],
    model: type[Page] | None,
    select_related: Iterable[str] = (),
):
    """Route ``path_components`` below ``parent``, fetching the child as ``model``."""
    if not path_components or model is None:
        return Page.route(parent, request, path_components)
    child = (
        model.objects.child_of(parent)
        .filter(slug=path_components[0])
        .select_related(*select_related)
        .first()
    )
    if child is None or child.specific_class is not type(child):
        # Not of the kind this parent expects (or a subclass of it): Wagtail's own route.
        return Page.route(parent, request, path_components)
    # As Wagtail does: the parent is cached on the child, so get_parent() asks nothing.
    child._cached_parent_obj = parent
    return child.route(request, path_components[1:])


def view_restrictions(page: Page):
    """The view restrictions that apply to ``page`` (its own and its ancestors'; an alias
    takes its source page's), as ``Page.get_view_restrictions`` answers, in one query."""
    if page.alias_of_id:
        return Page.get_view_restrictions(page)
    step = page.steplen
    paths = [page.path[:end] for end in range(step, len(page.path) + 1, step)]
    aliases = Page.objects.filter(path__in=paths, alias_of__isnull=False).values("alias_of_id")
    return PageViewRestriction.objects.filter(
        Q(page__path__in=paths, page__alias_of__isnull=True) | Q(page_id__in=aliases)
    )
