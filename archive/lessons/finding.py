"""Finding public lessons by words, subject, grade, collection, motif and village.

Lessons are documents in the search indexes items and products live in (``search.lessons``),
so the same engine answers: the database engine, Elasticsearch or OpenSearch, whichever
settings name, with the database answering when a distributed engine is down. A lesson's
collection, motif and village come from the items of its sources that everyone may see,
so a restricted item never makes a lesson findable by its village, nor counts in a facet.
"""

from __future__ import annotations

from django.db.models import Case, When

from archive.access import policy
from search.engines import SearchQuery
from search.labels import facet_labels, facet_title
from search.lessons import LESSON_TYPE, lesson_pk
from search.views import run

from .models import Lesson

FILTERS = ("subject", "grade", "collection", "motif", "village")
PER_PAGE = 50


def find(params, user) -> tuple[list[Lesson], dict]:
    """Public lessons matching ``params`` (a QueryDict), and each filter's values with the
    number of lessons that have them (among those found), labelled."""
    chosen = {name: params.get(name)[:80] for name in FILTERS if params.get(name)}
    q = (params.get("q") or "").replace("\x00", "").strip()[:100]
    query = SearchQuery(
        raw=q,
        filters={"type": [LESSON_TYPE], **{k: [v] for k, v in chosen.items()}},
        sort="relevance" if q else "newest",
        per_page=PER_PAGE,
        access=policy.audience(user),
        highlight=False,
    )
    result = run(query)
    ids = [pk for hit in result.hits if (pk := lesson_pk(hit.id)) is not None]
    # The index may lag a moment behind a lesson taken back: the database has the last word.
    order = Case(*[When(pk=pk, then=n) for n, pk in enumerate(ids)])
    lessons = list(
        Lesson.objects.public().filter(pk__in=ids).select_related("owner").order_by(order)
        if ids
        else []
    )
    facets = []
    for name in FILTERS:
        buckets = result.facets.get(name, [])
        labels = facet_labels(name, [value for value, _n in buckets])
        facets.append(
            {
                "name": name,
                "title": facet_title(name),
                "chosen": chosen.get(name, ""),
                "values": [
                    {"value": value, "label": labels[value], "count": n} for value, n in buckets
                ],
            }
        )
    if q:
        chosen["q"] = q
    return lessons, {
        "chosen": chosen,
        "facets": facets,
        "total": result.total,
        "degraded": result.degraded,
    }
