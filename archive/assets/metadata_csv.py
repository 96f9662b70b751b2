"""``metadata.csv`` beside ingested files: one row per file, checked row by row.

Columns (only ``filename`` is required): filename, identifier, title_zh, title_en, title_hmn,
description_zh, description_en, access_level, licence, place (a place slug), year_from,
year_to, tags (comma-separated), caption_zh, caption_en. A bad header stops the whole
ingest before anything is stored; a bad row fails only its own file, with the line and
column named.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from archive.access.models import AccessLevel, Licence
from archive.vocabularies.models import Place

FILENAME = "metadata.csv"
COLUMNS = {
    "filename",
    "identifier",
    "title_zh",
    "title_en",
    "title_hmn",
    "description_zh",
    "description_en",
    "access_level",
    "licence",
    "place",
    "year_from",
    "year_to",
    "tags",
    "caption_zh",
    "caption_en",
}
MAX_ROWS = 100_000


class MetadataError(Exception):
    """The CSV cannot be used at all (unreadable, bad header)."""


@dataclass
class Row:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    cleaned: dict = field(default_factory=dict)


def read(path: Path) -> dict[str, Row]:
    """Rows keyed by file name, each already validated (``row.errors`` says what is wrong)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MetadataError(f"{path.name}: not UTF-8 text ({exc.reason})") from exc
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in (reader.fieldnames or [])]
    if "filename" not in header:
        raise MetadataError(f"{path.name}: line 1: the header must have a 'filename' column")
    unknown = sorted(set(header) - COLUMNS)
    if unknown:
        raise MetadataError(
            f"{path.name}: line 1: unknown columns {', '.join(unknown)}; "
            f"allowed: {', '.join(sorted(COLUMNS))}"
        )
    rows: dict[str, Row] = {}
    for n, raw in enumerate(reader, start=2):
        if n > MAX_ROWS:
            raise MetadataError(f"{path.name}: more than {MAX_ROWS} rows")
        values = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k}
        row = Row(line=n, values=values)
        name = values.get("filename", "")
        if not name:
            continue  # blank line
        if name in rows:
            row.errors.append(f"filename {name!r} is listed twice (also line {rows[name].line})")
        _validate(row)
        rows[name] = row
    return rows


def _validate(row: Row) -> None:
    v, c, err = row.values, row.cleaned, row.errors
    for key in (
        "identifier",
        "title_zh",
        "title_en",
        "title_hmn",
        "description_zh",
        "description_en",
        "caption_zh",
        "caption_en",
    ):
        if v.get(key):
            c[key] = v[key]
    if v.get("access_level"):
        if v["access_level"] in AccessLevel.values:
            c["access_level"] = v["access_level"]
        else:
            err.append(
                _("access_level %(value)r is not one of %(allowed)s")
                % {"value": v["access_level"], "allowed": ", ".join(AccessLevel.values)}
            )
    if v.get("licence"):
        if v["licence"] in Licence.values:
            c["licence"] = v["licence"]
        else:
            err.append(
                _("licence %(value)r is not one of %(allowed)s")
                % {"value": v["licence"], "allowed": ", ".join(Licence.values)}
            )
    if v.get("place"):
        place = Place.objects.filter(slug=v["place"]).first()
        if place is None:
            err.append(_("place %(value)r is not in the places vocabulary") % {"value": v["place"]})
        c["place"] = place
    for key in ("year_from", "year_to"):
        if v.get(key):
            try:
                c[key] = int(v[key])
            except ValueError:
                err.append(
                    _("%(column)s %(value)r is not a year") % {"column": key, "value": v[key]}
                )
    if c.get("year_from") and c.get("year_to") and c["year_to"] < c["year_from"]:
        err.append(_("year_to is before year_from"))
    if v.get("tags"):
        c["tags"] = [t.strip() for t in v["tags"].split(",") if t.strip()][:50]


def describe(row: Row) -> str:
    return f"{FILENAME} line {row.line}: " + "; ".join(row.errors)
