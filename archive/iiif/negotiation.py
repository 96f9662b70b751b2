"""Content negotiation for IIIF JSON documents (Image 3 §5.1, Presentation 3 §6.1).

With no ``Accept`` header the answer is JSON-LD with the API's context as ``profile``; a
client that prefers plain ``application/json`` gets it. Either way the body is the same, so
responses say ``Vary: Accept`` and caches keep one copy per answer.
"""

from __future__ import annotations

JSONLD = "application/ld+json"
JSON = "application/json"


def _ranges(accept: str) -> list[tuple[str, float]]:
    out = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        out.append((media, q))
    return out


def _quality(ranges: list[tuple[str, float]], media: str) -> float:
    """The q of the most specific range matching ``media`` (0 when none does)."""
    kind = media.split("/")[0] + "/*"
    best, rank = 0.0, -1
    for candidate, q in ranges:
        r = {media: 2, kind: 1, "*/*": 0}.get(candidate, -1)
        if r > rank:
            best, rank = q, r
    return best


def jsonld_content_type(accept: str | None, context: str) -> str:
    """The ``Content-Type`` to answer a request with this ``Accept`` header."""
    with_profile = f'{JSONLD};profile="{context}"'
    ranges = _ranges(accept or "")
    if not ranges:
        return with_profile
    ld, plain = _quality(ranges, JSONLD), _quality(ranges, JSON)
    if plain > ld:
        return JSON
    return with_profile  # preferred, equal, or neither named: the specification's default
