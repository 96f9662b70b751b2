"""IIIF Content Search 2.0 over an item's own text and a recording's transcript and caption
tracks: the field a word is written in, the second a word is said.

Every manifest names a ``SearchService2`` (with a nested ``AutoCompleteService2``): the
doors answer whoever may see the item (``policy.can_view_item``; 404 to anyone else, as
every door of a hidden item). The item's text (title, description, and a pattern's meaning
and story, in each language it has) is searched for every such reader: each field and
language the terms occur in is one ``describing`` annotation (W3C Web Annotation's
motivation for a description of the target) on the manifest's first canvas, its body the
whole text, and a ``highlighting`` annotation in ``annotations`` quotes the match with a
``TextQuoteSelector`` (prefix/exact/suffix), as Content Search 2.0 gives hit context.
Transcript hits come only to a reader who may read the transcript
(``policy.can_view_transcript``, the WebVTT door's rule; views.py asks it).

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
from archive.core.i18n import bcp47, content_languages

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


def _motivation_admits(params, motivation: str = "supplementing") -> bool:
    wanted = (params.get("motivation") or "").split()
    return not wanted or motivation in wanted


#: The item's own text searched, as the item page shows it (``meaning``/``story``: patterns).
ITEM_TEXT_FIELDS = ("title", "description", "meaning", "story")
#: Characters of context either side of a quoted match.
QUOTE_CONTEXT = 30


def _item_texts(page):
    """Each of the item's own texts: (field, language code, text)."""
    for field in ITEM_TEXT_FIELDS:
        for code in content_languages():
            text = (getattr(page, f"{field}_{code}", "") or "").strip()
            if text:
                yield field, code, text


def _quote(text: str, term: str) -> dict:
    """A TextQuoteSelector for the first occurrence of ``term``, in any case."""
    found = re.search(re.escape(term), text, re.IGNORECASE)
    start, end = found.span() if found else (0, 0)
    return {
        "type": "TextQuoteSelector",
        "prefix": text[max(0, start - QUOTE_CONTEXT) : start],
        "exact": text[start:end],
        "suffix": text[end : end + QUOTE_CONTEXT],
    }


def _text_hits(page, terms, manifest_base: str, target: str):
    """The describing annotations of the item's text matching every term, and their quotes."""
    hits, quotes = [], []
    for field, code, text in _item_texts(page):
        folded = text.casefold()
        if not all(t in folded for t in terms):
            continue
        hit_id = f"{manifest_base}/text/{field}/{bcp47(code)}"
        hits.append(
            {
                "id": hit_id,
                "type": "Annotation",
                "motivation": "describing",
                "body": {
                    "type": "TextualBody",
                    "value": text,
                    "format": "text/plain",
                    "language": [bcp47(code)],
                },
                "target": target,
            }
        )
        quotes.append(
            {
                "id": f"{hit_id}/match",
                "type": "Annotation",
                "motivation": "highlighting",
                "target": {
                    "type": "SpecificResource",
                    "source": hit_id,
                    "selector": [_quote(text, terms[0])],
                },
            }
        )
    return hits, quotes


def _track_cues(page):
    """Each cue of each caption track: (track, its number in the track, start, end, text)."""
    for track in page.caption_tracks.all():
        for n, (start, end, text) in enumerate(cues(track.vtt), start=1):
            if text.strip():
                yield track, n, start, end, text.strip()


def search_page(
    page,
    params,
    page_url: str,
    manifest_base: str,
    canvas_id: str | None,
    text_target: str,
) -> dict:
    """The Annotation Page answering ``params`` (``q``, ``motivation``…) over ``page``'s own
    text (annotations on ``text_target``) and, when ``canvas_id`` names the recording's
    canvas (the reader may read the transcript), over its cues."""
    terms = [t.casefold() for t in (params.get("q") or "")[:MAX_QUERY].split()]
    items: list[dict] = []
    quotes: list[dict] = []
    if terms and _motivation_admits(params, "describing"):
        items, quotes = _text_hits(page, terms, manifest_base, text_target)
    if canvas_id and terms and _motivation_admits(params):
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
    if quotes:
        doc["annotations"] = [{"type": "AnnotationPage", "items": quotes}]
    return doc


def autocomplete_page(page, params, page_url: str, transcripts: bool = True) -> dict:
    """The Term Page of words in ``page``'s own text and (``transcripts``: the reader may
    read them) its transcript starting with ``q``."""
    prefix = (params.get("q") or "")[:MAX_QUERY].strip().casefold()
    counts: Counter[str] = Counter()
    if prefix and _motivation_admits(params, "describing"):
        for _field, _code, text in _item_texts(page):
            for word in _WORD.findall(text):
                if word.casefold().startswith(prefix):
                    counts[word.casefold()] += 1
    if transcripts and prefix and _motivation_admits(params):
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
