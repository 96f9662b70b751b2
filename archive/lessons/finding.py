"""Finding public lessons by subject, grade, collection, motif and village.

Lessons are few (hundreds, not millions), so the database answers: a lesson matches a
collection, motif or village through the items of its sources, counting only items the
reader may see (a restricted item never makes a lesson findable by its village).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from wagtail.models import Page

from archive.access import policy
from archive.items.models import CollectionPage, EmbroideryPatternPage, ItemPage
from archive.vocabularies.models import Motif, Place

from .models import Grade, Lesson, Subject

FILTERS = ("subject", "grade", "collection", "motif", "village")


def find(params, user) -> tuple[QuerySet, dict]:
    """Public lessons matching ``params`` (a QueryDict) and the chosen filters, labelled."""
    lessons = Lesson.objects.public().select_related("owner")
    chosen: dict[str, str] = {}
    q = (params.get("q") or "").strip()[:100]
    if q:
        lessons = lessons.filter(Q(title__icontains=q) | Q(objectives__icontains=q))
        chosen["q"] = q
    subject = params.get("subject")
    if subject in Subject.values:
        lessons = lessons.filter(subject=subject)
        chosen["subject"] = subject
    grade = params.get("grade", "")
    if grade.isdigit() and int(grade) in Grade.values:
        lessons = lessons.filter(grade=int(grade))
        chosen["grade"] = grade
    criteria = []
    collection = params.get("collection")
    if collection:
        parent = Page.objects.filter(slug=collection, depth=3).first()
        criteria.append(
            ItemPage.objects.child_of(parent).values("pk")
            if parent is not None
            else ItemPage.objects.none().values("pk")
        )
        chosen["collection"] = collection
    motif = params.get("motif")
    if motif:
        through = EmbroideryPatternPage.motifs.through
        criteria.append(
            through.objects.filter(motif__slug=motif).values("embroiderypatternpage_id")
        )
        chosen["motif"] = motif
    village = params.get("village")
    if village:
        criteria.append(ItemPage.objects.filter(place__slug=village).values("pk"))
        chosen["village"] = village
    for ids in criteria:
        # Each criterion is met by a source whose item the reader may see.
        seen = policy.visible_items(ItemPage.objects.filter(pk__in=ids), user).values("pk")
        lessons = lessons.filter(pk__in=Lesson.objects.filter(sources__item__in=seen).values("pk"))
    return lessons, {
        "chosen": chosen,
        "subjects": Subject.choices,
        "grades": Grade.choices,
        "collections": CollectionPage.objects.live().filter(depth=3).order_by("path"),
        "motifs": Motif.objects.order_by("slug"),
        "villages": Place.objects.filter(kind="village").order_by("slug"),
    }
