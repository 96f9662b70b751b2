"""The offline pack of a 10-source lesson with 30 minutes of speech: build time and size.

    .venv/bin/python bench/lesson_pack_bench.py [--minutes-each 3] [--runs 3]

Ten dialect recordings of speech-like audio (3 minutes each, made once by demo.mediamaker
and cached in /tmp/mha-bench) in a throwaway project, each speaker with an education
consent: the first is ingested by the real pipeline, the nine others share its derivative
files (the same bytes; processing them again would only measure ingest). The lesson holds
five of them whole, a clip of the full length of each of the other five, and a detail of a
2000×1500 picture. "ours" is
``archive.lessons.pack.build`` (clips cut with ffmpeg to Opus 24k + AAC 48k mono, the detail
cut from the pyramid with libvips, whole items copied, index.html, ZIP). The floor is the
sum of the chosen derivatives' sizes (the archive's own Opus 24k + AAC 64k files, the
clips' share of them, the web JPEG's share for the detail); the peer, run side by side, is
``zip -0`` of exactly those derivative files (what a teacher copying the files would get).
"""

from __future__ import annotations

import argparse
import datetime
import subprocess
import sys
import tempfile
import time
import zipfile
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    Project,
    _cached,
    machine_note,
    media,
    print_table,
    speech_wav,
    summary,
    timing_row,
)


def mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes-each", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    wav = speech_wav(args.minutes_each)
    picture = _cached("pattern-2000x1500.jpg", lambda p: media.card(p, 2000, 1500))
    project = Project.create("lessons")
    try:
        project.setup_django()
        run(project, wav, picture, args.runs)
    finally:
        project.cleanup()


def run(project: Project, wav: Path, picture: Path, runs: int) -> None:
    from django.contrib.auth import get_user_model

    from archive.assets.ingest import ingest
    from archive.assets.models import MediaAsset
    from archive.assets.tasks import process_asset
    from archive.items.models import CollectionPage, EmbroideryPatternPage, ItemPerson
    from archive.lessons import access
    from archive.lessons.models import Lesson, LessonSource
    from archive.lessons.pack import build, estimate
    from archive.people.models import ConsentRecord, Person
    from tests import factories

    def consenting(n: int) -> Person:
        p = Person.objects.create(slug=f"bench-speaker-{n}", name_zh=f"讲述人{n}")
        for scope in ("public_web", "education"):
            ConsentRecord.objects.create(
                person=p, scope=scope, granted_on=datetime.date(2024, 1, 1), recorded_by="bench"
            )
        return p

    def attach(item, path: Path):
        result = ingest(path, item=item, filename=path.name, enqueue=False)
        process_asset.call(result.asset.pk)
        result.asset.refresh_from_db()
        assert result.asset.status == "ready", result.asset.error
        return result.asset

    dialects = CollectionPage.objects.get(slug="dialects")
    t0 = time.perf_counter()
    recordings = []
    for n in range(10):
        item = factories.recording(dialects, speaker=consenting(n), title=f"讲古 {n}")
        if not recordings:
            recordings.append((item, attach(item, wav)))
            continue
        # The same bytes again: the archive stores the original once, and processing it ten
        # times would only measure ingest; the other nine share its derivative files.
        first = recordings[0][1]
        derivatives = list(first.derivatives.all())
        asset = MediaAsset.objects.get(pk=first.pk)
        asset.pk, asset.item = None, item
        asset.save()
        for d in derivatives:
            d.pk, d.asset = None, asset
            d.save()
        recordings.append((item, MediaAsset.objects.get(pk=asset.pk)))
    pattern = EmbroideryPatternPage(
        title="蝴蝶妈妈袖片", identifier="MHA-BENCH-1", slug="bench-pattern", access_level="public"
    )
    pattern.people.add(ItemPerson(person=consenting(99), role="artisan"))
    CollectionPage.objects.get(slug="embroidery").add_child(instance=pattern)
    image = attach(pattern, picture)
    print(f"ingested 10 × {wav.name} and a picture in {time.perf_counter() - t0:.1f} s")

    teacher = get_user_model().objects.create_user("bench-teacher")
    lesson = Lesson.objects.create(owner=teacher, title="听老人讲古", subject="xiangtu", grade=5)
    for n, (item, audio) in enumerate(recordings):
        duration = Decimal(str(audio.original.probe["duration"])).quantize(Decimal("0.01"))
        if n < 5:
            LessonSource.objects.create(lesson=lesson, position=n, item=item)
        else:
            LessonSource.objects.create(
                lesson=lesson,
                position=n,
                item=item,
                kind="clip",
                asset=audio,
                start=Decimal(0),
                end=duration - Decimal("0.05"),
            )
    LessonSource.objects.create(
        lesson=lesson, position=10, item=pattern, kind="detail", asset=image,
        x=500, y=400, w=800, h=600,
    )  # fmt: skip
    shown = access.sources_for(lesson, None)
    est = estimate(shown)
    from django.conf import settings

    root = Path(settings.MEDIA_ROOT)
    # The peer's zip holds each recording's two files, as a teacher copying them would.
    peer_dir = project.tmp / "peer-files"
    for n, (_item, audio) in enumerate(recordings):
        for d in audio.derivatives.all():
            if d.name in ("opus", "aac"):
                target = peer_dir / str(n) / Path(d.file.name).name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes((root / d.file.name).read_bytes())
    speech_minutes = sum(float(a.original.probe["duration"]) for _, a in recordings) / 60

    ours, peer, size = [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(runs):
            out = Path(tmp) / f"pack-{r}.zip"
            t = time.perf_counter()
            build(lesson, shown, "http://bench.local/", out)
            ours.append(time.perf_counter() - t)
            size = out.stat().st_size
            with zipfile.ZipFile(out) as z:
                assert "index.html" in z.namelist()
            zout = Path(tmp) / f"peer-{r}.zip"
            t = time.perf_counter()
            subprocess.run(["zip", "-0", "-q", "-r", str(zout), "."], check=True, cwd=peer_dir)
            peer.append(time.perf_counter() - t)
            peer_size = zout.stat().st_size
    mo, _, _ = summary(ours)
    mp, _, _ = summary(peer)
    print_table(
        f"Offline pack of a 10-source lesson, {speech_minutes:.0f} min of speech ({runs} runs)",
        ["what", "runs", "median", "min", "max", "size"],
        [
            timing_row("ours: pack.build (cut, detail, copy, zip)", ours, [mib(size)]),
            timing_row("peer: zip -0 of the ten recordings' derivatives", peer, [mib(peer_size)]),
        ],
    )
    floor = est.derivative_bytes
    print(f"size shown before download: {est.bytes / 2**20:.1f} MiB; actual {size / 2**20:.1f} MiB")
    print(f"floor (sum of the chosen derivatives' sizes): {floor / 2**20:.1f} MiB")
    print(f"ratio pack / floor: {size / floor:.2f}; pack / peer zip: {size / peer_size:.2f}")
    print(f"build time ratio ours / peer: {mo / mp:.1f}x")
    print(machine_note())


if __name__ == "__main__":
    main()
