"""An item's vocabulary terms of several kinds (motifs, techniques, materials…) in one query.

The item page reads each of them in several places (the sentence, the fields, the JSON-LD,
the marketplace block); a prefetch would ask once per kind. Here the kinds' rows go as one
``UNION ALL`` — every vocabulary has the same columns (``vocabularies.models.Term``) — and
each relation's manager then answers ``.all()`` from memory, as after ``prefetch_related``.

A term that may be pronounced (one with ``pronunciations``: motifs, techniques) comes with
``heard_pronunciation_id``, the first pronunciation of it the access policy lets anyone hear
(``policy.audible_pronunciations``), so the page's play buttons ask nothing more.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, IntegerField, OuterRef, Subquery, Value

from archive.access import policy

#: The columns every vocabulary term has, in the order they are selected.
COLUMNS = ("id", "slug", "label_zh", "label_en", "label_hmn", "broader_id", "note_zh", "note_en")


def load_terms(item, relations: tuple[str, ...]) -> None:
    """Fill ``item``'s prefetch cache for each many-to-many vocabulary in ``relations``."""
    if not relations or item.pk is None:
        return
    querysets = [getattr(item, name).all() for name in relations]
    parts = [
        qs.order_by().values(
            rel=Value(i),
            heard=_heard(qs.model),
            **{f"c{k}": F(c) for k, c in enumerate(COLUMNS)},
        )
        for i, qs in enumerate(querysets)
    ]
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    found: list[list] = [[] for _ in relations]
    for row in rows:
        i = row["rel"]
        model = querysets[i].model
        values = [row[f"c{k}"] for k in range(len(COLUMNS))]
        term = model.from_db(querysets[i].db, COLUMNS, values)
        term.heard_pronunciation_id = row["heard"]
        found[i].append(term)
    cache = item.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, qs, terms in zip(relations, querysets, found, strict=True):
        terms.sort(key=lambda t: t.slug)  # the vocabularies' own ordering
        # As Django's prefetch_related leaves it: the queryset, already evaluated.
        qs._result_cache = terms
        qs._prefetch_done = True
        cache[name] = qs


def _heard(model):
    """The first audible pronunciation of each ``model`` term, or NULL (a subquery)."""
    try:
        relation = model._meta.get_field("pronunciations")
    except FieldDoesNotExist:
        return Value(None, output_field=IntegerField())
    prons = relation.related_model.objects.filter(**{relation.field.name: OuterRef("pk")})
    return Subquery(
        policy.audible_pronunciations(prons).order_by("pk").values("pk")[:1],
        output_field=IntegerField(),
    )
