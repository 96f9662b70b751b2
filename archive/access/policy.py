"""The one access policy.

Every door (page, search hit, facet count, thumbnail, IIIF, download, API, feed, sitemap,
lesson export) asks this module; nothing else decides visibility. It reduces whoever asks to
an :class:`Audience` — the levels they may see anywhere, the communities whose
community-level material they may see — and the doors and engines *translate* that value
(an ORM filter, a search-engine filter, a cache key) instead of deciding levels again.
A new access level is a change here only. A level is seen by:

* ``public``: everyone;
* ``registered``: any signed-in user;
* ``community``: members of the community the item comes from, and curators;
* ``restricted``: curators (users with the ``access.view_restricted`` permission).

Items must also be live (published) and not past their expiry. Assets are seen only when
their item is seen *and* the asset's own level admits the audience (an asset belongs to its
item's community). A transcript belongs to the recording it transcribes: it is seen only
with that recording's asset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .models import AccessLevel

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    User = AbstractBaseUser | AnonymousUser

VIEW_RESTRICTED_PERM = "access.view_restricted"


@dataclass(frozen=True)
class Audience:
    """Who is asking, reduced to what decides visibility."""

    #: Levels admitted whatever the material's community.
    levels: frozenset[str]
    #: Communities whose ``community``-level material is admitted.
    communities: frozenset[int] = frozenset()
    #: Curators: every level, every community.
    everything: bool = False

    def admits(self, level: str, community_id: int | None) -> bool:
        if self.everything or level in self.levels:
            return True
        return level == AccessLevel.COMMUNITY and community_id in self.communities

    def q(self, level_field: str = "access_level", community_field: str = "community_id") -> Q:
        """This audience as an ORM filter on a level column and a community column."""
        if self.everything:
            return Q()
        q = Q(**{f"{level_field}__in": sorted(self.levels)})
        if self.communities:
            q |= Q(
                **{
                    level_field: AccessLevel.COMMUNITY,
                    f"{community_field}__in": sorted(self.communities),
                }
            )
        return q

    @property
    def key(self) -> str:
        """A short, stable text naming this audience, for cache keys."""
        if self.everything:
            return "all"
        return ".".join(sorted(self.levels)) + ":" + ",".join(map(str, sorted(self.communities)))

    @property
    def is_everyone(self) -> bool:
        """True for the audience every visitor belongs to (anonymous)."""
        return self == EVERYONE


#: The anonymous visitor: what anyone at all may see, and so what shared caches may keep.
EVERYONE = Audience(levels=frozenset({AccessLevel.PUBLIC}))
SIGNED_IN_LEVELS = frozenset({AccessLevel.PUBLIC, AccessLevel.REGISTERED})
CURATORS = Audience(levels=frozenset(AccessLevel.values), everything=True)


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


def audience(user: User | None) -> Audience:
    """The audience ``user`` belongs to (cached on the user object for the request)."""
    if not user or not user.is_authenticated or not user.is_active:
        return EVERYONE
    cached = getattr(user, "_mha_audience", None)
    if cached is None:
        if is_curator(user):
            cached = CURATORS
        else:
            cached = Audience(SIGNED_IN_LEVELS, frozenset(community_ids(user)))
        user._mha_audience = cached
    return cached


def shown_to_everyone(level: str, community_id: int | None = None) -> bool:
    """Whether material at ``level`` is for everyone (may be cached and shared publicly)."""
    return EVERYONE.admits(level, community_id)


def _not_expired_q(prefix: str = "") -> Q:
    # An expired page is down at once, before the worker's scheduled unpublish gets to it.
    return Q(**{f"{prefix}expire_at__isnull": True}) | Q(
        **{f"{prefix}expire_at__gt": timezone.now()}
    )


def is_expired(item: Any) -> bool:
    expire_at = getattr(item, "expire_at", None)
    return expire_at is not None and expire_at <= timezone.now()


def level_q(user: User | None, prefix: str = "") -> Q:
    """A filter on ``<prefix>access_level`` (and community) admitting what ``user`` may see."""
    return audience(user).q(f"{prefix}access_level", f"{prefix}community_id")


def published_for_everyone_q(prefix: str = "") -> Q:
    """Live and at a level for everyone, whatever the expiry: what a harvester was promised
    (an expired item is then reported deleted, dated by its expiry, not silently dropped)."""
    return Q(**{f"{prefix}live": True}) & EVERYONE.q(
        f"{prefix}access_level", f"{prefix}community_id"
    )


def visible_items(queryset: QuerySet, user: User | None) -> QuerySet:
    """Items ``user`` may see: live, unexpired ones at an admitted level. Curators also see
    drafts only through the admin, never through public doors, so ``live`` always applies."""
    return queryset.filter(live=True).filter(_not_expired_q()).filter(level_q(user))


def visible_assets(queryset: QuerySet, user: User | None) -> QuerySet:
    """Assets whose own level and whose item's level both admit ``user``."""
    aud = audience(user)
    return (
        queryset.filter(item__live=True)
        .filter(_not_expired_q("item__"))
        .filter(aud.q("item__access_level", "item__community_id"))
        .filter(aud.q("access_level", "item__community_id"))
    )


def can_view_item(user: User | None, item: Any) -> bool:
    return (
        bool(item.live)
        and not is_expired(item)
        and audience(user).admits(item.access_level, item.community_id)
    )


