"""The one ``period`` vocabulary: collection-page filters and search facets use it alike.

A period is a decade from 1900 on (``1980s``) and a century before (``c19``: 1801–1899),
so keys never overlap and need no list to maintain. An item belongs to every period its
years (``year_from``..``year_to``, or just ``year_from``) touch: a piece dated 1975–1984 is
in both ``1970s`` and ``1980s``. ``?period=1980s`` means the same on a collection page and
in search.
"""

from __future__ import annotations

import re

from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

#: Before this year periods are centuries, from it on decades.
DECADES_FROM = 1900
#: An item spanning more periods than this is indexed under the first ones only.
MAX_PERIODS_PER_ITEM = 40

_DECADE = re.compile(r"^(\d{3,4})0s$")
_CENTURY = re.compile(r"^c(\d{1,2})$")


def period_key(year: int | None) -> str | None:
    """The period a year falls in: ``1950s``, or ``c19`` for the 19th century."""
    if not year or year < 1:
        return None
    if year >= DECADES_FROM:
        return f"{year // 10 * 10}s"
    return f"c{(year - 1) // 100 + 1}"


def bounds(key: str) -> tuple[int, int] | None:
    """First and last year of a period, or None if ``key`` is not a period."""
    if m := _DECADE.match(key or ""):
        start = int(m.group(1)) * 10
        return (start, start + 9) if start >= DECADES_FROM else None
    if m := _CENTURY.match(key or ""):
        n = int(m.group(1))
        start = (n - 1) * 100 + 1
        if n < 1 or start >= DECADES_FROM:
            return None
        return start, min(n * 100, DECADES_FROM - 1)
    return None


def period_keys(year_from: int | None, year_to: int | None = None) -> list[str]:
    """Every period the span touches, oldest first."""
    first = period_key(year_from)
    if first is None:
        return []
    last_year = year_to if year_to and year_to >= year_from else year_from
    keys = [first]
    while len(keys) < MAX_PERIODS_PER_ITEM:
        end = bounds(keys[-1])[1]
        if end >= last_year:
            break
        keys.append(period_key(end + 1))
    return keys


def period_q(key: str, prefix: str = "") -> Q | None:
    """Items whose years touch the period (None if ``key`` is not one)."""
    span = bounds(key)
    if span is None:
        return None
    start, end = span
    year_from, year_to = f"{prefix}year_from", f"{prefix}year_to"
    return Q(**{f"{year_from}__lte": end}) & (
        Q(**{f"{year_to}__gte": start})
        | Q(**{f"{year_to}__isnull": True, f"{year_from}__gte": start})
    )


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def period_label(key: str) -> str:
    """A period as a visitor reads it in the active language: ``1980s`` → "1980s" or
    "1980年代"; ``c19`` → "19th century" or "19世纪". The one place that says it, for the
    collection filters, the search facets and anything else that shows a period."""
    if m := _CENTURY.match(key or ""):
        n = int(m.group(1))
        # English ordinals ("19th") are English grammar; other languages get the number.
        english = (get_language() or "").startswith("en")
        # Translators: a century; %(ordinal)s is "19th" in English, "19" otherwise.
        return _("%(ordinal)s century") % {"ordinal": ordinal(n) if english else n}
    if (span := bounds(key or "")) and _DECADE.match(key):
        # Translators: a decade, "1980s"; %(year)s is its first year.
        return _("%(year)ss") % {"year": span[0]}
    return key


def period_choices(spans) -> list[tuple[str, str]]:
    """``(key, label)`` for every period some ``(year_from, year_to)`` span touches."""
    keys = {k for year_from, year_to in spans for k in period_keys(year_from, year_to)}
    return [(k, period_label(k)) for k in sorted(keys, key=lambda k: bounds(k)[0])]
