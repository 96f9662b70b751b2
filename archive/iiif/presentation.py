"""IIIF Presentation 3 documents, built with iiif-prezi3.

One manifest per item (recipes from the IIIF Cookbook: "Simplest Manifest - Image", "Audio
with a choice of formats" (0033-choice), "Video with a poster" (placeholderCanvas), "Captions
and subtitles as WebVTT" (0219 supplementing annotations)), and one collection per archive
collection. Every list is filtered by the access policy for the requester, so a manifest
names only what its reader may open.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from iiif_prezi3 import (
    AccompanyingCanvas,
    Annotation,
    AnnotationBody,
    AnnotationPage,
    Choice,
    Collection,
    Homepage,
    KeyValueString,
    Manifest,
    ManifestRef,
    PlaceholderCanvas,
    ServiceV3,
)

from archive.access import policy
from archive.assets.models import AssetStatus, MediaKind
from archive.core.i18n import VERNACULAR, bcp47, content_languages, language_map
from archive.items.models import Role
from media_pipeline.specs import AUDIO_SPECS, VIDEO_SPECS

from .auth import AUTH_CONTEXT, probe_service
from .image_api import parse_size
from .image_views import access_descriptor
from .labels import label_map

#: URL language code → BCP 47 tag used in the documents.
PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
_RIGHTS_PREFIXES = ("http://creativecommons.org/", "http://rightsstatements.org/")


def _kv(label, value: dict[str, list[str]]) -> KeyValueString | None:
    value = {k: v for k, v in value.items() if v and v[0]}
    return KeyValueString(label=label_map(label), value=value) if value else None


def _absolute(request, path: str) -> str:
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def manifest_path(page_id: int) -> str:
    return f"/iiif/3/item/{page_id}/manifest"


def search_path(page_id: int) -> str:
    return f"/iiif/3/item/{page_id}/search"


def autocomplete_path(page_id: int) -> str:
    return f"/iiif/3/item/{page_id}/autocomplete"


def collection_path(slug: str) -> str:
    return f"/iiif/3/collection/{slug}"


def _metadata(page) -> list[KeyValueString]:
    entries: list[KeyValueString | None] = [
        _kv(_("Identifier"), {"none": [page.identifier]}),
        _kv(_("Type"), label_map(page.specific_class._meta.verbose_name)),
        _kv(_("Date"), language_map(page, "date_text")),
    ]
    if page.place_id:
        entries.append(_kv(_("Place"), language_map(page.place, "label")))
    for credit in page.credited():
        # The lazy label, so each language map entry is in its own language.
        role = Role(credit.role).label if credit.role in Role.values else credit.role
        entries.append(_kv(role, language_map(credit.person, "name")))
    for term in page.subjects():
        entries.append(_kv(term._meta.verbose_name, language_map(term, "label")))
    for field, label in (
        ("topic", _("Topic")),
        ("placement", _("Placement")),
        ("colours", _("Colours")),
        ("meaning", _("Meaning")),
    ):
        if hasattr(page, f"{field}_zh") or hasattr(page, f"{field}_en"):
            entries.append(_kv(label, language_map(page, field)))
    tags = [t.name for t in page.tags.all()]
    if tags:
        entries.append(_kv(_("Tags"), {"none": [", ".join(tags)]}))
    return [e for e in entries if e is not None]


def _duration(asset) -> float | None:
    value = asset.original.probe.get("duration")
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return round(value, 3) if value > 0 else None


def _body(request, asset, name: str, type_: str, fmt: str, **extra) -> AnnotationBody | None:
    if asset.derivative(name) is None:
        return None
    return AnnotationBody(id=_absolute(request, asset.url(name)), type=type_, format=fmt, **extra)


def _thumbnail(request, asset) -> list[AnnotationBody]:
    thumb = asset.derivative("thumb")
    if thumb is None:
        return []
    dims = {"width": thumb.width, "height": thumb.height} if thumb.width else {}
    return [
        AnnotationBody(
            id=_absolute(request, asset.url("thumb")),
            type="Image",
            format=thumb.content_type,
            **dims,
        )
    ]


def _painting(canvas, base: str, body) -> None:
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


def _probed(request, asset, bodies) -> None:
    """Material not for everyone carries the IIIF Auth 2.0 probe, so a viewer can ask what
    its reader may have and offer sign-in (Authorization Flow 2.0)."""
    if policy.asset_shown_to_everyone(asset):
        return
    probe = ServiceV3(**probe_service(request, asset.pk))
    for body in bodies:
        body.service = [*(body.service or []), probe]


def _image_canvas(request, manifest: Manifest, asset, base: str, label) -> bool:
    desc, status = access_descriptor(asset.pk, request.user)
    if desc is None:
        return False
    canvas = manifest.make_canvas(id=base, label=label)
    _paint_image(request, canvas, asset, base, desc)
    if status == 200:
        canvas.thumbnail = _thumbnail(request, asset) or None
    return True


def _paint_image(request, canvas, asset, base: str, desc) -> None:
    """The image service's picture painted on ``canvas``, at the image's full size."""
    service = _absolute(request, f"/iiif/3/{asset.pk}")
    # Plain attributes: iiif-prezi3's AccompanyingCanvas has no set_hwd helper.
    canvas.width, canvas.height = desc.width, desc.height
    # ``full/max`` of an image over the service's limits is smaller than the image: the body
    # gives the size that URL delivers (the canvas keeps the full size, for the service).
    max_w, max_h = parse_size("max", desc.width, desc.height)
    body = AnnotationBody(
        id=f"{service}/full/max/0/default.jpg",
        type="Image",
        format="image/jpeg",
        height=max_h,
        width=max_w,
        service=[ServiceV3(id=service, type="ImageService3", profile="level2")],
    )
    _probed(request, asset, [body])
    _painting(canvas, base, body)


def _accompany(request, canvas, asset, label) -> bool:
    """Show ``asset`` (the singer's or the speaker's photo) while the audio ``canvas`` plays
    (Cookbook 0014, accompanyingCanvas)."""
    desc, status = access_descriptor(asset.pk, request.user)
    if desc is None or status != 200:
        return False
    base = f"{canvas.id}/accompanying"
    accompanying = AccompanyingCanvas(id=base, label=label, items=[])
    _paint_image(request, accompanying, asset, base, desc)
    canvas.accompanyingCanvas = accompanying
    return True


def _audio_canvas(request, manifest: Manifest, asset, base: str, label, locked: bool = False):
    duration = _duration(asset)
    if duration is None:
        return None
    # Every audio rendition the pipeline makes (specs are data), offered as a Choice.
    bodies = [
        b
        for b in (
            _body(request, asset, spec.name, "Sound", spec.content_type, duration=duration)
            for spec in AUDIO_SPECS
        )
        if b is not None
    ]
    if not bodies:
        return None
    canvas = manifest.make_canvas(id=base, label=label)
    canvas.duration = duration
    _probed(request, asset, bodies)
    _painting(canvas, base, bodies[0] if len(bodies) == 1 else Choice(items=bodies))
    waveform = asset.derivative("waveform")
    if waveform is not None and not locked:
        canvas.thumbnail = [
            AnnotationBody(
                id=_absolute(request, asset.url("waveform")),
                type="Image",
                format="image/png",
                width=1200,
                height=160,
            )
        ]
    return canvas


def _video_size(asset, spec, width: int, height: int) -> dict[str, int]:
    """The size of one video rendition: as recorded, or as the pipeline's spec makes it."""
    made = asset.derivative(spec.name)
    if made is not None and made.width and made.height:
        w, h = made.width, made.height
    else:
        w, h = spec.output_size(width, height)
    return {"width": w, "height": h}