def can_view_asset(user: User | None, asset: Any) -> bool:
    item = asset.item
    return can_view_item(user, item) and audience(user).admits(
        asset.access_level, item.community_id
    )


def asset_shown_to_everyone(asset: Any) -> bool:
    """An asset anyone may see: shared caches and CORS may treat it as public."""
    item = asset.item
    return (
        bool(item.live)
        and not is_expired(item)
        and shown_to_everyone(item.access_level, item.community_id)
        and shown_to_everyone(asset.access_level, item.community_id)
    )


#: The kinds of media a transcript transcribes.
RECORDING_KINDS = ("audio", "video")


def transcribed_assets(item: Any) -> list:
    """The recordings (audio and video assets) an item's transcript transcribes. Callers
    that ask for many items, or often, prefetch ``assets__original``."""
    return [a for a in item.assets.all() if a.original.kind in RECORDING_KINDS]


def can_view_transcript(user: User | None, item: Any) -> bool:
    """A transcript takes the access of the recording it transcribes: seen only by those who
    may hear that recording. An item with no recording shows its text with the item."""
    if not can_view_item(user, item):
        return False
    recordings = transcribed_assets(item)
    if not recordings:
        return True
    aud = audience(user)
    return any(aud.admits(a.access_level, item.community_id) for a in recordings)


def transcript_shown_to_everyone(item: Any) -> bool:
    return can_view_transcript(None, item)


def transcript_as_open_as_item(item: Any) -> bool:
    """Whether everyone who may see ``item`` may also read its transcript: only then may the
    transcript's words be indexed with the item (search filters by the item's access)."""
    recordings = transcribed_assets(item)
    if not recordings:
        return True
    community = frozenset({item.community_id}) if item.community_id else frozenset()
    for aud in (EVERYONE, Audience(SIGNED_IN_LEVELS), Audience(SIGNED_IN_LEVELS, community)):
        if aud.admits(item.access_level, item.community_id) and not any(
            aud.admits(a.access_level, item.community_id) for a in recordings
        ):
            return False
    return True


def probe_status(user: User | None, asset: Any) -> int:
    """What ``user`` would get for ``asset``, as an HTTP status (the IIIF Authorization Flow
    2.0 probe answers with it, and the doors that serve the asset agree):

    * 200: ``user`` may see it;
    * 401: signing in could open it (the item is seen, the asset is ``registered`` or
      ``community``-level, and ``user`` is anonymous);
    * 403: ``user`` is signed in and still not admitted (another community's member);
    * 404: nothing sign-in could change: no item ``user`` may see (a hidden item is not
      announced, as on every door), withdrawn, unpublished, expired, or for curators only.

    Asked afresh at every probe, so a token never outlives a withdrawal."""
    if can_view_asset(user, asset):
        return 200
    item = asset.item
    if not can_view_item(user, item):
        return 404
    if not _sign_in_could_open(asset.access_level, item.community_id):
        return 404  # restricted: no sign-in opens it, and it is not announced
    return 403 if audience(user) != EVERYONE else 401


def _sign_in_could_open(level: str, community_id: int | None) -> bool:
    """Whether some signed-in visitor who is not a curator (a member of the community, if
    there is one) would be admitted to material at ``level``."""
    community = frozenset({community_id}) if community_id else frozenset()
    return Audience(SIGNED_IN_LEVELS, community).admits(level, community_id)


def item_probe_status(user: User | None, item: Any) -> int:
    """:func:`probe_status` for an item itself (its IIIF manifest):

    * 200: ``user`` may see it;
    * 401: it is live, unexpired, at the ``registered`` or ``community`` level, and ``user``
      is anonymous: signing in could open it;
    * 403: ``user`` is signed in and still not admitted (another community's member);
    * 404: unpublished (a consent withdrawn, a take-down), expired, or for curators only:
      nothing sign-in could change, and nothing is announced."""
    if can_view_item(user, item):
        return 200
    if not item.live or is_expired(item):
        return 404
    if not _sign_in_could_open(item.access_level, item.community_id):
        return 404
    return 403 if audience(user) != EVERYONE else 401


# --- a speaker's own voice: pronunciations of vocabulary terms ---

#: The consent scope that lets a recorded voice be heard on the public site.
PUBLIC_WEB_SCOPE = "public_web"


def speaker_consents_q(person_field: str = "speaker", on: Any = None) -> Q:
    """An active consent of scope public web, covering all of the person's material (a
    consent for one item does not cover their voice beside a term), exists for
    ``<person_field>``. Withdrawn, or withdrawn in advance and now past its day: not."""
    # By label, not by import: the people app sits beside this one, not below it.
    ConsentRecord = apps.get_model("people", "ConsentRecord")  # noqa: N806
    consents = (
        ConsentRecord.objects.active(on)
        .covering(None)
        .filter(scope=PUBLIC_WEB_SCOPE, person=OuterRef(person_field))
    )
    return Q(Exists(consents))


def audible_pronunciations(queryset: QuerySet, user: User | None = None) -> QuerySet:
    """Pronunciations anyone may hear: the speaker's consent decides, the same for every
    role (a curator hears a withdrawn voice through no public door either)."""
    return queryset.filter(audio__isnull=False).filter(speaker_consents_q())
