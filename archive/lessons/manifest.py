"""A lesson as one IIIF Presentation 3 manifest, built with iiif-prezi3.

One canvas per source the reader may see, in the lesson's order. A whole item is painted as
its item manifest paints its first medium; a clip is the recording's canvas with a Range
whose member is that canvas narrowed by a ``FragmentSelector`` (``t=start,end``, W3C Media
Fragments); a detail is a canvas the size of the region, painted with a ``SpecificResource``
of the image service selected by an ``ImageApiSelector`` (the IIIF region ``x,y,w,h``).
Withdrawn sources are simply absent.
"""

from __future__ import annotations

from iiif_prezi3 import (
    Annotation,
    AnnotationBody,
    AnnotationPage,
    FragmentSelector,
    ImageAPISelector,
    KeyValueString,
    Manifest,
    Range,
    ServiceV3,
    SpecificResource,
)

from archive.core.i18n import language_map
from archive.iiif.image_views import descriptor
from archive.iiif.presentation import (
    _audio_canvas,
    _image_canvas,
    _video_canvas,
    label_map,
)

from . import access
from .models import SourceKind


def _abs(request, path: str) -> str:
    return request.build_absolute_uri(path)


def _detail_canvas(request, manifest: Manifest, s: access.Shown, base: str, label) -> bool:
    src = s.source
    desc = descriptor(src.asset_id, request.user)
    if desc is None:
        return False
    service = _abs(request, f"/iiif/3/{src.asset_id}")
    canvas = manifest.make_canvas(id=base, label=label)
    canvas.width, canvas.height = src.w, src.h
    body = SpecificResource(
        type="SpecificResource",
        source=AnnotationBody(
            id=f"{service}/full/max/0/default.jpg",
            type="Image",
            format="image/jpeg",
            width=desc.width,
            height=desc.height,
            service=[ServiceV3(id=service, type="ImageService3", profile="level2")],
        ),
        selector=ImageAPISelector(type="ImageApiSelector", region=src.region),
    )
    canvas.items = [
        AnnotationPage(
            id=f"{base}/page",
            items=[
                Annotation(
                    id=f"{base}/painting", motivation="painting", body=body, target=canvas.id
                )
            ],
        )
    ]
    return True


def build(request, lesson, shown: list[access.Shown], manifest_id: str) -> Manifest:
    manifest = Manifest(id=manifest_id, label={"zh-Hans": [lesson.title]}, items=[])
    if lesson.objectives:
        manifest.summary = {"zh-Hans": [lesson.objectives]}
    manifest.metadata = [
        KeyValueString(label=label_map("Subject"), value={"none": [lesson.get_subject_display()]}),
        KeyValueString(label=label_map("Grade"), value={"none": [lesson.get_grade_display()]}),
    ]
    manifest.homepage = [
        {
            "id": _abs(request, lesson.student_path()),
            "type": "Text",
            "label": {"zh-Hans": [lesson.title]},
            "format": "text/html",
        }
    ]
    base = manifest_id.rsplit("/", 1)[0]
    ranges = []
    for n, s in enumerate(shown, start=1):
        if not s.visible:
            continue
        src = s.source
        canvas_base = f"{base}/canvas/{src.pk}"
        label = language_map(s.item, "title") or {"none": [str(n)]}
        if src.kind == SourceKind.DETAIL:
            _detail_canvas(request, manifest, s, canvas_base, label)
        elif src.kind == SourceKind.CLIP:
            make = _video_canvas if s.asset.kind == "video" else _audio_canvas
            canvas = make(request, manifest, s.asset, canvas_base, label)
            if canvas is None:
                continue
            ranges.append(
                Range(
                    id=f"{base}/range/{src.pk}",
                    label=label,
                    items=[
                        SpecificResource(
                            type="SpecificResource",
                            source=canvas.id,
                            selector=FragmentSelector(
                                type="FragmentSelector",
                                conformsTo="http://www.w3.org/TR/media-frags/",
                                value=src.fragment,
                            ),
                        )
                    ],
                )
            )
        else:
            for asset in access.whole_item_assets(s, request.user):
                if asset.kind == "image" and _image_canvas(
                    request, manifest, asset, canvas_base, label
                ):
                    break
                if asset.kind == "audio" and _audio_canvas(
                    request, manifest, asset, canvas_base, label
                ):
                    break
                if asset.kind == "video" and _video_canvas(
                    request, manifest, asset, canvas_base, label
                ):
                    break
    if ranges:
        manifest.structures = ranges
    return manifest