def _video_canvas(request, manifest: Manifest, asset, base: str, label, locked: bool = False):
    duration = _duration(asset)
    probe = asset.original.probe
    width, height = int(probe.get("width") or 0), int(probe.get("height") or 0)
    if duration is None or not (width and height):
        return None
    bodies = [
        b
        for b in (
            _body(
                request,
                asset,
                spec.name,
                "Video",
                "video/mp4",
                duration=duration,
                **_video_size(asset, spec, width, height),
            )
            for spec in VIDEO_SPECS
        )
        if b is not None
    ]
    if not bodies:
        return None
    canvas = manifest.make_canvas(id=base, label=label)
    canvas.set_hwd(height=height, width=width, duration=duration)
    _probed(request, asset, bodies)
    _painting(canvas, base, bodies[0] if len(bodies) == 1 else Choice(items=bodies))
    if locked:
        return canvas  # its poster and thumbnail are the recording's, and locked with it
    poster = asset.derivative("poster")
    if poster is not None:
        pw = poster.width or round(width * min(1.0, 480 / height))
        ph = poster.height or min(480, height)
        placeholder = PlaceholderCanvas(id=f"{base}/placeholder", width=pw, height=ph, items=[])
        _painting(
            placeholder,
            f"{base}/placeholder",
            AnnotationBody(
                id=_absolute(request, asset.url("poster")),
                type="Image",
                format="image/jpeg",
                width=pw,
                height=ph,
            ),
        )
        canvas.placeholderCanvas = placeholder
    canvas.thumbnail = _thumbnail(request, asset) or None
    return canvas


