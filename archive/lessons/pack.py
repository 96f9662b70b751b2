"""The offline pack: one ZIP whose ``index.html`` works from ``file://`` with no network.

A pack leaves the archive for a classroom, so only sources that :func:`access.packable`
admits go in (what anyone may see, with the licence, TK labels and consent of everyone
shown allowing teaching); the rest are listed as left out. Audio clips are cut with ffmpeg
from the speech-grade Opus and AAC derivatives without re-encoding, details are cut from
the IIIF pyramid at the size they are shown, whole items take their web derivatives as they
are. The pack states when it was built and asks to be refreshed after
``MHA_LESSON_PACK_DAYS``.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import ffmpeg
import pyvips
from django.conf import settings
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone

from archive.access import policy

from . import access
from .models import Lesson, SourceKind

#: Audio clips are cut from the archive's own speech-grade derivatives (Opus 24 kb/s mono,
#: AAC 64 kb/s) without re-encoding: packets are 20 ms, precise enough for speech, no
#: generation loss, and a 15-minute clip takes a second instead of most of a minute.
CLIP_COPY = {"c:a": "copy"}
CLIP_VIDEO = {
    "c:v": "libx264",
    "preset": "veryfast",
    "crf": 30,
    "vf": "scale=-2:'min(240,ih)'",
    "c:a": "aac",
    "b:a": "48k",
    "ac": 1,
    "movflags": "+faststart",
}
#: Bytes per second of each clip format, for the size shown before download.
CLIP_BYTES_PER_SECOND = {"audio": (24000 + 64000) // 8, "video": 40000}
#: A detail is shown at most this wide, and packed at that size.
DETAIL_WIDTH = 1200
#: JPEG bytes per pixel at quality 80, a generous mean for embroidery photographs.
JPEG_BYTES_PER_PIXEL = 0.25
WHOLE_ITEM_DERIVATIVES = {"image": ["web-jpeg"], "audio": ["opus", "aac"], "video": ["mp4-240"]}


class PackTooBig(Exception):
    pass


@dataclass
class Estimate:
    bytes: int = 0
    count: int = 0
    left_out: int = 0
    #: The sum of the archive's own derivatives the pack draws on (the floor to compare with).
    derivative_bytes: int = 0

    @property
    def too_big(self) -> bool:
        return self.bytes > settings.MHA_LESSON_PACK_MAX_BYTES


def _detail_pixels(source) -> int:
    scale = min(1.0, DETAIL_WIDTH / max(1, source.w))
    return int(source.w * scale) * int(source.h * scale)


def estimate(shown: list[access.Shown]) -> Estimate:
    """The pack's size before it is built, from recorded derivative sizes and clip lengths."""
    est = Estimate()
    for s in shown:
        if not access.packable(s):
            est.left_out += 1
            continue
        est.count += 1
        src = s.source
        if src.kind == SourceKind.CLIP:
            kind = "video" if s.asset.kind == "video" else "audio"
            est.bytes += int(src.clip_seconds * CLIP_BYTES_PER_SECOND[kind])
            names = ["mp4-240"] if kind == "video" else ["opus", "aac"]
            duration = float(s.asset.original.probe.get("duration") or 0) or 1
            share = min(1.0, src.clip_seconds / duration)
            est.derivative_bytes += int(
                sum(d.size for d in s.asset.derivatives.all() if d.name in names) * share
            )
        elif src.kind == SourceKind.DETAIL:
            est.bytes += int(_detail_pixels(src) * JPEG_BYTES_PER_PIXEL)
            web = s.asset.derivative("web-jpeg")
            if web is not None and web.width and web.height:
                area = (src.w * src.h) / (
                    (s.asset.original.probe.get("width") or web.width)
                    * (s.asset.original.probe.get("height") or web.height)
                )
                est.derivative_bytes += int(web.size * min(1.0, area))
        else:
            for a in _whole_assets(s):
                for d in a.derivatives.all():
                    if d.name in WHOLE_ITEM_DERIVATIVES.get(a.kind, []):
                        est.bytes += d.size
                        est.derivative_bytes += d.size
    return est


def _whole_assets(s: access.Shown) -> list:
    return [a for a in access.whole_item_assets(s, None) if policy.can_view_asset(None, a)]


def _local(field_file, workdir: Path) -> Path:
    """A local path to a stored file (S3 files are copied into the work folder)."""
    try:
        return Path(field_file.path)
    except NotImplementedError:
        target = workdir / Path(field_file.name).name
        with default_storage.open(field_file.name, "rb") as src, target.open("wb") as out:
            shutil.copyfileobj(src, out)
        return target


def _cut(src: Path, out: Path, start: float, seconds: float, options: dict) -> None:
    (
        ffmpeg.input(str(src), ss=f"{start:.2f}", t=f"{seconds:.2f}")
        .output(str(out), vn=None, **options)
        .overwrite_output()
        .run(quiet=True)
    )


