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

from django.apps import apps
from django.db.models import BooleanField, DateTimeField, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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


@dataclass(frozen=True)
class Facet:
    """A vocabulary aggregators select by: a parent set (``motif``) with one set per term
    (``motif:butterfly``). Made from the registry's collection filters, plus the village."""

    param: str
    label: object
    #: ``app_label.Model`` of the vocabulary.
    vocabulary: str
    #: ORM lookup from ``ItemPage`` to the term.
    lookup: str
    #: Which terms of the vocabulary are sets (a village, not a county).
    terms_where: tuple[tuple[str, str], ...] = ()

    def q(self, slug: str | None = None) -> Q:
        """Items in this facet's set (any term) or in one term's set."""
        where = {f"{self.lookup}__{k}": v for k, v in self.terms_where}
        if slug is None:
            return Q(**{f"{self.lookup}__isnull": False}, **where)
        return Q(**{f"{self.lookup}__slug": slug}, **where)

    @property
    def model(self):
        return apps.get_model(self.vocabulary)


def _facets() -> dict[str, Facet]:
    found = {
        f.param: Facet(f.param, f.label, f"vocabularies.{f.vocabulary}", c.lookup(f))
        for c in registry.COLLECTIONS
        for f in c.filters
    }
    found["village"] = Facet(
        "village", _("Village"), "vocabularies.Place", "place", (("kind", "village"),)
    )
    return found


FACETS = _facets()


def collections() -> list[CollectionPage]:
    """The sets: the founding collections that exist on this site, in registry order."""
    pages = {p.slug: p for p in CollectionPage.objects.live().filter(slug__in=registry.SLUGS)}
    return [pages[slug] for slug in registry.SLUGS if slug in pages]


def facet_sets() -> list[tuple[str, str]]:
    """``(setSpec, setName)`` of every facet set with a public member, parents first."""
    out = []
    members = public_items().values("pk")
    for facet in FACETS.values():
        terms = (
            facet.model.objects.filter(
                slug__in=ItemPage.objects.filter(pk__in=members).values(f"{facet.lookup}__slug")
            )
            .filter(**dict(facet.terms_where))
            .order_by("slug")
        )
        terms = list(terms)
        if terms:
            out.append((facet.param, str(facet.label)))
            out.extend(
                (f"{facet.param}:{t.slug}", " / ".join(x for x in (t.label_zh, t.label_en) if x))
                for t in terms
            )
    return out


def set_filter(set_spec: str) -> Q | None:
    """Items in a facet set, or ``None`` when ``set_spec`` names no facet set."""
    param, _sep, slug = set_spec.partition(":")
    facet = FACETS.get(param)
    if facet is None or (_sep and not slug) or ":" in slug:
        return None
    return facet.q(slug or None)


def set_exists(set_spec: str) -> bool:
    """A collection, a facet, or a term of a facet's vocabulary: a set a harvester may keep
    asking for after its last public member left (its deletions must reach them)."""
    if set_spec in {c.slug for c in collections()}:
        return True
    if set_filter(set_spec) is None:
        return False
    param, _sep, slug = set_spec.partition(":")
    facet = FACETS[param]
    return not slug or facet.model.objects.filter(slug=slug, **dict(facet.terms_where)).exists()


def item_sets(items: list[ItemPage]) -> dict[int, list[str]]:
    """The setSpecs each record's header lists: its collection and each facet term it has
    (one query per facet for a whole page of records)."""
    specs = {item.pk: [item.get_parent().slug] for item in items}
    for facet in FACETS.values():
        rows = (
            ItemPage.objects.filter(facet.q(), pk__in=list(specs))
            .values_list("pk", f"{facet.lookup}__slug")
            .order_by("pk", f"{facet.lookup}__slug")
        )
        for pk, slug in rows:
            specs[pk].append(f"{facet.param}:{slug}")
    return specs


def public_thumbnail(item: ItemPage) -> str | None:
    """The path of the first picture of ``item`` everyone may see, as a thumbnail."""
    assets = policy.visible_assets(item.assets.all(), None).prefetch_related("derivatives")
    for asset in assets.order_by("position", "pk"):
        if asset.derivative("thumb") is not None:
            return asset.url("thumb")
    return None


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
    facet = set_filter(set_spec) if set_spec is not None else None
    if facet is not None:
        # Through a subquery: an item with two terms of a facet is still one row.
        members = ItemPage.objects.filter(facet).values("pk")
        live = live.filter(pk__in=members)
        expired = expired.filter(pk__in=members)
        dead = dead.filter(item_id__in=members)
    elif set_spec is not None:
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
