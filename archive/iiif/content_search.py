"""IIIF Content Search 2.0 over a recording's transcript and its caption tracks: the second
a word is said.

A manifest whose reader may read its transcript names a ``SearchService2`` (with a nested
``AutoCompleteService2``); nobody else sees the service, and the doors answer 404 to them,
as the WebVTT door does (``policy.can_view_transcript`` decides, views.py asks it).

Each matching cue, in each language it has text in, is one ``supplementing`` annotation
whose target is the recording's canvas at the cue's seconds (``#t=start,end``): the canvas
the manifest's transcript annotations target, so a viewer can seek straight to it.
Several terms in ``q`` must all occur in the cue (case-insensitive substrings, so Chinese
needs no word breaks). ``date`` and ``user`` are defined by the specification but mean
nothing here (cues have no author or creation date in the archive's model): they are
reported in ``ignored``.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

from archive.captions.conversion import cues
from archive.core.i18n import bcp47

from .presentation import transcript_languages

SEARCH_CONTEXT = "http://iiif.io/api/search/2/context.json"
#: Longer queries are cut: a transcript line is never longer, and work stays bounded.
MAX_QUERY = 200
MAX_HITS = 500
MAX_TERMS = 25
IGNORED_PARAMETERS = ("date", "user")
_WORD = re.compile(r"\w+", re.UNICODE)


def _seconds(value: Decimal | float) -> str:
    return format(Decimal(str(value)).normalize(), "f")


def _ignored(params) -> list[str]:
    return [name for name in IGNORED_PARAMETERS if params.get(name)]


def _motivation_admits(params) -> bool:
    wanted = (params.get("motivation") or "").split()
    return not wanted or "supplementing" in wanted


def _track_cues(page):
    """Each cue of each caption track: (track, its number in the track, start, end, text)."""
    for track in page.caption_tracks.all():
        for n, (start, end, text) in enumerate(cues(track.vtt), start=1):
            if text.strip():
                yield track, n, start, end, text.strip()


def search_page(page, params, page_url: str, manifest_base: str, canvas_id: str) -> dict:
    """The Annotation Page answering ``params`` (``q``, ``motivation``…) over ``page``'s cues."""
    terms = [t.casefold() for t in (params.get("q") or "")[:MAX_QUERY].split()]
    items: list[dict] = []
    if terms and _motivation_admits(params):
        codes = transcript_languages(page)
        for cue in page.cues.all().order_by("start", "pk"):
            for code in codes:
                text = (getattr(cue, f"text_{code}", "") or "").strip()
                folded = text.casefold()
                if not text or not all(t in folded for t in terms):
                    continue
                items.append(
                    {
                        "id": f"{manifest_base}/transcript/{code}/cue/{cue.pk}",
                        "type": "Annotation",
                        "motivation": "supplementing",
                        "body": {
                            "type": "TextualBody",
                            "value": text,
                            "format": "text/plain",
                            "language": [bcp47(code)],
                        },
                        "target": f"{canvas_id}#t={_seconds(cue.start)},{_seconds(cue.end)}",
                    }
                )
                if len(items) >= MAX_HITS:
                    break
            if len(items) >= MAX_HITS:
                break
        for track, n, start, end, text in _track_cues(page):
            folded = text.casefold()
            if len(items) >= MAX_HITS or not all(t in folded for t in terms):
                continue
            items.append(
                {
                    "id": f"{manifest_base}/captions/{track.pk}/cue/{n}",
                    "type": "Annotation",
                    "motivation": "supplementing",
                    "body": {
                        "type": "TextualBody",
                        "value": text,
                        "format": "text/plain",
                        "language": [track.language],
                    },
                    "target": f"{canvas_id}#t={_seconds(start)},{_seconds(end)}",
                }
            )
    doc: dict = {"@context": SEARCH_CONTEXT, "id": page_url, "type": "AnnotationPage"}
    if ignored := _ignored(params):
        doc["ignored"] = ignored
    doc["items"] = items
    return doc


def autocomplete_page(page, params, page_url: str) -> dict:
    """The Term Page of words in ``page``'s transcript starting with ``q``."""
    prefix = (params.get("q") or "")[:MAX_QUERY].strip().casefold()
    counts: Counter[str] = Counter()
    if prefix and _motivation_admits(params):
        codes = transcript_languages(page)
        for cue in page.cues.all():
            for code in codes:
                for word in _WORD.findall(getattr(cue, f"text_{code}", "") or ""):
                    if word.casefold().startswith(prefix):
                        counts[word.casefold()] += 1
        for _track, _n, _start, _end, text in _track_cues(page):
            for word in _WORD.findall(text):
                if word.casefold().startswith(prefix):
                    counts[word.casefold()] += 1
    terms = sorted(counts, key=lambda w: (-counts[w], w))[:MAX_TERMS]
    doc: dict = {"@context": SEARCH_CONTEXT, "id": page_url, "type": "TermPage"}
    if ignored := _ignored(params):
        doc["ignored"] = ignored
    # Each value is usable as ``q`` as it is, so no per-term service link is needed.
    doc["items"] = [{"value": word, "total": counts[word]} for word in sorted(terms)]
    return doc