def transcript_languages(page) -> list[str]:
    """The URL language codes that have at least one cue."""
    cues = list(page.cues.all())
    # The vernacular first: it is the transcript, the others translate it.
    order = (VERNACULAR, *(c for c in content_languages() if c != VERNACULAR))
    return [code for code in order if any(getattr(c, f"text_{code}", "") for c in cues)]


def _supplementing(request, page, canvas, base: str) -> bool:
    """Attach the transcripts ``request.user`` may read; whether there were any."""
    if not policy.can_view_transcript(request.user, page):
        return False
    annotations = []
    for code in transcript_languages(page):
        url = _absolute(request, f"/iiif/3/item/{page.pk}/transcript.{code}.vtt")
        annotations.append(
            Annotation(
                id=f"{base}/transcript/{code}",
                motivation="supplementing",
                body=AnnotationBody(
                    id=url,
                    type="Text",
                    format="text/vtt",
                    language=bcp47(code),
                    label=label_map(_("Transcript") if code == VERNACULAR else _("Translation")),
                ),
                target=canvas.id,
            )
        )
    # The uploaded caption tracks, each in its own language (a Miao variety, Chinese,
    # English…), labelled with it and its village variety: a viewer offers them as a choice.
    for track in page.caption_tracks.all():
        url = _absolute(request, f"/iiif/3/item/{page.pk}/captions/{track.pk}.vtt")
        annotations.append(
            Annotation(
                id=f"{base}/captions/{track.pk}",
                motivation="supplementing",
                body=AnnotationBody(
                    id=url,
                    type="Text",
                    format="text/vtt",
                    language=track.language,
                    label=track.label_map(),
                ),
                target=canvas.id,
            )
        )
    if annotations:
        canvas.annotations = [AnnotationPage(id=f"{base}/transcripts", items=annotations)]
    return bool(annotations)


