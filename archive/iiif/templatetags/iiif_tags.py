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
