"""Interface strings as IIIF language maps."""

from __future__ import annotations

from django.utils import translation

#: The interface languages a label is given in: BCP 47 tag → Django language code.
INTERFACE_LANGUAGES = (("zh-Hans", "zh-hans"), ("en", "en"))


def label_map(text) -> dict[str, list[str]]:
    """A translatable interface string as a language map in the interface languages."""
    out: dict[str, list[str]] = {}
    for code, lang in INTERFACE_LANGUAGES:
        with translation.override(lang):
            out[code] = [str(text)]
    return out
