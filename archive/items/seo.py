"""schema.org JSON-LD for item pages: what search engines and link previews read."""

from __future__ import annotations

import json

from django.utils.safestring import mark_safe

from archive.core.i18n import bcp47, localized

from . import registry
from .roles import CREATOR_ROLES


def _duration(seconds) -> str | None:
    if not seconds:
        return None
    total = int(round(float(seconds)))
    return f"PT{total // 60}M{total % 60}S"


def json_ld(item, request, assets, credits, image_url: str = "") -> str:
    """A ``<script type="application/ld+json">`` body, safe to put in HTML."""
    kind = registry.by_model(item.specific_class)
    schema_type = kind.schema_type if kind else "CreativeWork"
    has_video = any(a.kind == "video" and a.status == "ready" for a in assets)
    if kind is registry.FOLK_MUSIC and has_video:
        schema_type = "VideoObject"
    data: dict = {
        "@context": "https://schema.org",
        "@type": schema_type,
        "@id": request.build_absolute_uri(item.url),  # the address the site is reached at
        "url": request.build_absolute_uri(),
        "name": localized(item, "title"),
        "alternateName": [t for t in (item.title, item.title_en, item.title_hmn) if t],
        "identifier": item.identifier,
        "description": localized(item, "description")[:500],
        "inLanguage": bcp47("zh") if localized(item, "title") == item.title else "en",
        "license": item.licence_uri or None,
        "creditText": localized(item, "attribution") or None,
        "copyrightHolder": {"@type": "Organization", "name": item.rights_holder}
        if item.rights_holder
        else None,
        "isAccessibleForFree": True,
        "isPartOf": {"@type": "Collection", "name": localized(item.get_parent().specific, "title")},
    }
    creators = [c for c in credits if c.role in CREATOR_ROLES]
    if creators:
        data["creator"] = [
            {"@type": "Person", "name": localized(c.person, "name")} for c in creators
        ]
    if item.place is not None:
        place = {"@type": "Place", "name": localized(item.place, "label")}
        if item.place.latitude is not None:
            place["geo"] = {
                "@type": "GeoCoordinates",
                "latitude": float(item.place.latitude),
                "longitude": float(item.place.longitude),
            }
        data["locationCreated"] = place
    if item.year_from:
        data["dateCreated"] = str(item.year_from)
    if image_url:
        data["image"] = image_url
    if kind is registry.EMBROIDERY:
        spec = item.specific
        data["artform"] = "Embroidery"
        data["artMedium"] = [localized(t, "label") for t in spec.materials.all()] or None
        data["artworkSurface"] = localized(spec.garment, "label") if spec.garment else None
        data["keywords"] = [localized(t, "label") for t in spec.motifs.all()] or None
    for a in assets:
        if a.status != "ready":
            continue
        if a.kind == "audio" and schema_type in ("AudioObject", "MusicRecording"):
            target = (
                data
                if schema_type == "AudioObject"
                else data.setdefault("audio", {"@type": "AudioObject"})
            )
            target["contentUrl"] = request.build_absolute_uri(a.url("aac"))
            target["encodingFormat"] = "audio/mp4"
            target["duration"] = _duration(getattr(item.specific, "duration_seconds", None))
            break
        if a.kind == "video" and schema_type == "VideoObject":
            data["contentUrl"] = request.build_absolute_uri(a.url("mp4-480"))
            data["thumbnailUrl"] = request.build_absolute_uri(a.url("poster"))
            data["uploadDate"] = (
                item.first_published_at.date().isoformat() if (item.first_published_at) else None
            )
            break
    data = {k: v for k, v in data.items() if v not in (None, [], "")}
    text = json.dumps(data, ensure_ascii=False)
    # Never let content close the script element.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308
