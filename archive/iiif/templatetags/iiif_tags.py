"""Template helpers that link pages to their IIIF resources."""

from __future__ import annotations

from django import template

from archive.iiif.presentation import manifest_path

register = template.Library()


@register.simple_tag(takes_context=True)
def iiif_manifest_url(context, page) -> str:
    request = context.get("request")
    path = manifest_path(page.pk)
    return request.build_absolute_uri(path) if request is not None else path


@register.filter
def has_iiif_media(assets) -> bool:
    """Whether a manifest would have a canvas: some visible asset is ready."""
    return any(a.status == "ready" for a in assets)


@register.simple_tag
def iiif_zoom_images(assets) -> list[dict]:
    """The ready image assets a visitor may zoom into, with their info.json paths."""
    return [
        {"asset": a.pk, "info": f"/iiif/3/{a.pk}/info.json"}
        for a in assets
        if a.kind == "image" and a.status == "ready"
    ]


#: Widths cut by the Image API between the stored thumbnail (400) and web picture (1200), so
#: a phone gets a picture its size instead of the 1200 px one (a third of the bytes).
PHONE_WIDTHS = (600, 800)


@register.filter
def phone_srcset(asset) -> str:
    """A ``srcset`` of WebP widths for an image asset: the stored ``thumb`` and ``web-webp``
    and, between them, Image API sizes (``/iiif/3/<id>/full/600,/0/default.webp``) no wider
    than the picture. Empty when the asset has no WebP rendition."""
    web = asset.derivative("web-webp")
    if web is None:
        return ""
    thumb = asset.derivative("thumb")
    full = web.width or 1200
    candidates = []
    if thumb is not None and (thumb.width or 400) < full:
        candidates.append(f"{asset.url('thumb')} {thumb.width or 400}w")
    candidates += [
        f"/iiif/3/{asset.pk}/full/{w},/0/default.webp {w}w" for w in PHONE_WIDTHS if w < full
    ]
    candidates.append(f"{asset.url('web-webp')} {full}w")
    return ", ".join(candidates)
