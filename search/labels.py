"""Facet keys → labels in the visitor's language (Miao beside vocabulary terms)."""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy

from archive.access.models import Licence
from archive.core.i18n import localized
from archive.items import registry
from archive.items.models import CollectionPage
from archive.items.periods import period_label
from archive.lessons.models import Grade, Subject
from archive.marketplace.models import Availability, Cooperative

from .documents import TERM_FACETS

TITLES = {
    "collection": gettext_lazy("Collection"),
    "type": gettext_lazy("Kind of item"),
    "motif": gettext_lazy("Motif"),
    "technique": gettext_lazy("Technique"),
    "colour": gettext_lazy("Colour"),
    "dialect": gettext_lazy("Dialect"),
    "genre": gettext_lazy("Genre"),
    "village": gettext_lazy("Village"),
    "period": gettext_lazy("Period"),
    "licence": gettext_lazy("Licence"),
    "cooperative": gettext_lazy("Cooperative"),
    "availability": gettext_lazy("Availability"),
    "price": gettext_lazy("Price (yuan)"),
    "subject": gettext_lazy("Subject"),
    "grade": gettext_lazy("Grade"),
}
PRODUCT_LABEL = gettext_lazy("Made today (from an artisan)")
LESSON_LABEL = gettext_lazy("Lesson (from a teacher)")
PRICE_LABELS = {
    "0-300": gettext_lazy("under ¥300"),
    "300-1000": gettext_lazy("¥300 to ¥1,000"),
    "1000-3000": gettext_lazy("¥1,000 to ¥3,000"),
    "3000-": gettext_lazy("¥3,000 and more"),
    "on-request": gettext_lazy("price on request"),
}


#: The colour facet's named colours (``media_pipeline.colours.COLOURS``).
COLOUR_LABELS = {
    "red": gettext_lazy("red"),
    "orange": gettext_lazy("orange"),
    "yellow": gettext_lazy("yellow"),
    "green": gettext_lazy("green"),
    "blue": gettext_lazy("blue"),
    "indigo": gettext_lazy("indigo"),
    "purple": gettext_lazy("purple"),
    "pink": gettext_lazy("pink"),
    "brown": gettext_lazy("brown"),
    "black": gettext_lazy("black"),
    "white": gettext_lazy("white"),
    "grey": gettext_lazy("grey"),
}


def facet_title(name: str) -> str:
    return str(TITLES.get(name, name))


def type_label(value: str) -> str:
    if value == "product":
        return str(PRODUCT_LABEL)
    if value == "lesson":
        return str(LESSON_LABEL)
    return registry.type_label(value)


def _term_label(model_name: str, slug: str) -> str:
    model = apps.get_model("vocabularies", model_name)
    term = model.objects.filter(slug=slug).first()
    if term is None:
        return slug
    label = localized(term, "label") or term.label_zh
    if term.label_hmn and term.label_hmn != label:
        return f"{label} · {term.label_hmn}"
    return label


def _collection_label(slug: str) -> str:
    page = CollectionPage.objects.filter(slug=slug).first()
    return page.display_title if page else slug


def facet_labels(name: str, values: list[str]) -> dict[str, str]:
    """Labels for many values of one facet, with one query for a vocabulary facet."""
    if name in TERM_FACETS and values:
        model = apps.get_model("vocabularies", TERM_FACETS[name])
        out = {}
        for term in model.objects.filter(slug__in=values):
            label = localized(term, "label") or term.label_zh
            if term.label_hmn and term.label_hmn != label:
                label = f"{label} · {term.label_hmn}"
            out[term.slug] = label
        return {v: out.get(v, v) for v in values}
    if name == "cooperative" and values:
        names = {
            c.slug: localized(c, "name")
            for c in Cooperative.objects.filter(slug__in=values).select_related("person")
        }
        return {v: names.get(v, v) for v in values}
    if name == "collection" and values:
        pages = {p.slug: p.display_title for p in CollectionPage.objects.filter(slug__in=values)}
        return {v: pages.get(v, v) for v in values}
    return {v: facet_label(name, v) for v in values}


def facet_label(name: str, value: str) -> str:
    if name in TERM_FACETS:
        return _term_label(TERM_FACETS[name], value)
    if name == "type":
        return type_label(value)
    if name == "collection":
        return _collection_label(value)
    if name == "period":
        return period_label(value)
    if name == "colour":
        return str(COLOUR_LABELS.get(value, value))
    if name == "licence":
        return str(Licence(value).label) if value in Licence.values else value
    if name == "availability":
        return str(Availability(value).label) if value in Availability.values else value
    if name == "price":
        return str(PRICE_LABELS.get(value, value))
    if name == "subject":
        return str(Subject(value).label) if value in Subject.values else value
    if name == "grade":
        return (
            str(Grade(int(value)).label)
            if value.isdigit() and int(value) in Grade.values
            else value
        )
    return value