def _cut_video(src: Path, out: Path, start: float, seconds: float) -> None:
    (
        ffmpeg.input(str(src), ss=f"{start:.2f}", t=f"{seconds:.2f}")
        .output(str(out), **CLIP_VIDEO)
        .overwrite_output()
        .run(quiet=True)
    )


def _detail(pyramid: Path, source, out: Path) -> tuple[int, int]:
    image = pyvips.Image.new_from_file(str(pyramid), access="sequential")
    region = image.crop(source.x, source.y, source.w, source.h)
    if region.width > DETAIL_WIDTH:
        region = region.resize(DETAIL_WIDTH / region.width)
    region.jpegsave(str(out), Q=80, strip=True, optimize_coding=True)
    return region.width, region.height


def _cues(item, start: float | None = None, end: float | None = None) -> list[dict]:
    if not policy.can_view_transcript(None, item):
        return []
    cues = item.cues.all().order_by("start", "sort_order")
    out = []
    for c in cues:
        s, e = float(c.start), float(c.end)
        if start is not None and (e <= start or s >= end):
            continue
        offset = start or 0.0
        out.append(
            {
                "at": max(0.0, s - offset),
                "hmn": c.text_hmn,
                "zh": c.text_zh,
                "en": c.text_en,
            }
        )
    return out


@dataclass
class Entry:
    n: int
    shown: access.Shown
    files: dict = field(default_factory=dict)
    cues: list = field(default_factory=list)
    width: int = 0
    height: int = 0
    citation: str = ""


def build(lesson: Lesson, shown: list[access.Shown], base_url: str, out: Path) -> Path:
    """Write the pack of ``lesson`` to ``out`` (a .zip); raise :class:`PackTooBig`."""
    est = estimate(shown)
    limit = settings.MHA_LESSON_PACK_MAX_BYTES
    if est.bytes > limit:
        raise PackTooBig(est.bytes)
    from .citations import cite_source

    built = timezone.now()
    entries: list[Entry] = []
    left_out = 0
    with tempfile.TemporaryDirectory(prefix="lesson-pack-") as tmp:
        work = Path(tmp)
        media = work / "media"
        media.mkdir()
        for s in shown:
            if not access.packable(s):
                left_out += 1
                continue
            entry = Entry(len(entries) + 1, s)
            src, n = s.source, len(entries) + 1
            entry.citation = cite_source(src, s.item, base_url)
            if src.kind == SourceKind.CLIP:
                start, seconds = float(src.start), src.clip_seconds
                if s.asset.kind == "video":
                    d = s.asset.derivative("mp4-240") or s.asset.derivative("mp4-480")
                    _cut_video(_local(d.file, work), media / f"{n}.mp4", start, seconds)
                    entry.files["video"] = f"media/{n}.mp4"
                else:
                    for name, ext, options in (
                        ("opus", "ogg", CLIP_COPY),
                        ("aac", "m4a", {**CLIP_COPY, "movflags": "+faststart"}),
                    ):
                        d = s.asset.derivative(name)
                        if d is not None:
                            target = media / f"{n}.{ext}"
                            _cut(_local(d.file, work), target, start, seconds, options)
                            entry.files[name] = f"media/{target.name}"
                entry.cues = _cues(s.item, start, float(src.end))
            elif src.kind == SourceKind.DETAIL:
                pyramid = s.asset.derivative("pyramid")
                if pyramid is None:
                    left_out += 1
                    continue
                entry.width, entry.height = _detail(
                    _local(pyramid.file, work), src, media / f"{n}.jpg"
                )
                entry.files["image"] = f"media/{n}.jpg"
            else:
                for a in _whole_assets(s):
                    for name in WHOLE_ITEM_DERIVATIVES.get(a.kind, []):
                        d = a.derivative(name)
                        if d is None:
                            continue
                        ext = Path(d.file.name).suffix
                        target = media / f"{n}-{a.pk}-{name}{ext}"
                        with default_storage.open(d.file.name, "rb") as f, target.open("wb") as o:
                            shutil.copyfileobj(f, o)
                        entry.files.setdefault(a.kind, []).append(
                            {"name": name, "path": f"media/{target.name}", "type": d.content_type}
                        )
                entry.cues = _cues(s.item)
            entries.append(entry)
        html = render_to_string(
            "lessons/pack_index.html",
            {
                "lesson": lesson,
                "entries": entries,
                "left_out": left_out,
                "built": built,
                "expires": built + timedelta(days=settings.MHA_LESSON_PACK_DAYS),
                "online_url": base_url.rstrip("/") + lesson.student_path(),
            },
        )
        (work / "index.html").write_text(html, encoding="utf-8")
        total = sum(p.stat().st_size for p in work.rglob("*") if p.is_file())
        if total > limit:
            raise PackTooBig(total)
        with zipfile.ZipFile(out, "w") as z:
            z.write(work / "index.html", "index.html", compress_type=zipfile.ZIP_DEFLATED)
            for p in sorted(media.iterdir()):
                # Media are compressed already: stored, so a phone unzips them at once.
                z.write(p, f"media/{p.name}", compress_type=zipfile.ZIP_STORED)
    return out


