"""The lesson's handout as a PDF, rendered by WeasyPrint with the Noto CJK fonts.

Pictures are embedded as ``data:`` URIs made here (a detail cut from the IIIF pyramid, an
item's thumbnail), so WeasyPrint never fetches anything over the network — not even from
this server — and a withdrawn source cannot slip in through a URL.
"""

from __future__ import annotations

import base64

import pyvips
from django.core.files.storage import default_storage
from django.template.loader import render_to_string

from .models import SourceKind

#: Wide enough for A4 at print resolution of a half-page figure.
PDF_IMAGE_WIDTH = 900


def _data_uri(data: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def _detail_jpeg(source) -> bytes | None:
    pyramid = source.asset.derivative("pyramid")
    if pyramid is None:
        return None
    with default_storage.open(pyramid.file.name, "rb") as fh:
        image = pyvips.Image.new_from_buffer(fh.read(), "")
    region = image.crop(source.x, source.y, source.w, source.h)
    if region.width > PDF_IMAGE_WIDTH:
        region = region.resize(PDF_IMAGE_WIDTH / region.width)
    return region.jpegsave_buffer(Q=80, strip=True)


def _thumb(asset) -> str | None:
    d = asset.derivative("web-jpeg") or asset.derivative("thumb")
    if d is None:
        return None
    with default_storage.open(d.file.name, "rb") as fh:
        return _data_uri(fh.read(), d.content_type)


def render(context: dict) -> bytes:
    """The PDF of a lesson from the handout's context (sources already asked of the policy)."""
    from weasyprint import HTML

    for s in context["shown"]:
        s.picture = None
        if not s.visible:
            continue
        if s.kind == SourceKind.DETAIL:
            jpeg = _detail_jpeg(s.source)
            s.picture = _data_uri(jpeg, "image/jpeg") if jpeg else None
        elif s.kind == SourceKind.ITEM:
            images = [a for a in getattr(s, "assets", []) if a.kind == "image"]
            s.picture = _thumb(images[0]) if images else None
    html = render_to_string("lessons/handout_pdf.html", context)
    return HTML(string=html, base_url=None).write_pdf()
