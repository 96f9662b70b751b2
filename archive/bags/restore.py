"""Import a bag made by ``export``: validate everything first, then restore all or nothing.

Order of work, so that a refused bag leaves no trace:

1. the bag as BagIt defines it, checked by the ``bagit`` library: structure, every payload
   file listed and present, SHA-256 (and SHA-512) of every file, no path outside the bag;
   also refused here: symbolic links, ``fetch.txt`` (nothing is fetched), a bag without a
   SHA-256 manifest;
2. the archive's own JSON: known format, every path named inside the payload *and* in the
   manifest, item kinds known, identifiers not already in the archive, each original's
   bytes matching its recorded SHA-256 and size and identified by the ingest's own checks
   (a file is what its bytes say, never what the bag claims);
3. one database transaction: terms, people, consent, items (as drafts), media and their
   files; then each item that was live is published, which runs the archive's own rules
   (a public recording needs its speakers' consent): an item the rules refuse stays a
   draft, with the reason in the report. If anything fails, the transaction rolls back and
   every file stored so far is deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import bagit
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from archive.access.models import AccessLevel
from archive.assets.fixity import audit
from archive.assets.ingest import check_file, safe_display_name
from archive.assets.models import AssetStatus, Derivative, MediaAsset, MediaKind, Original
from archive.assets.tasks import enqueue_processing
from archive.captions.models import CAPTION_FIELDS, CaptionTrack
from archive.items.models import CollectionPage, ItemPage, ItemPerson, TranscriptCue
from archive.people.models import ConsentRecord, ConsentWithdrawal, Person
from archive.portal.setup import ensure_home
from archive.vocabularies.models import Place, Term
from media_pipeline.errors import MediaError

from . import records

CHUNK = 1024 * 1024
#: The largest JSON file a bag may carry (an item's record is a few kilobytes).
MAX_JSON_BYTES = 20 * 1024 * 1024
#: What a derivative may be served as: media, peaks, tile archives. Never HTML, SVG or
#: script, whatever a bag claims (the file door serves a derivative with its recorded type).
DERIVATIVE_TYPES = ("image/", "audio/", "video/", "application/json", "application/zip")
FORBIDDEN_TYPES = ("image/svg", "text/", "application/javascript", "application/xhtml")


class BagImportError(Exception):
    """A bag that was refused, and why; nothing of it was imported."""


@dataclass
class ImportReport:
    items: list[str] = field(default_factory=list)
    #: Items that were live in the bag but stay drafts here, with the archive's reasons.
    drafts: dict[str, list[str]] = field(default_factory=dict)
    originals_stored: int = 0
    originals_linked: int = 0
    derivatives: int = 0
    #: Originals whose stored bytes were read back and matched their SHA-256.
    fixity_verified: int = 0
    terms_created: int = 0
    people_created: int = 0
    consents: int = 0


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _Bag:
    """A validated bag: resolves the paths its records name, refusing any it does not list."""

    def __init__(self, path: Path) -> None:
        self.root = Path(path).resolve()
        if not self.root.is_dir():
            raise BagImportError(f"{path} is not a folder (a bag is a folder with bagit.txt)")
        for dirpath, dirnames, filenames in os.walk(self.root):
            for name in dirnames + filenames:
                if os.path.islink(os.path.join(dirpath, name)):
                    rel = os.path.relpath(os.path.join(dirpath, name), self.root)
                    raise BagImportError(f"the bag holds a symbolic link ({rel}); refused")
        try:
            bag = bagit.Bag(str(self.root))
            if list(bag.fetch_entries()):
                raise BagImportError("the bag lists files to fetch (fetch.txt); refused")
            if "sha256" not in bag.algorithms:
                raise BagImportError("the bag has no SHA-256 manifest; refused")
            bag.validate(processes=1)
        except bagit.BagValidationError as exc:
            details = "; ".join(str(d) for d in exc.details[:10]) or exc.message
            raise BagImportError(f"the bag is not valid: {details}") from exc
        except bagit.BagError as exc:
            raise BagImportError(f"the bag is not valid: {exc}") from exc
        self.data = self.root / "data"
        self.listed = {os.path.normpath(p) for p in bag.payload_entries()}

    def path(self, rel: object) -> Path:
        """The payload file ``rel`` (relative to ``data/``), if the manifest lists it."""
        if not isinstance(rel, str) or not rel or rel.startswith(("/", "\\")) or "\\" in rel:
            raise BagImportError(f"a record names the path {rel!r}; refused")
        full = (self.data / rel).resolve()
        if not full.is_relative_to(self.data):
            raise BagImportError(f"a record names a path outside the bag ({rel}); refused")
        if os.path.normpath(f"data/{rel}") not in self.listed:
            raise BagImportError(f"a record names a file the manifest does not list ({rel})")
        return full

    def json(self, rel: str):
        path = self.path(rel)
        if path.stat().st_size > MAX_JSON_BYTES:
            raise BagImportError(f"{rel} is too large for a record")
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BagImportError(f"{rel} is not valid JSON: {exc}") from exc


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise BagImportError(message)


def _check_format(doc: dict, where: str) -> None:
    _expect(isinstance(doc, dict), f"{where} is not a JSON object")
    fmt = str(doc.get("format", ""))
    _expect(
        fmt.split(".")[0] == records.FORMAT,
        f"{where} has the format {fmt!r}; this archive reads {records.FORMAT}",
    )


def _item_model(label: object) -> type[ItemPage]:
    try:
        model = apps.get_model(str(label))
    except (LookupError, ValueError) as exc:
        raise BagImportError(f"unknown kind of item {label!r}") from exc
    _expect(issubclass(model, ItemPage) and model is not ItemPage, f"{label!r} is not an item")
    return model


def _term_model(label: object) -> type[Term]:
    try:
        model = apps.get_model(str(label))
    except (LookupError, ValueError) as exc:
        raise BagImportError(f"unknown vocabulary {label!r}") from exc
    _expect(issubclass(model, Term), f"{label!r} is not a vocabulary")
    return model


def _derivative_type_allowed(content_type: str) -> bool:
    ct = content_type.lower()
    return ct.startswith(DERIVATIVE_TYPES) and not ct.startswith(FORBIDDEN_TYPES)


@dataclass
class _Plan:
    manifest: dict
    terms: list
    people: list
    consent: list
    items: list  # (doc, model)
    #: sha256 → (path in the bag, identified content type, kind, extension)
    originals: dict


def _plan(bag: _Bag) -> _Plan:
    """Read and check every record before anything is written."""
    manifest = bag.json("archive.json")
    _check_format(manifest, "archive.json")
    terms = bag.json("vocabularies.json")
    people = bag.json("people.json")
    _expect(isinstance(terms, list) and isinstance(people, list), "malformed vocabularies/people")
    consent = bag.json(manifest["consent"]) if manifest.get("consent") else []
    _expect(isinstance(consent, list), "malformed consent records")
    for t in terms:
        _expect(isinstance(t, dict) and isinstance(t.get("slug"), str), "malformed term")
        _term_model(t.get("model"))
    entries = manifest.get("items")
    _expect(isinstance(entries, list) and entries, "archive.json lists no items")
    items, identifiers, originals = [], set(), {}
    for entry in entries:
        _expect(isinstance(entry, dict), "malformed item entry in archive.json")
        doc = bag.json(entry.get("item"))
        _check_format(doc, entry.get("item"))
        model = _item_model(doc.get("type"))
        ident = doc.get("identifier")
        _expect(isinstance(ident, str) and ident, "an item has no identifier")
        _expect(ident not in identifiers, f"the bag holds {ident} twice")
        identifiers.add(ident)
        for asset in doc.get("assets", []):
            orig = asset["original"]
            sha = orig.get("sha256")
            path = bag.path(orig.get("path"))
            if sha not in originals:
                _expect(
                    path.stat().st_size == orig.get("size"),
                    f"{ident}: original {orig.get('path')} is {path.stat().st_size} bytes, "
                    f"the record says {orig.get('size')}",
                )
                actual = _sha256(path)
                _expect(
                    actual == sha,
                    f"{ident}: original {orig.get('path')} has SHA-256 {actual}, "
                    f"the record says {sha}",
                )
                if not Original.objects.filter(sha256=sha).exists():
                    try:
                        found = check_file(path)
                    except MediaError as exc:
                        raise BagImportError(f"{ident}: original refused: {exc}") from exc
                    originals[sha] = (path, found.content_type, found.kind, found.extension)
            _expect(
                asset.get("access_level") in AccessLevel.values,
                f"{ident}: unknown access level {asset.get('access_level')!r}",
            )
            for d in asset.get("derivatives", []):
                bag.path(d.get("path"))
                _expect(
                    _derivative_type_allowed(str(d.get("content_type", ""))),
                    f"{ident}: derivative {d.get('name')!r} claims the type "
                    f"{d.get('content_type')!r}, which is never served; refused",
                )
        items.append((doc, model))
    taken = sorted(
        ItemPage.objects.filter(identifier__in=identifiers).values_list("identifier", flat=True)
    )
    _expect(not taken, f"the archive already holds {', '.join(taken)}; nothing imported")
    return _Plan(manifest, terms, people, consent, items, originals)


class _Restorer:
    def __init__(self, bag: _Bag, plan: _Plan, report: ImportReport) -> None:
        self.bag = bag
        self.plan = plan
        self.report = report
        self.stored: list[tuple] = []  # (storage, name) to delete if the import fails
        self.new_people: set[str] = set()

    def _by_slug(self, model, slug: str | None):
        if slug is None:
            return None
        obj = model.objects.filter(slug=slug).first()
        _expect(
            obj is not None, f"{model._meta.verbose_name} {slug!r} is neither here nor in the bag"
        )
        return obj

    def terms(self) -> None:
        pending = list(self.plan.terms)
        while pending:
            left = []
            for rec in pending:
                model = _term_model(rec["model"])
                if model.objects.filter(slug=rec["slug"]).exists():
                    continue
                broader = rec.get("broader")
                if broader and not model.objects.filter(slug=broader).exists():
                    left.append(rec)
                    continue
                term = model()
                records.set_plain(term, rec, skip=frozenset({"model", "broader"}))
                term.broader = model.objects.filter(slug=broader).first() if broader else None
                term.full_clean()
                term.save()
                self.report.terms_created += 1
            _expect(len(left) < len(pending), "broader terms that never arrive (a cycle?)")
            pending = left

    def people(self) -> None:
        for rec in self.plan.people:
            if Person.objects.filter(slug=rec.get("slug")).exists():
                continue
            person = Person()
            records.set_plain(person, rec, skip=frozenset({"village"}))
            person.village = self._by_slug(Place, rec.get("village"))
            person.full_clean()
            person.save()
            self.new_people.add(person.slug)
            self.report.people_created += 1

    def consents(self) -> None:
        for rec in self.plan.consent:
            person = self._by_slug(Person, rec["person"])
            item = None
            if rec.get("item"):
                item = ItemPage.objects.filter(identifier=rec["item"]).first()
                _expect(item is not None, f"a consent names the unknown item {rec['item']}")
            same = ConsentRecord.objects.filter(
                person=person, scope=rec["scope"], item=item, granted_on=rec["granted_on"]
            )
            if same.exists():
                continue
            consent = ConsentRecord(
                person=person,
                scope=rec["scope"],
                item=item,
                granted_on=rec["granted_on"],
                recorded_by=rec.get("recorded_by") or "",
                withdrawn_on=rec.get("withdrawn_on"),
                note=rec.get("note") or "",
            )
            consent.full_clean(exclude=["person"])
            consent.save()
            if consent.withdrawn_on:
                ConsentWithdrawal.objects.create(
                    consent=consent,
                    withdrawn_on=consent.withdrawn_on,
                    reason=rec.get("withdrawal_reason") or "",
                )
            self.report.consents += 1

    def _collection(self, slug: str) -> CollectionPage:
        home = ensure_home()
        found = CollectionPage.objects.child_of(home).filter(slug=slug).first()
        if found is not None:
            return found
        info = next(
            (c for c in self.plan.manifest.get("collections", []) if c.get("slug") == slug), None
        )
        _expect(info is not None, f"no collection {slug!r} here or in the bag")
        page = CollectionPage()
        records.set_plain(page, info)
        return home.add_child(instance=page)

    def item(self, doc: dict, model: type[ItemPage]) -> ItemPage:
        page = model()
        fields = dict(doc.get("fields", {}))
        records.set_plain(page, fields)
        page.live = False
        for name, slug in (doc.get("refs") or {}).items():
            f = model._meta.get_field(name)
            _expect(f.is_relation and f.many_to_one, f"{name!r} is not a reference")
            setattr(page, name, self._by_slug(f.related_model, slug))
        for name, slugs in (doc.get("many") or {}).items():
            f = model._meta.get_field(name)
            _expect(f.many_to_many and issubclass(f.related_model, Term), f"{name!r} is no list")
            getattr(page, name).set([self._by_slug(f.related_model, s) for s in slugs])
        if doc.get("tags"):
            page.tags.add(*[str(t) for t in doc["tags"]])
        for p in doc.get("people", []):
            page.people.add(ItemPerson(person=self._by_slug(Person, p["person"]), role=p["role"]))
        for rec in doc.get("transcript", []):
            cue = TranscriptCue()
            records.set_plain(cue, rec)
            page.cues.add(cue)
        try:
            self._collection(doc["collection"]).add_child(instance=page)
        except ValidationError as exc:
            raise BagImportError(f"{doc['identifier']}: {'; '.join(exc.messages)}") from exc
        for rec in doc.get("captions", []):
            track = CaptionTrack(item=page, **{f: rec[f] for f in CAPTION_FIELDS if f in rec})
            try:
                track.full_clean(exclude=["item"])
            except ValidationError as exc:
                raise BagImportError(f"{doc['identifier']}: caption track: {exc}") from exc
            track.save()
        page._bag_fields = fields
        return page

    def _store(self, field_file, name: str, source: Path) -> None:
        with open(source, "rb") as fh:
            field_file.save(name, File(fh), save=False)
        self.stored.append((field_file.storage, field_file.name))

    def assets(self, page: ItemPage, doc: dict) -> None:
        for rec in doc.get("assets", []):
            orig = rec["original"]
            sha = orig["sha256"]
            original = Original.objects.filter(sha256=sha).first()
            if original is None:
                path, content_type, kind, extension = self.plan.originals[sha]
                _expect(kind in MediaKind.values, f"unknown media kind {kind!r}")
                original = Original(
                    sha256=sha,
                    size=path.stat().st_size,
                    original_filename=safe_display_name(orig.get("original_filename") or ""),
                    content_type=content_type,
                    kind=kind,
                    probe=orig.get("probe") or {},
                )
                self._store(original.file, f"{sha[:2]}/{sha}{extension}", path)
                original.save()
                self.report.originals_stored += 1
            else:
                self.report.originals_linked += 1
            derivatives = rec.get("derivatives") or []
            asset = MediaAsset(
                item=page,
                original=original,
                position=int(rec.get("position") or 0),
                caption_zh=rec.get("caption_zh") or "",
                caption_en=rec.get("caption_en") or "",
                access_level=rec["access_level"],
                status=AssetStatus.READY if derivatives else AssetStatus.QUEUED,
                progress=100 if derivatives else 0,
            )
            asset.full_clean()
            asset.save()
            for d in derivatives:
                src = self.bag.path(d["path"])
                derivative = Derivative(
                    asset=asset,
                    name=str(d["name"])[:40],
                    content_type=d["content_type"],
                    size=src.stat().st_size,
                    width=d.get("width"),
                    height=d.get("height"),
                )
                self._store(derivative.file, f"{asset.pk}/{d['name']}{src.suffix}", src)
                derivative.save()
                self.report.derivatives += 1
            if not derivatives:
                # Derivatives can always be rebuilt from the original.
                enqueue_processing(asset)

    def publish(self, page: ItemPage) -> None:
        fields = page._bag_fields
        if not fields.get("live"):
            return
        page.live = True
        try:
            page.save()
        except ValidationError as exc:
            page.live = False
            self.report.drafts[page.identifier] = exc.messages

    def verify_fixity(self) -> None:
        shas = {
            rec["original"]["sha256"] for doc, _ in self.plan.items for rec in doc.get("assets", [])
        }
        for original in Original.objects.filter(sha256__in=shas):
            result = audit(original)
            _expect(
                result.status == "ok",
                f"original {original.sha256} reads back {result.status} from storage",
            )
            self.report.fixity_verified += 1


def import_bag(path: Path | str) -> ImportReport:
    """Validate the bag at ``path`` and restore its items; a ``BagImportError`` otherwise."""
    bag = _Bag(Path(path))
    try:
        plan = _plan(bag)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BagImportError(f"a record is malformed: {exc!r}") from exc
    report = ImportReport()
    restorer = _Restorer(bag, plan, report)
    try:
        with transaction.atomic():
            restorer.terms()
            restorer.people()
            pages = [(restorer.item(doc, model), doc) for doc, model in plan.items]
            restorer.consents()
            for page, doc in pages:
                restorer.assets(page, doc)
            for page, _ in pages:
                restorer.publish(page)
                report.items.append(page.identifier)
            restorer.verify_fixity()
    except BaseException as exc:
        for storage, name in restorer.stored:
            storage.delete(name)
        if isinstance(exc, ValidationError):
            raise BagImportError("; ".join(exc.messages)) from exc
        if isinstance(exc, (KeyError, TypeError, ValueError, AttributeError)) and not isinstance(
            exc, BagImportError
        ):
            raise BagImportError(f"a record is malformed: {exc!r}") from exc
        raise
    return report


__all__ = ["BagImportError", "ImportReport", "import_bag"]