def build_manifest(request, page) -> Manifest:
    """The manifest of ``page`` (already checked visible) as ``request.user`` may see it."""
    page = page.specific
    manifest_id = _absolute(request, manifest_path(page.pk))
    base = manifest_id.rsplit("/", 1)[0]
    manifest = Manifest(id=manifest_id, label=language_map(page, "title"), items=[])
    summary = language_map(page, "description")
    if summary:
        manifest.summary = summary
    manifest.metadata = _metadata(page)
    if page.licence_uri.startswith(_RIGHTS_PREFIXES):
        manifest.rights = page.licence_uri
    attribution = language_map(page, "attribution") or (
        {"none": [page.rights_holder]} if page.rights_holder else {}
    )
    manifest.requiredStatement = KeyValueString(
        label=label_map(_("Attribution")),
        value=attribution or {"none": [settings.WAGTAIL_SITE_NAME]},
    )
    page_url = page.get_url(request)
    if page_url:
        manifest.homepage = [
            Homepage(
                id=_absolute(request, page_url),
                type="Text",
                label=language_map(page, "title"),
                format="text/html",
            )
        ]
    manifest.seeAlso = [
        {
            "id": f"{base}/dc.json",
            "type": "Dataset",
            "format": "application/json",
            "profile": "http://purl.org/dc/elements/1.1/",
            "label": label_map(_("Dublin Core record")),
        }
    ]
    parent = page.get_parent().specific
    if parent is not None and hasattr(parent, "visible_items"):
        manifest.partOf = [
            {
                "id": _absolute(request, collection_path(parent.slug)),
                "type": "Collection",
                "label": language_map(parent, "title"),
            }
        ]

    assets = list(
        page.visible_assets(request.user)
        .filter(status=AssetStatus.READY)
        .select_related("original", "item")
        .prefetch_related("derivatives")
    )
    locked = _locked_assets(request.user, page, assets)
    timed_canvas = None
    thumbnail: list = []
    kinds = [a.kind for a in assets]
    # A recording's first picture accompanies its first sound rather than standing apart.
    photo = (
        assets[kinds.index(MediaKind.IMAGE)]
        if MediaKind.AUDIO in kinds and MediaKind.IMAGE in kinds
        else None
    )
    sound = None
    in_order = sorted([*assets, *locked], key=lambda a: (a.position, a.pk))
    for n, asset in enumerate(in_order, start=1):
        label = language_map(asset, "caption") or {"none": [f"{n}"]}
        canvas_base = f"{base}/canvas/{asset.pk}"
        if asset is photo:
            continue
        if asset in locked:
            # Seen by its reader only after sign-in: a canvas with the probe, nothing else.
            if asset.kind == MediaKind.IMAGE:
                _image_canvas(request, manifest, asset, canvas_base, label)
            elif asset.kind == MediaKind.AUDIO:
                _audio_canvas(request, manifest, asset, canvas_base, label, locked=True)
            elif asset.kind == MediaKind.VIDEO:
                _video_canvas(request, manifest, asset, canvas_base, label, locked=True)
            continue
        if asset.kind == MediaKind.IMAGE:
            if _image_canvas(request, manifest, asset, canvas_base, label) and not thumbnail:
                thumbnail = _thumbnail(request, asset)
        elif asset.kind == MediaKind.AUDIO:
            canvas = _audio_canvas(request, manifest, asset, canvas_base, label)
            timed_canvas = timed_canvas or canvas
            sound = sound or canvas
        elif asset.kind == MediaKind.VIDEO:
            canvas = _video_canvas(request, manifest, asset, canvas_base, label)
            timed_canvas = timed_canvas or canvas
            if canvas is not None and not thumbnail:
                thumbnail = _thumbnail(request, asset)
    if photo is not None:
        label = language_map(photo, "caption") or {"none": [str(in_order.index(photo) + 1)]}
        # With no sound to accompany (none could be drawn), the photo is a canvas after all.
        shown = (sound is not None and _accompany(request, sound, photo, label)) or (
            _image_canvas(request, manifest, photo, f"{base}/canvas/{photo.pk}", label)
        )
        if shown:
            thumbnail = thumbnail or _thumbnail(request, photo)
    if thumbnail:
        manifest.thumbnail = thumbnail
    if timed_canvas is not None:
        _supplementing(request, page, timed_canvas, timed_canvas.id)
    if manifest.items:
        # Content Search 2.0 over the item's text (and the transcript, for those who may
        # read it): whoever sees the manifest may search it.
        manifest.service = [
            ServiceV3(
                id=_absolute(request, search_path(page.pk)),
                type="SearchService2",
                service=[
                    ServiceV3(
                        id=_absolute(request, autocomplete_path(page.pk)),
                        type="AutoCompleteService2",
                    )
                ],
            )
        ]
    return manifest


