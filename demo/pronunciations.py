"""Demo pronunciations from ``collections/demo/pronunciations.yaml``: each term's Miao label
spoken by espeak-ng (``demo.mediamaker.audio.speech``) and stored through the pipeline as a
speaker's recording. Idempotent: a term that has a pronunciation by that speaker is left."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings
from django.core.files import File

from archive.people.models import Person
from archive.pronunciations.models import TERM_FIELDS, Pronunciation
from archive.vocabularies import models as vocab
from archive.vocabularies.loader import DATA_DIR, DataError

from .mediamaker import audio

MODELS = {field: getattr(vocab, name) for name, field in TERM_FIELDS.items()}


def load_pronunciations(with_media: bool = True, progress=print) -> int:
    if not with_media:
        return 0
    entries = yaml.safe_load((DATA_DIR / "demo" / "pronunciations.yaml").read_text("utf-8"))
    cache = Path(settings.VAR_DIR) / "demo-media" / "pronunciations"
    cache.mkdir(parents=True, exist_ok=True)
    made = 0
    for entry in entries or []:
        field = next((f for f in MODELS if f in entry), None)
        term = MODELS[field].objects.filter(slug=entry[field]).first() if field else None
        speaker = Person.objects.filter(slug=entry["speaker"]).first()
        if term is None or speaker is None:
            raise DataError(f"pronunciations.yaml: unknown term or speaker in {entry}")
        if Pronunciation.objects.filter(**{field: term}, speaker=speaker).exists():
            continue
        path = cache / f"{field}-{term.slug}.m4a"
        if not path.exists():
            audio.speech(path, text=term.label_hmn or term.label_zh, voice="vi", seconds_pad=0.3)
        pron = Pronunciation(**{field: term}, speaker=speaker)
        with open(path, "rb") as fh:
            pron.upload = File(fh, name=path.name)
            pron.full_clean()
            pron.save()
        progress(f"pronunciation: {term.slug} ({speaker.slug})")
        made += 1
    return made
