"""Load the founding collections and vocabularies from ``collections/`` (YAML), idempotently.

Run twice, nothing is duplicated: terms are matched by slug and updated in place.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from .models import VOCABULARIES, Place, Term

DATA_DIR = Path(settings.BASE_DIR) / "collections"
LABEL_KEYS = {"zh": "label_zh", "en": "label_en", "hmn": "label_hmn"}


class DataError(Exception):
    """A data file is malformed; the message names the file and the entry."""


def read_yaml(path: Path) -> list[dict]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, list):
        raise DataError(f"{path}: expected a list of entries")
    return data


@transaction.atomic
def load_vocabulary(name: str, entries: list[dict], source: str = "") -> tuple[int, int]:
    """Upsert the terms of one vocabulary; returns (created, updated)."""
    model: type[Term] = VOCABULARIES[name]
    created = updated = 0
    for n, entry in enumerate(entries, 1):
        where = f"{source or name} entry {n} ({entry.get('slug', '?')})"
        if not entry.get("slug"):
            raise DataError(f"{where}: no slug")
        if not str(entry.get("zh") or "").strip():
            raise DataError(f"{where}: every term needs a Chinese label (zh)")
        values = {field: entry.get(key) or "" for key, field in LABEL_KEYS.items()}
        values["note_zh"] = entry.get("note_zh") or ""
        values["note_en"] = entry.get("note_en") or ""
        if model is Place:
            values["kind"] = entry.get("kind") or Place.Kind.VILLAGE
            # Through str: a YAML float such as 26.583 is not exactly representable.
            values["latitude"] = _decimal(entry.get("lat"))
            values["longitude"] = _decimal(entry.get("lon"))
        broader_slug = entry.get("broader")
        if broader_slug:
            try:
                values["broader"] = model.objects.get(slug=broader_slug)
            except model.DoesNotExist as exc:
                raise DataError(
                    f"{where}: broader term {broader_slug!r} is not defined above"
                ) from exc
        else:
            values["broader"] = None
        term = model.objects.filter(slug=entry["slug"]).first() or model(slug=entry["slug"])
        is_new = term.pk is None
        for field, value in values.items():
            setattr(term, field, value)
        try:
            term.full_clean()
        except ValidationError as exc:
            raise DataError(f"{where}: {exc.message_dict}") from exc
        term.save()
        created += is_new
        updated += not is_new
    return created, updated


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise DataError(f"not a number: {value!r}") from exc


def load_all_vocabularies(data_dir: Path = DATA_DIR) -> dict[str, tuple[int, int]]:
    report = {}
    for name in VOCABULARIES:
        path = data_dir / "vocabularies" / f"{name}.yaml"
        if path.exists():
            report[name] = load_vocabulary(name, read_yaml(path), str(path))
    return report
