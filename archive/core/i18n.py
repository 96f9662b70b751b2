"""Picking the right language of a field that is stored once per content language."""

from __future__ import annotations

from typing import Any

from django.utils import translation

#: Interface language → the content-language suffix shown first.
_CONTENT_LANG = {"zh-hans": "zh", "zh": "zh", "en": "en"}


def content_language(lang: str | None = None) -> str:
    lang = (lang or translation.get_language() or "zh-hans").lower()
    return _CONTENT_LANG.get(lang, _CONTENT_LANG.get(lang.split("-")[0], "zh"))


def localized(obj: Any, field: str, lang: str | None = None) -> str:
    """``obj.<field>_<lang>``, falling back to Chinese, then English, then Miao."""
    first = content_language(lang)
    for suffix in (first, "zh", "en", "hmn"):
        value = getattr(obj, f"{field}_{suffix}", "") or ""
        if value:
            return value
    return ""


def language_map(obj: Any, field: str) -> dict[str, list[str]]:
    """A IIIF/JSON-LD style language map of every language the field has a value in."""
    out: dict[str, list[str]] = {}
    for suffix in ("zh", "en", "hmn"):
        value = getattr(obj, f"{field}_{suffix}", "") or ""
        if value:
            out[{"zh": "zh-Hans", "en": "en", "hmn": "hmn"}[suffix]] = [value]
    return out