def _locked_assets(user, page, visible: list) -> list:
    """The item's ready assets ``user`` may not see yet but sign-in could open (the access
    policy's probe says 401 or 403): announced, with the Auth 2.0 probe, never delivered."""
    others = (
        page.assets.filter(status=AssetStatus.READY)
        .exclude(pk__in=[a.pk for a in visible])
        .select_related("original", "item")
        .prefetch_related("derivatives")
    )
    return [a for a in others if policy.probe_status(user, a) in (401, 403)]


def build_collection(request, collection_page) -> Collection:
    """A IIIF Collection of the items of ``collection_page`` the requester may see."""
    coll = Collection(
        id=_absolute(request, collection_path(collection_page.slug)),
        label=language_map(collection_page, "title"),
        items=[],
    )
    summary = language_map(collection_page, "intro")
    if summary:
        coll.summary = summary
    url = collection_page.get_url(request)
    if url:
        coll.homepage = [
            Homepage(
                id=_absolute(request, url),
                type="Text",
                label=language_map(collection_page, "title"),
                format="text/html",
            )
        ]
    # Aggregators harvest changes from the Change Discovery stream (IIIF Discovery 1.0).
    coll.seeAlso = [
        {
            "id": _absolute(request, reverse("iiif-discovery")),
            "type": "Dataset",
            "format": "application/ld+json",
            "profile": "http://iiif.io/api/discovery/1/context.json",
            "label": label_map(_("Changes to the archive's manifests (IIIF Change Discovery)")),
        }
    ]
    items = collection_page.visible_items(request.user).specific().order_by("path")
    coll.items = [
        ManifestRef(
            id=_absolute(request, manifest_path(item.pk)),
            type="Manifest",
            label=language_map(item, "title"),
        )
        for item in items
    ]
    return coll


def _languages_as_lists(node):
    if isinstance(node, dict):
        return {
            k: [v] if k == "language" and isinstance(v, str) else _languages_as_lists(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_languages_as_lists(v) for v in node]
    return node


def to_json(doc: Manifest | Collection) -> str:
    """The document as JSON-LD text.

    iiif-prezi3 types a resource's ``language`` as one string, but Presentation 3 (§3.3)
    requires a list of BCP 47 tags, and strict clients warn on a string; so the models are
    given a string and the output turns every ``language`` into a list."""
    data = _languages_as_lists(json.loads(doc.jsonld()))
    if '"AuthProbeService2"' in json.dumps(data):
        # Auth's terms first, Presentation's last (Presentation 3 §4.6).
        data["@context"] = [AUTH_CONTEXT, PRESENTATION_CONTEXT]
    return json.dumps(data, ensure_ascii=False)


def webvtt(page, code: str) -> str:
    """The item's transcript cues in one language as WebVTT."""
    lines = ["WEBVTT", ""]
    n = 0
    for cue in page.cues.all().order_by("start", "pk"):
        text = getattr(cue, f"text_{code}") or ""
        if not text.strip():
            continue
        n += 1
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = "\n".join(line for line in text.splitlines() if line.strip())
        lines += [str(n), f"{_ts(cue.start)} --> {_ts(cue.end)}", text, ""]
    return "\n".join(lines)


def _ts(seconds: Any) -> str:
    ms = round(float(seconds) * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def visible_dublin_core(page, user) -> dict[str, list[str]]:
    """``dublin_core()`` with ``format`` limited to assets the reader may see."""
    dc = page.specific.dublin_core()
    visible = policy.visible_assets(page.assets.all(), user).select_related("original")
    dc["format"] = sorted({a.original.content_type for a in visible})
    return dc
