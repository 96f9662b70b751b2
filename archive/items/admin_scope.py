"""What the admin shows each user: the policy's levels, applied to editors' work in progress.

The public doors ask ``policy``; the admin's pickers, listings and page doors ask this module,
which translates the same rule (``policy.level_q``) and decides nothing of its own beyond who
is an editor:

* curators (``access.view_restricted``) see everything;
* editors (users with add or change permission on some page: Contributors) see items at the
  levels the policy admits them to, live or draft, plus the items they own (a new item starts
  restricted, and its author must still reach it);
* everyone else with admin access (Teachers) sees only live items at admitted levels.

Pages that are not items (home, collections) are seen by editors, and by the others when live.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from archive.access import policy

from .models import ItemPage

if TYPE_CHECKING:
    from archive.access.policy import User


def is_editor(user: User | None) -> bool:
    from wagtail.permission_policies.pages import PagePermissionPolicy

    if not user or not user.is_authenticated:
        return False
    return PagePermissionPolicy().user_has_any_permission(user, {"add", "change"})


def items_q(user: User | None, prefix: str = "") -> Q:
    """A filter on items (or, with ``prefix``, on rows pointing at items) for the admin."""
    if policy.is_curator(user):
        return Q()
    q = policy.level_q(user, prefix)
    if is_editor(user):
        return q | Q(**{f"{prefix}owner": user})
    return q & Q(**{f"{prefix}live": True})


def admin_items(queryset: QuerySet, user: User | None) -> QuerySet:
    return queryset.filter(items_q(user))


def admin_pages(pages: QuerySet, user: User | None) -> QuerySet:
    """``pages`` (any page queryset) without the items, or non-live pages, hidden from user."""
    if policy.is_curator(user):
        return pages
    hidden = ItemPage.objects.exclude(pk__in=admin_items(ItemPage.objects.all(), user).values("pk"))
    pages = pages.exclude(pk__in=hidden.values("pk"))
    if not is_editor(user):
        pages = pages.filter(live=True)
    return pages


def admin_assets(queryset: QuerySet, user: User | None) -> QuerySet:
    """Media assets whose item the user may see in the admin and whose own level admits them.

    An editor also sees every asset of the items they own.
    """
    if policy.is_curator(user):
        return queryset
    # The policy's own rule for an asset's level (its community is its item's).
    q = items_q(user, "item__") & policy.audience(user).q("access_level", "item__community_id")
    if is_editor(user):
        q |= Q(item__owner=user)
    return queryset.filter(q)


def can_open_page(user: User | None, page_id: int) -> bool:
    """Whether the admin's page doors (edit, preview, history…) open ``page_id`` for user."""
    if policy.is_curator(user):
        return True
    items = ItemPage.objects.filter(pk=page_id)
    return admin_items(items, user).exists() or not items.exists()