# --- built once, kept until anything in it changes ---------------------------------------
#
# What goes into a pack never depends on who asks (only what everyone may see, with consent
# for teaching, goes in), so one pack per lesson state serves every reader. The state is a
# fingerprint of the lesson and, for each source, what the policy says of it NOW: asked at
# every download, so a source whose access, consent or licence changed gives another
# fingerprint and the old ZIP is never served again (it is deleted when the new one is
# built). A kept ZIP is also rebuilt after ``MHA_LESSON_PACK_KEEP_HOURS``.

PACKS = "lesson-packs"


def fingerprint(lesson: Lesson, base_url: str) -> str:
    import hashlib

    shown = access.sources_for(lesson, None)
    parts = [
        str(lesson.pk),
        lesson.token,
        lesson.title,
        lesson.objectives,
        lesson.updated_at.isoformat(),
        base_url,
        str(settings.MHA_LESSON_PACK_DAYS),
        str(settings.MHA_LESSON_PACK_MAX_BYTES),
    ]
    for s in shown:
        src = s.source
        ok = access.packable(s)
        item = s.item
        parts.append(
            "|".join(
                str(v)
                for v in (
                    src.pk,
                    src.position,
                    src.kind,
                    src.fragment,
                    src.questions,
                    src.asset_id,
                    ok,
                    item.latest_revision_id if ok else "",
                    item.last_published_at if ok else "",
                )
            )
        )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def kept_name(lesson_pk: int, fp: str, suffix: str = "zip") -> str:
    return f"{PACKS}/{lesson_pk}/{fp}.{suffix}"


def _fresh(name: str) -> bool:
    if not default_storage.exists(name):
        return False
    try:
        made = default_storage.get_modified_time(name)
    except (NotImplementedError, OSError):
        return True
    keep = timedelta(hours=getattr(settings, "MHA_LESSON_PACK_KEEP_HOURS", 24))
    return timezone.now() - made < keep


@dataclass
class PackState:
    """``ready`` (``name`` is the ZIP), ``building``, ``too_big`` (``size``) or ``failed``."""

    state: str
    name: str = ""
    size: int = 0


def state_of(lesson: Lesson, fp: str) -> PackState:
    zip_name = kept_name(lesson.pk, fp)
    if _fresh(zip_name):
        return PackState("ready", zip_name, default_storage.size(zip_name))
    big = kept_name(lesson.pk, fp, "too-big")
    if _fresh(big):
        with default_storage.open(big, "rb") as f:
            return PackState("too_big", size=int(f.read() or 0))
    if _fresh(kept_name(lesson.pk, fp, "failed")):
        return PackState("failed")
    return PackState("building")


def build_kept(lesson_pk: int, base_url: str) -> PackState:
    """Build the pack of the lesson as it is now and keep it under its fingerprint; older
    packs of the lesson are deleted (run by the ``build_pack`` task)."""
    import logging

    from django.core.files import File

    lesson = Lesson.objects.filter(pk=lesson_pk).first()
    if lesson is None:
        return PackState("failed")
    fp = fingerprint(lesson, base_url)
    shown = access.sources_for(lesson, None)
    with tempfile.TemporaryDirectory(prefix="lesson-zip-") as tmp:
        out = Path(tmp) / "pack.zip"
        try:
            build(lesson, shown, base_url, out)
        except PackTooBig as e:
            from django.core.files.base import ContentFile

            _replace(lesson.pk, kept_name(lesson.pk, fp, "too-big"), ContentFile(str(e.args[0])))
            return PackState("too_big", size=e.args[0])
        except Exception:
            from django.core.files.base import ContentFile

            logging.getLogger(__name__).exception("pack of lesson %s failed", lesson.pk)
            _replace(lesson.pk, kept_name(lesson.pk, fp, "failed"), ContentFile(b""))
            return PackState("failed")
        with out.open("rb") as f:
            name = _replace(lesson.pk, kept_name(lesson.pk, fp), File(f))
    return PackState("ready", name, default_storage.size(name))


def _replace(lesson_pk: int, name: str, content) -> str:
    """Store ``content`` as ``name`` and delete every other kept file of the lesson."""
    if default_storage.exists(name):
        default_storage.delete(name)
    saved = default_storage.save(name, content)
    forget(lesson_pk, keep=saved)
    return saved


def forget(lesson_pk: int, keep: str = "") -> None:
    """Delete the kept packs of a lesson (all but ``keep``)."""
    folder = f"{PACKS}/{lesson_pk}"
    try:
        _dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, OSError):
        return
    for f in files:
        if f"{folder}/{f}" != keep:
            default_storage.delete(f"{folder}/{f}")
