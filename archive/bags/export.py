"""Export items as a BagIt bag (RFC 8493), made and checksummed by the ``bagit`` library.

A bag holds, under ``data/``::

    archive.json            what the bag is: format, audience, collections, items
    vocabularies.json       the terms the items use (broader terms too), by slug
    people.json             the people on the items (public profile fields unless curator)
    consent.json            consent records and withdrawals (curators' bags only)
    items/<ID>/item.json    the item in the project's own JSON
    items/<ID>/dc.xml       its Dublin Core (the oai_dc record an aggregator harvests)
    items/<ID>/originals/<sha256>.<ext>          the files as received
    items/<ID>/derivatives/<position>/<name>.<ext>  web derivatives, listed as such

and SHA-256 and SHA-512 manifests for the payload and the tag files.

What goes in is what the access policy shows the bag's audience: everyone by default, one
user's view with ``for_user``, or everything (drafts, every level, consent evidence) for
curators. The bag is made in a sibling folder and moved into place when complete, so a
failed export leaves no half-bag under the name asked for.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import bagit
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation

from archive.access import policy
from archive.assets.models import MediaAsset
from archive.captions.models import CAPTION_FIELDS
from archive.items.models import CollectionPage, ItemPage, TranscriptCue
from archive.oai.protocol import DC, OAI_DC, OAI_DC_XSD, XSI
from archive.people.models import ConsentRecord

from . import records

CHECKSUMS = ["sha256", "sha512"]
CHUNK = 1024 * 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class ExportError(Exception):
    """An export that cannot be made, with the reason."""


@dataclass
class Audience:
    """Whom a bag is for: a user's view through the policy (``None``: everyone), or all."""

    user: object = None
    curator: bool = False

    @property
    def name(self) -> str:
        if self.curator:
            return "curator"
        if self.user is None:
            return "public"
        return f"user:{self.user.get_username()}"

    def items(self, queryset: QuerySet) -> QuerySet:
        if self.curator:
            return queryset
        return policy.visible_items(queryset, self.user)

    def assets(self, item: ItemPage) -> QuerySet:
        qs = MediaAsset.objects.filter(item=item).select_related("original")
        if not self.curator:
            qs = policy.visible_assets(qs, self.user)
        return qs.prefetch_related("derivatives").order_by("position", "pk")

    def transcript(self, item: ItemPage) -> bool:
        return self.curator or policy.can_view_transcript(self.user, item)


@dataclass
class ExportReport:
    path: Path
    audience: str
    items: list[str] = field(default_factory=list)
    files: int = 0
    bytes: int = 0


def select_items(identifiers: list[str] | None = None, collection: str | None = None) -> QuerySet:
    """One or more items by identifier, a collection by slug, or (neither) the archive."""
    qs = ItemPage.objects.all()
    if identifiers:
        qs = qs.filter(identifier__in=identifiers)
        found = set(qs.values_list("identifier", flat=True))
        missing = [i for i in identifiers if i not in found]
        if missing:
            raise ExportError(f"no item with the identifier {', '.join(missing)}")
    if collection:
        parent = CollectionPage.objects.filter(slug=collection).first()
        if parent is None:
            raise ExportError(f"no collection with the slug {collection!r}")
        qs = qs.child_of(parent)
    return qs.order_by("path")


def _dc_xml(item: ItemPage) -> bytes:
    # In the archive's first language whoever runs the export: a bag made twice is the same.
    with translation.override(settings.LANGUAGE_CODE):
        return _dc_xml_now(item)


def _dc_xml_now(item: ItemPage) -> bytes:
    ET.register_namespace("oai_dc", OAI_DC)
    ET.register_namespace("dc", DC)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(f"{{{OAI_DC}}}dc", {f"{{{XSI}}}schemaLocation": f"{OAI_DC} {OAI_DC_XSD}"})
    for name, values in item.dublin_core().items():
        for value in values:
            if value and str(value).strip():
                ET.SubElement(root, f"{{{DC}}}{name}").text = str(value)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _copy(field_file, dest: Path) -> int:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with field_file.open("rb") as src, open(dest, "wb") as out:
        shutil.copyfileobj(src, out, CHUNK)
    return dest.stat().st_size


