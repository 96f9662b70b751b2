"""Which records the repository holds, asked of the access policy.

A *record* is an item the anonymous visitor may see (``policy.visible_items(..., None)``);
a *deleted record* is one that was public and no longer is: a tombstone, or a live public
item past its expiry (down at once, before the worker's scheduled unpublish writes the
tombstone). Both kinds are read as one list ordered by (datestamp, item id), so a
resumption token only has to name the last row it gave.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, DateTimeField, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from archive.access import policy
from archive.items import registry
from archive.items.models import CollectionPage, ItemPage

from .models import Tombstone

#: The datestamp of a live item that Wagtail never recorded publishing (made in code).
EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Row:
    key: int
    datestamp: datetime.datetime
    deleted: bool


def collections() -> list[CollectionPage]:
    """The sets: the founding collections that exist on this site, in registry order."""
    pages = {p.slug: p for p in CollectionPage.objects.live().filter(slug__in=registry.SLUGS)}
    return [pages[slug] for slug in registry.SLUGS if slug in pages]


def _datestamp() -> Coalesce:
    return Coalesce(
        "last_published_at", "first_published_at", Value(EPOCH), output_field=DateTimeField()
    )


def public_items() -> QuerySet:
    return policy.visible_items(ItemPage.objects.all(), None)


def _expired_public() -> QuerySet:
    return ItemPage.objects.filter(policy.published_for_everyone_q(), expire_at__lte=timezone.now())


def _tombstones() -> QuerySet:
    # A stale tombstone never hides a live record, whatever order the signals ran in.
    back = ItemPage.objects.filter(policy.published_for_everyone_q()).values("pk")
    return Tombstone.objects.exclude(item_id__in=back)


def rows(
    set_spec: str | None = None,
    since: datetime.datetime | None = None,
    before: datetime.datetime | None = None,
    after: tuple[datetime.datetime, int] | None = None,
) -> QuerySet:
    """Records and deleted records as ``(key, ts, gone)`` rows ordered by datestamp and key.

    ``since`` is inclusive and ``before`` exclusive; ``after`` is the last row a previous
    page gave.
    """
    live = public_items().annotate(ts=_datestamp(), gone=Value(False, BooleanField()))
    expired = _expired_public().annotate(ts=F("expire_at"), gone=Value(True, BooleanField()))
    dead = _tombstones().annotate(key=F("item_id"), ts=F("datestamp"))
    dead = dead.annotate(gone=Value(True, BooleanField()))
    live = live.annotate(key=F("pk"))
    expired = expired.annotate(key=F("pk"))
    if set_spec is not None:
        parent = CollectionPage.objects.filter(slug=set_spec, depth=3).first()
        if parent is None:
            return Tombstone.objects.none().values_list("item_id", "datestamp", "item_id")
        live = live.child_of(parent)
        expired = expired.child_of(parent)
        dead = dead.filter(set_spec=set_spec)
    window = Q()
    if since is not None:
        window &= Q(ts__gte=since)
    if before is not None:
        window &= Q(ts__lt=before)
    if after is not None:
        window &= Q(ts__gt=after[0]) | Q(ts=after[0], key__gt=after[1])
    parts = [
        qs.filter(window).order_by().values_list("key", "ts", "gone")
        for qs in (live, expired, dead)
    ]
    return parts[0].union(parts[1], parts[2], all=True).order_by("ts", "key")


def as_rows(values) -> list[Row]:
    return [Row(key, _aware(ts), bool(gone)) for key, ts, gone in values]


def _aware(ts) -> datetime.datetime:
    if isinstance(ts, str):  # SQLite hands back a compound select's dates as text
        ts = datetime.datetime.fromisoformat(ts)
    if timezone.is_naive(ts):
        ts = timezone.make_aware(ts, datetime.UTC)
    return ts


def earliest_datestamp() -> datetime.datetime:
    first = rows().first()
    return _aware(first[1]) if first else EPOCH


def find(identifier: str) -> tuple[ItemPage | None, Tombstone | None, bool]:
    """(item, tombstone, deleted) for an accession number; (None, None, False) when the
    repository has no such record, or never showed it (a restricted item is not disclosed)."""
    item = public_items().filter(identifier=identifier).first()
    if item is not None:
        return item.specific, None, False
    expired = _expired_public().filter(identifier=identifier).first()
    if expired is not None:
        return expired.specific, None, True
    tomb = _tombstones().filter(identifier=identifier).first()
    if tomb is not None:
        return None, tomb, True
    return None, None, False
