"""The one access policy.

Every door (page, search hit, facet count, thumbnail, IIIF, download, API, feed, sitemap,
lesson export) asks these functions; nothing else decides visibility. A level is seen by:

* ``public``: everyone;
* ``registered``: any signed-in user;
* ``community``: members of the community the item comes from, and curators;
* ``restricted``: curators (users with the ``access.view_restricted`` permission).

Items must also be live (published). Assets are seen only when their item is seen *and* the
asset's own level admits the user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from .models import AccessLevel

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    User = AbstractBaseUser | AnonymousUser

VIEW_RESTRICTED_PERM = "access.view_restricted"


def is_curator(user: User | None) -> bool:
    return bool(user and user.is_active and user.has_perm(VIEW_RESTRICTED_PERM))


def community_ids(user: User | None) -> set[int]:
    """The communities a user is a vouched-for member of (cached on the user object)."""
    if not user or not user.is_authenticated:
        return set()
    cached = getattr(user, "_mha_community_ids", None)
    if cached is None:
        cached = set(user.community_memberships.values_list("community_id", flat=True))
        user._mha_community_ids = cached
    return cached


def level_q(user: User | None, prefix: str = "") -> Q:
    """A filter on ``<prefix>access_level`` (and community) admitting what ``user`` may see."""
    if is_curator(user):
        return Q()
    q = Q(**{f"{prefix}access_level": AccessLevel.PUBLIC})
    if user and user.is_authenticated:
        q |= Q(**{f"{prefix}access_level": AccessLevel.REGISTERED})
        communities = community_ids(user)
        if communities:
            q |= Q(
                **{
                    f"{prefix}access_level": AccessLevel.COMMUNITY,
                    f"{prefix}community_id__in": communities,
                }
            )
    return q


def visible_items(queryset: QuerySet, user: User | None) -> QuerySet:
    """Items ``user`` may see: live ones at an admitted level. Curators also see drafts
    only through the admin, never through public doors, so ``live`` always applies here."""
    return queryset.filter(live=True).filter(level_q(user))


def visible_assets(queryset: QuerySet, user: User | None) -> QuerySet:
    """Assets whose own level and whose item's level both admit ``user``."""
    return (
        queryset.filter(item__live=True)
        .filter(level_q(user, "item__"))
        .filter(_asset_level_q(user))
    )


def _asset_level_q(user: User | None) -> Q:
    # An asset has no community of its own: it belongs to its item's community.
    if is_curator(user):
        return Q()
    q = Q(access_level=AccessLevel.PUBLIC)
    if user and user.is_authenticated:
        q |= Q(access_level=AccessLevel.REGISTERED)
        communities = community_ids(user)
        if communities:
            q |= Q(access_level=AccessLevel.COMMUNITY, item__community_id__in=communities)
    return q


def _admits(level: str, community_id: int | None, user: User | None) -> bool:
    if level == AccessLevel.PUBLIC:
        return True
    if not user or not user.is_authenticated:
        return False
    if is_curator(user):
        return True
    if level == AccessLevel.REGISTERED:
        return True
    if level == AccessLevel.COMMUNITY:
        return community_id is not None and community_id in community_ids(user)
    return False


def can_view_item(user: User | None, item: Any) -> bool:
    return bool(item.live) and _admits(item.access_level, item.community_id, user)


def can_view_asset(user: User | None, asset: Any) -> bool:
    item = asset.item
    return can_view_item(user, item) and _admits(asset.access_level, item.community_id, user)
