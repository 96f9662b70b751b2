"""The content languages, and picking the right language of a field stored once per language.

``settings.CONTENT_LANGUAGES`` is the one list of them (``zh``, ``en``, ``hmn``): models name
their per-language fields ``<field>_<code>``, and every loop over languages reads it here.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation

#: The content language of the Miao (Hmub) vernacular itself: transcripts are in it, and a
#: recording's Dublin Core ``language`` names it.
VERNACULAR = "hmn"
#: A content-language code as a BCP 47 tag, where the two differ (IIIF, JSON-LD, WebVTT).
_BCP47 = {"zh": "zh-Hans"}
#: Interface language → the content-language suffix shown first.
_CONTENT_LANG = {"zh-hans": "zh", "zh": "zh", "en": "en"}


def content_languages() -> tuple[str, ...]:
    """The content-language codes, in the order the interface shows them."""
    return tuple(code for code, _name in settings.CONTENT_LANGUAGES)


def bcp47(code: str) -> str:
    return _BCP47.get(code, code)


def content_language(lang: str | None = None) -> str:
    lang = (lang or translation.get_language() or "zh-hans").lower()
    return _CONTENT_LANG.get(lang, _CONTENT_LANG.get(lang.split("-")[0], "zh"))


def fallback_order(lang: str | None = None) -> tuple[str, ...]:
    """The visitor's content language first, then the others in their usual order."""
    first = content_language(lang)
    return (first, *(c for c in content_languages() if c != first))


def localized(obj: Any, field: str, lang: str | None = None) -> str:
    """``obj.<field>_<lang>``, falling back through the other content languages in order."""
    for suffix in fallback_order(lang):
        value = getattr(obj, f"{field}_{suffix}", "") or ""
        if value:
            return value
    return ""


def language_map(obj: Any, field: str) -> dict[str, list[str]]:
    """A IIIF/JSON-LD style language map of every language the field has a value in."""
    out: dict[str, list[str]] = {}
    for suffix in content_languages():
        value = getattr(obj, f"{field}_{suffix}", "") or ""
        if value:
            out[bcp47(suffix)] = [value]
    return out