class _Writer:
    def __init__(self, data: Path, audience: Audience, derivatives: bool) -> None:
        self.data = data
        self.audience = audience
        self.derivatives = derivatives
        self.terms: list = []
        self.people: dict[str, object] = {}
        self.dirs: set[str] = set()
        self.files = 0

    def _folder(self, identifier: str) -> str:
        name = _UNSAFE.sub("_", identifier) or "item"
        base, n = name, 1
        while name in self.dirs:
            n += 1
            name = f"{base}-{n}"
        self.dirs.add(name)
        return f"items/{name}"

    def item(self, item: ItemPage) -> dict:
        folder = self._folder(item.identifier)
        plain, refs, many = records.item_fields(item)
        terms, people = records.referenced(item)
        self.terms.extend(terms)
        for p in people:
            self.people.setdefault(p.slug, p)
        with_transcript = self.audience.transcript(item)
        cue_fields = [
            f
            for f in TranscriptCue._meta.concrete_fields
            if not f.is_relation and not f.primary_key
        ]
        doc = {
            "format": records.FORMAT,
            "type": type(item)._meta.label_lower,
            "collection": item.get_parent().slug,
            "identifier": item.identifier,
            "fields": plain,
            "refs": refs,
            "many": many,
            "tags": sorted(item.tags.names()),
            "people": [{"person": ip.person.slug, "role": ip.role} for ip in item.people.all()],
            "transcript": [
                {f.name: records.as_json(f, f.value_from_object(c)) for f in cue_fields}
                for c in item.cues.all()
            ]
            if with_transcript
            else [],
            # Caption tracks take the transcript's access (archive/captions).
            "captions": [
                {f: getattr(t, f) for f in CAPTION_FIELDS} for t in item.caption_tracks.all()
            ]
            if with_transcript
            else [],
            "assets": [self.asset(a, folder) for a in self.audience.assets(item)],
        }
        out = self.data / folder
        out.mkdir(parents=True, exist_ok=True)
        (out / "item.json").write_text(_dump(doc), encoding="utf-8")
        (out / "dc.xml").write_bytes(_dc_xml(item))
        self.files += 2
        return {
            "identifier": item.identifier,
            "item": f"{folder}/item.json",
            "dc": f"{folder}/dc.xml",
        }

    def asset(self, asset: MediaAsset, folder: str) -> dict:
        original = asset.original
        suffix = Path(original.file.name).suffix.lower()
        rel = f"{folder}/originals/{original.sha256}{suffix}"
        if not (self.data / rel).exists():
            _copy(original.file, self.data / rel)
            self.files += 1
        derivatives = []
        if self.derivatives:
            for d in asset.derivatives.all():
                drel = f"{folder}/derivatives/{asset.position}-{asset.pk}/{d.name}"
                drel += Path(d.file.name).suffix.lower()
                _copy(d.file, self.data / drel)
                self.files += 1
                derivatives.append(
                    {
                        "role": "derivative",
                        "derived_from": original.sha256,
                        "name": d.name,
                        "content_type": d.content_type,
                        "size": d.size,
                        "width": d.width,
                        "height": d.height,
                        "path": drel,
                    }
                )
        return {
            "position": asset.position,
            "caption_zh": asset.caption_zh,
            "caption_en": asset.caption_en,
            "access_level": asset.access_level,
            "status": asset.status,
            "original": {
                "role": "original",
                "sha256": original.sha256,
                "size": original.size,
                "original_filename": original.original_filename,
                "content_type": original.content_type,
                "kind": original.kind,
                "probe": original.probe,
                "path": rel,
            },
            "derivatives": derivatives,
        }


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def export_bag(
    items: QuerySet,
    dest: Path,
    audience: Audience | None = None,
    *,
    derivatives: bool = True,
) -> ExportReport:
    """Write ``items`` (as far as ``audience`` may see them) as a new bag at ``dest``."""
    audience = audience or Audience()
    dest = Path(dest)
    if dest.exists():
        raise ExportError(f"{dest} exists; a bag is written to a new folder")
    chosen = list(audience.items(items).specific().order_by("path"))
    if not chosen:
        raise ExportError("nothing to export: no item here is shown to this audience")
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        data = staging  # make_bag moves the folder's contents under data/
        writer = _Writer(data, audience, derivatives)
        entries = [writer.item(item) for item in chosen]
        collections = sorted({item.get_parent().specific for item in chosen}, key=lambda c: c.path)
        terms = records.with_broader(writer.terms)
        (data / "vocabularies.json").write_text(
            _dump([records.term_record(t) for t in terms]), encoding="utf-8"
        )
        (data / "people.json").write_text(
            _dump(
                [
                    records.person_record(p, curator=audience.curator)
                    for _, p in sorted(writer.people.items())
                ]
            ),
            encoding="utf-8",
        )
        if audience.curator:
            consents = (
                ConsentRecord.objects.filter(person__slug__in=writer.people)
                .select_related("person", "item", "recorded_by_user", "withdrawal", "evidence")
                .order_by("person__slug", "granted_on", "pk")
            )
            (data / "consent.json").write_text(
                _dump([records.consent_record(c) for c in consents]), encoding="utf-8"
            )
        manifest = {
            "format": records.FORMAT,
            "exported_at": timezone.now().isoformat(),
            "audience": audience.name,
            "collections": [
                {
                    "slug": c.slug,
                    "title": c.title,
                    "title_en": c.title_en,
                    "title_hmn": c.title_hmn,
                    "intro_zh": c.intro_zh,
                    "intro_en": c.intro_en,
                }
                for c in collections
            ],
            "items": entries,
            "consent": "consent.json" if audience.curator else None,
        }
        (data / "archive.json").write_text(_dump(manifest), encoding="utf-8")
        bag = bagit.make_bag(
            str(staging),
            {
                "Source-Organization": settings.WAGTAIL_SITE_NAME,
                "External-Description": (
                    f"{len(entries)} item(s) from the Miao Heritage Archive, "
                    f"for the audience '{audience.name}'"
                ),
                "Bag-Software-Agent": f"miao-heritage-archive bag_export, bagit {bagit.VERSION}",
                "MHA-Format": records.FORMAT,
                "MHA-Audience": audience.name,
            },
            checksums=CHECKSUMS,
        )
        oxum = bag.info["Payload-Oxum"]
        staging.rename(dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    size, files = (int(x) for x in oxum.split("."))
    return ExportReport(
        path=dest,
        audience=audience.name,
        items=[e["identifier"] for e in entries],
        files=files,
        bytes=size,
    )
