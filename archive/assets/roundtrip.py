"""A collection's metadata out to a spreadsheet and back: export, edit, preview, apply.

The columns are those ``ingest`` reads from ``metadata.csv`` (``metadata_csv.COLUMNS``, less
the file-only ones), under Chinese headers a curator can read; English headers are accepted
back too. Rows are matched to items by ``identifier``. Reading back is always a dry run
first: each row's changes (old → new) and errors, before anything is written; applying
writes only a file without errors, every item as a new revision by the curator.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archive.items.models import ItemPage

from . import metadata_csv

#: (column, Chinese header) in the order of the sheet.
COLUMNS = [
    ("identifier", gettext_lazy("identifier")),
    ("title_zh", gettext_lazy("title (Chinese)")),
    ("title_en", gettext_lazy("title (English)")),
    ("title_hmn", gettext_lazy("title (Miao)")),
    ("description_zh", gettext_lazy("description (Chinese)")),
    ("description_en", gettext_lazy("description (English)")),
    ("access_level", gettext_lazy("access level")),
    ("licence", gettext_lazy("licence")),
    ("place", gettext_lazy("village or place")),
    ("year_from", gettext_lazy("from year")),
    ("year_to", gettext_lazy("to year")),
    ("tags", gettext_lazy("free tags")),
]
FIELDS = [name for name, _label in COLUMNS]
MAX_ROWS = 20_000


def _value(item: ItemPage, name: str) -> str:
    if name == "place":
        return item.place.slug if item.place_id else ""
    if name == "tags":
        return ", ".join(sorted(t.name for t in item.tags.all()))
    value = getattr(item, name)
    return "" if value is None else str(value)


def rows_of(collection) -> list[list[str]]:
    items = (
        ItemPage.objects.child_of(collection)
        .select_related("place")
        .prefetch_related("tags")
        .order_by("identifier")
    )
    header = [str(label) for _name, label in COLUMNS]
    return [header] + [[_value(item, name) for name in FIELDS] for item in items]


def to_csv(collection) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows_of(collection))
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def to_xlsx(collection) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = collection.slug[:31]
    for row in rows_of(collection):
        sheet.append(row)
    sheet.freeze_panes = "B2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class SheetError(Exception):
    """The file cannot be read at all (not CSV/XLSX, unknown header)."""


def _read_table(name: str, data: bytes) -> list[list[str]]:
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception as exc:  # openpyxl raises many kinds for a bad file
            raise SheetError(_("Not a readable XLSX file.")) from exc
        return [
            ["" if v is None else str(v).strip() for v in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SheetError(_("Not UTF-8 text: save the CSV as UTF-8.")) from exc
    return [[c.strip() for c in row] for row in csv.reader(text.splitlines())]


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass
class PreviewRow:
    line: int
    identifier: str
    item: ItemPage | None = None
    changes: list[Change] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cleaned: dict = field(default_factory=dict)


@dataclass
class Preview:
    rows: list[PreviewRow]

    @property
    def errors(self) -> int:
        return sum(1 for r in self.rows if r.errors)

    @property
    def changed(self) -> list[PreviewRow]:
        return [r for r in self.rows if r.changes and not r.errors]


def preview(collection, name: str, data: bytes) -> Preview:
    """What applying the sheet would change, row by row, and what is wrong; writes nothing."""
    table = [row for row in _read_table(name, data) if any(row)]
    if not table:
        raise SheetError(_("The file is empty."))
    by_header = {str(label): key for key, label in COLUMNS} | {key: key for key in FIELDS}
    header = [by_header.get(h) for h in table[0]]
    unknown = [h for h, key in zip(table[0], header, strict=True) if key is None and h]
    if unknown or "identifier" not in header:
        raise SheetError(
            _("Line 1: unknown columns %(columns)s; the sheet needs the columns of the export.")
            % {"columns": "、".join(unknown) or "—"}
        )
    if len(table) > MAX_ROWS:
        raise SheetError(_("More than %(n)s rows.") % {"n": MAX_ROWS})
    items = {
        i.identifier: i
        for i in ItemPage.objects.child_of(collection)
        .select_related("place")
        .prefetch_related("tags")
    }
    labels = {key: str(label) for key, label in COLUMNS}
    rows, seen = [], {}
    for line, cells in enumerate(table[1:], start=2):
        values = {key: (cells[i] if i < len(cells) else "") for i, key in enumerate(header) if key}
        row = PreviewRow(line=line, identifier=values.get("identifier", ""))
        rows.append(row)
        item = items.get(row.identifier)
        if item is None:
            row.errors.append(
                _("No item %(id)s in this collection.") % {"id": row.identifier or "—"}
            )
            continue
        if row.identifier in seen:
            row.errors.append(
                _("Listed twice (also line %(line)s).") % {"line": seen[row.identifier]}
            )
        seen[row.identifier] = line
        row.item = item
        checked = metadata_csv.Row(line=line, values=values)
        metadata_csv._validate(checked)
        row.errors.extend(checked.errors)
        row.cleaned = checked.cleaned
        for key in FIELDS[1:]:
            if key not in values:
                continue  # a column left out of the sheet is left alone
            old, new = _value(item, key), values[key]
            if key == "tags":
                new = ", ".join(sorted(checked.cleaned.get("tags", [])))
            if old != new:
                row.changes.append(Change(key, labels[key], old, new))
        if "title_zh" in values and not values["title_zh"]:
            row.errors.append(_("The Chinese title cannot be empty."))
    return Preview(rows=rows)


def apply(result: Preview, user) -> int:
    """Write every changed row as a new revision (published again if the item was live and
    had no draft waiting); all or nothing."""
    if result.errors:
        raise SheetError(_("Correct the rows with errors first; nothing was written."))
    with transaction.atomic():
        for row in result.changed:
            page = row.item.get_latest_revision_as_object()
            for change in row.changes:
                if change.field == "tags":
                    page.tags.set(row.cleaned.get("tags", []))
                elif change.field == "title_zh":
                    page.title = change.new
                elif change.field == "place":
                    page.place = row.cleaned.get("place")
                elif change.field in ("year_from", "year_to"):
                    setattr(page, change.field, row.cleaned.get(change.field))
                else:
                    setattr(page, change.field, change.new)
            try:
                page.full_clean()
                revision = page.save_revision(user=user, log_action=True)
                if row.item.live and not row.item.has_unpublished_changes:
                    revision.publish(user=user)
            except ValidationError as exc:
                raise SheetError(
                    _("Line %(line)s (%(id)s): %(errors)s; nothing was written.")
                    % {"line": row.line, "id": row.identifier, "errors": "; ".join(exc.messages)}
                ) from exc
    return len(result.changed)
