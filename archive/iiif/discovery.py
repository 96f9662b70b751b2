"""IIIF Change Discovery 1.0: the archive's manifests as an Activity Streams ordered collection.

An aggregator reads the stream from its ``last`` page backwards (``prev``) until it reaches
activities older than its previous harvest. Each item appears once, with its latest
activity: ``Create`` (published once), ``Update`` (published again since), or ``Delete``
when it left public view (consent withdrawn, unpublished, narrowed, expired, deleted).

The records are the OAI-PMH repository's (:mod:`archive.oai.records`): what the anonymous
visitor may see, and the persistent tombstones of what they no longer may; one list, so the
two harvesting doors never disagree. A live item with no media anyone may see has no
manifest (its door answers 404) and is left out of the stream.

Pages are slices of that list ordered by (time, item); an item published again moves from
its old place to the end, so the pages before it shift by one. An aggregator that walks back
to its last harvest time sees every change since then.
"""

from __future__ import annotations

import datetime
import json

from django.http import Http404, HttpResponse
from django.urls import reverse

from archive.access import policy
from archive.assets.models import AssetStatus, MediaAsset
from archive.core.http import read_only_door, share
from archive.items.models import ItemPage
from archive.oai import records

from .negotiation import jsonld_content_type
from .presentation import manifest_path

DISCOVERY_CONTEXT = "http://iiif.io/api/discovery/1/context.json"
#: Activities per page of the stream.
PAGE_SIZE = 100


def stream_path() -> str:
    return reverse("iiif-discovery")


def _page_ref(request, n: int) -> dict:
    return {
        "id": request.build_absolute_uri(reverse("iiif-discovery-page", args=[n])),
        "type": "OrderedCollectionPage",
    }


def _last_page(total: int) -> int:
    return max(0, (total - 1) // PAGE_SIZE)


def _utc(ts: datetime.datetime) -> str:
    return ts.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _respond(request, doc: dict) -> HttpResponse:
    content_type = jsonld_content_type(request.headers.get("Accept"), DISCOVERY_CONTEXT)
    response = HttpResponse(json.dumps(doc, ensure_ascii=False), content_type=content_type)
    # The stream is about public material only: the same for everyone.
    return share(response, True, vary=("Accept",), same_for_every_reader=True)


def collection(request):
    """The ``OrderedCollection``: where the stream starts and ends."""
    total = records.rows().count()
    doc = {
        "@context": DISCOVERY_CONTEXT,
        "id": request.build_absolute_uri(stream_path()),
        "type": "OrderedCollection",
        "first": _page_ref(request, 0),
        "last": _page_ref(request, _last_page(total)),
    }
    return _respond(request, doc)


def page(request, n: int):
    """One ``OrderedCollectionPage`` of activities, oldest first."""
    total = records.rows().count()
    last = _last_page(total)
    if n > last:
        raise Http404
    rows = records.as_rows(records.rows()[n * PAGE_SIZE : (n + 1) * PAGE_SIZE])
    live = [r.key for r in rows if not r.deleted]
    published = {
        pk: (first, latest)
        for pk, first, latest in ItemPage.objects.filter(pk__in=live).values_list(
            "pk", "first_published_at", "last_published_at"
        )
    }
    with_media = set(
        policy.visible_assets(
            MediaAsset.objects.filter(item_id__in=live, status=AssetStatus.READY), None
        ).values_list("item_id", flat=True)
    )
    activities = []
    for row in rows:
        if row.deleted:
            kind = "Delete"
        elif row.key not in with_media:
            continue  # no manifest to announce
        else:
            first, latest = published.get(row.key, (None, None))
            kind = "Create" if latest is None or first == latest else "Update"
        activities.append(
            {
                "type": kind,
                "object": {
                    "id": request.build_absolute_uri(manifest_path(row.key)),
                    "type": "Manifest",
                },
                "endTime": _utc(row.datestamp),
            }
        )
    doc: dict = {
        "@context": DISCOVERY_CONTEXT,
        **_page_ref(request, n),
        "partOf": {
            "id": request.build_absolute_uri(stream_path()),
            "type": "OrderedCollection",
        },
        "startIndex": n * PAGE_SIZE,
    }
    if n > 0:
        doc["prev"] = _page_ref(request, n - 1)
    if n < last:
        doc["next"] = _page_ref(request, n + 1)
    doc["orderedItems"] = activities
    return _respond(request, doc)


collection = read_only_door(collection)
page = read_only_door(page)
