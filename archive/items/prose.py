"""An item's metadata as one readable sentence, in the active language.

"A sleeve panel from Paimo, Danzhai, embroidered in split-thread by Wang Meiying in the
1980s." Every phrase is a gettext message with named placeholders, and the sentence that
orders them is a message too, so a translator can put the phrases in the order their
language wants (Chinese puts the date and place first and the thing last).
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from archive.core.i18n import localized

from . import registry


def _join(words: list[str]) -> str:
    words = [w for w in words if w]
    if len(words) <= 1:
        return "".join(words)
    # Translators: separator between items of a list ("silk, cotton and silver")
    sep = _(", ")
    # Translators: before the last item of a list
    last = _(" and ")
    return sep.join(words[:-1]) + last + words[-1]


def _a(label: str) -> str:
    """ "A sleeve panel" / "An apron"; languages without articles translate both as the noun."""
    if label[:1].lower() in "aeiou":
        return _("An %(thing)s") % {"thing": label}
    return _("A %(thing)s") % {"thing": label}


def _place(item) -> str:
    place = item.place
    if place is None:
        return ""
    name = localized(place, "label")
    for broader in (place.township, place.county):
        if broader is not None and broader.pk != place.pk:
            # Translators: a village and its township; Chinese names the larger place first.
            name = _("%(village)s, %(township)s") % {
                "village": name,
                "township": localized(broader, "label"),
            }
            break
    return _(" from %(place)s") % {"place": name}


def _people(credits, roles: set[str], phrase: str) -> str:
    names = [localized(c.person, "name") for c in credits if c.role in roles]
    return phrase % {"people": _join(names)} if names else ""


def _date(item) -> str:
    text = localized(item, "date_text")
    if not text and item.year_from:
        text = str(item.year_from)
        if item.year_to and item.year_to != item.year_from:
            text = f"{item.year_from}–{item.year_to}"
    return _(" in %(date)s") % {"date": text} if text else ""


def _label(term) -> str:
    return localized(term, "label") if term is not None else ""


def describe(item, credits) -> str:
    """The sentence for ``item`` (a specific ItemPage) given its ``credits`` (ItemPerson)."""
    kind = registry.by_model(item)
    english = (get_language() or "").startswith("en")
    if kind is registry.EMBROIDERY:
        thing = _label(item.garment) or str(item.kind_label)
        techniques = [_label(t) for t in item.techniques.all()]
        if english:
            # "embroidered in split-thread", not "in Split-thread embroidery"
            techniques = [t.removesuffix(" embroidery").lower() for t in techniques]
        parts = {
            "thing": _a(thing.lower() if english else thing),
            "from_place": _place(item),
            "technique": _(", embroidered in %(techniques)s") % {"techniques": _join(techniques)}
            if techniques
            else "",
            "by_people": _people(credits, {"artisan"}, _(" by %(people)s")),
            "in_date": _date(item),
        }
        # Translators: reorder freely; each part is empty when unknown.
        sentence = _("%(thing)s%(from_place)s%(technique)s%(by_people)s%(in_date)s.")
    elif kind is registry.DIALECTS:
        parts = {
            "thing": _a(str(item.kind_label)),
            "dialect": _(" in %(dialect)s") % {"dialect": _label(item.dialect)}
            if item.dialect
            else "",
            "from_place": _place(item),
            "by_people": _people(credits, {"speaker"}, _(", spoken by %(people)s")),
            "topic": _(", about %(topic)s") % {"topic": localized(item, "topic")}
            if localized(item, "topic")
            else "",
            "in_date": _date(item),
        }
        sentence = _("%(thing)s%(dialect)s%(from_place)s%(by_people)s%(topic)s%(in_date)s.")
    elif kind is registry.FOLK_MUSIC:
        thing = _label(item.genre) or str(item.kind_label)
        festival = _label(item.festival)
        # "At the Miao New Year … in Miao New Year" says the same thing twice: when the
        # date already names the festival, the festival phrase is left out.
        if festival and festival.lower() in (localized(item, "date_text") or "").lower():
            festival = ""
        instruments = [_label(t) for t in item.instruments.all()]
        parts = {
            "thing": _a(thing if not english else thing.lower()),
            "from_place": _place(item),
            "by_people": _people(credits, {"performer"}, _(", performed by %(people)s")),
            "instruments": _(" with %(instruments)s") % {"instruments": _join(instruments)}
            if instruments
            else "",
            "festival": _(" at %(festival)s") % {"festival": festival} if festival else "",
            "in_date": _date(item),
        }
        sentence = _("%(thing)s%(from_place)s%(by_people)s%(instruments)s%(festival)s%(in_date)s.")
    else:
        parts = {
            "thing": _a(str(item.kind_label)),
            "from_place": _place(item),
            "in_date": _date(item),
        }
        sentence = _("%(thing)s%(from_place)s%(in_date)s.")
    text = sentence % parts
    return text[:1].upper() + text[1:]
