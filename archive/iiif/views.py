"""Presentation API doors: manifests, collections, WebVTT transcripts, Dublin Core records.

Each asks the access policy; a hidden item gets the same 404 as a missing one.
"""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy as _

from archive.access import policy
from archive.captions.models import CaptionTrack
from archive.core.http import read_only_door, share
from archive.core.i18n import content_languages
from archive.items.models import CollectionPage, ItemPage

from .auth import AUTH_CONTEXT, probe_service
from .content_search import SEARCH_CONTEXT, autocomplete_page, search_page
from .labels import label_map
from .negotiation import jsonld_content_type
from .presentation import (
    PRESENTATION_CONTEXT,
    build_collection,
    build_manifest,
    manifest_path,
    to_json,
    visible_dublin_core,
    webvtt,
)

#: Larger ids cannot exist (a 32-bit key) and would be a database error, not a 404.
MAX_ID = 2**31 - 1


def _visible_item(request, page_id: int) -> ItemPage:
    if page_id > MAX_ID:
        raise Http404
    page = ItemPage.objects.filter(pk=page_id).select_related("place").first()
    if page is None or not policy.can_view_item(request.user, page):
        raise Http404
    return page


def _for_everyone(page: ItemPage) -> bool:
    return policy.can_view_item(None, page)


def _shared(request, response: HttpResponse, public: bool) -> HttpResponse:
    """Public material read anonymously is the same for everyone: shareable, CORS-open.
    Anything else varies with the reader and stays in the reader's own cache."""
    return share(response, public and not request.user.is_authenticated, vary=("Accept",))


def _jsonld(request, payload: str, context: str = PRESENTATION_CONTEXT) -> HttpResponse:
    content_type = jsonld_content_type(request.headers.get("Accept"), context)
    return HttpResponse(payload, content_type=content_type)


def _locked(request, page_id: int, status: int) -> HttpResponse:
    """The manifest door's answer for an item sign-in could open (``item_probe_status`` 401,
    or 403 for a signed-in reader still not admitted): that status, and a manifest shell
    naming nothing of the item (no title, no community, no canvas) but the Auth 2.0 probe a
    viewer follows to offer sign-in."""
    doc = {
        "@context": [AUTH_CONTEXT, PRESENTATION_CONTEXT],
        "id": request.build_absolute_uri(manifest_path(page_id)),
        "type": "Manifest",
        "label": label_map(_("Sign in to see this item")),
        "items": [],
        "service": [probe_service(request, page_id=page_id)],
    }
    response = _jsonld(request, json.dumps(doc, ensure_ascii=False))
    response.status_code = status
    # The reader's own answer (it changes at sign-in), readable by a viewer on any origin.
    response = share(response, False, vary=("Accept",))
    response["Access-Control-Allow-Origin"] = "*"
    return response


def manifest(request, page_id: int):
    page = None
    if page_id <= MAX_ID:
        page = ItemPage.objects.filter(pk=page_id).select_related("place").first()
    status = 404 if page is None else policy.item_probe_status(request.user, page)
    if status in (401, 403):
        return _locked(request, page.pk, status)
    if status != 200:
        raise Http404  # hidden (unpublished, withdrawn, expired, curators only) or missing
    doc = build_manifest(request, page)
    if not doc.items:
        # A manifest MUST have at least one canvas; with no media the reader may see, there
        # is nothing for a IIIF viewer to open (the item page does not link one either).
        raise Http404
    return _shared(request, _jsonld(request, to_json(doc)), _for_everyone(page))


def collection(request, slug: str):
    page = CollectionPage.objects.live().filter(slug=slug).first()
    if page is None:
        raise Http404
    doc = build_collection(request, page)
    return _shared(request, _jsonld(request, to_json(doc)), True)


def transcript(request, page_id: str, lang: str):
    if lang not in content_languages():
        raise Http404
    page = _visible_item(request, int(page_id))
    if not page.cues.exists() or not policy.can_view_transcript(request.user, page):
        raise Http404  # a transcript takes the access of the recording it transcribes
    text = webvtt(page, lang)
    if "-->" not in text:
        raise Http404  # no line in that language
    response = HttpResponse(text, content_type="text/vtt; charset=utf-8")
    return _shared(request, response, policy.transcript_shown_to_everyone(page))


def caption_track(request, page_id: int, track_id: int):
    """One caption track of the item's recording, as WebVTT: the transcript's access."""
    page = _visible_item(request, page_id)
    if track_id > MAX_ID or not policy.can_view_transcript(request.user, page):
        raise Http404
    track = CaptionTrack.objects.filter(pk=track_id, item_id=page.pk).first()
    if track is None:
        raise Http404
    response = HttpResponse(track.vtt, content_type="text/vtt; charset=utf-8")
    response["Content-Language"] = track.language
    return _shared(request, response, policy.transcript_shown_to_everyone(page))


def dublin_core(request, page_id: int):
    page = _visible_item(request, page_id)
    payload = json.dumps(visible_dublin_core(page, request.user), ensure_ascii=False)
    response = HttpResponse(payload, content_type="application/json")
    return _shared(request, response, _for_everyone(page))


def _searchable(request, page_id: int):
    """The item, its manifest's base, the target of hits in its own text (the manifest's
    first canvas), and the canvas its transcript is on if the reader may read it (else None).
    Anyone who may see the item may search its text; a hidden item is 404, as elsewhere."""
    page = _visible_item(request, page_id)
    doc = build_manifest(request, page)
    if not doc.items:
        raise Http404  # no manifest either (views.manifest): nothing to point into
    canvas = None
    has_text = page.cues.exists() or page.caption_tracks.exists()
    if has_text and policy.can_view_transcript(request.user, page):
        canvas = next((c for c in doc.items if getattr(c, "annotations", None)), None)
    return page, doc.id.rsplit("/", 1)[0], doc.items[0].id, canvas and canvas.id


def _search_response(request, page, doc, transcripts: bool) -> HttpResponse:
    payload = json.dumps(doc, ensure_ascii=False)
    response = _jsonld(request, payload, SEARCH_CONTEXT)
    public = _for_everyone(page) and (not transcripts or policy.transcript_shown_to_everyone(page))
    return _shared(request, response, public)


def search(request, page_id: int):
    """IIIF Content Search 2.0 over the item's own text and its transcript."""
    page, base, first_canvas, canvas_id = _searchable(request, page_id)
    doc = search_page(
        page.specific, request.GET, request.build_absolute_uri(), base, canvas_id, first_canvas
    )
    return _search_response(request, page, doc, canvas_id is not None)


def autocomplete(request, page_id: int):
    """IIIF Content Search 2.0 autocomplete: words of the item's text and transcript."""
    page, _base, _first, canvas_id = _searchable(request, page_id)
    doc = autocomplete_page(
        page.specific, request.GET, request.build_absolute_uri(), canvas_id is not None
    )
    return _search_response(request, page, doc, canvas_id is not None)


# Wrapped by name rather than with @decorator syntax: mutmut leaves decorated functions
# unmutated, and the mutation run must reach these doors (README, "Mutation testing").
manifest = read_only_door(manifest)
collection = read_only_door(collection)
transcript = read_only_door(transcript)
dublin_core = read_only_door(dublin_core)
caption_track = read_only_door(caption_track)
search = read_only_door(search)
autocomplete = read_only_door(autocomplete)
