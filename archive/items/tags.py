"""Free tags in the visitor's language.

Curators type tags as short English slugs (``creation-myth``); the public site shows them
from ``collections/vocabularies/tags.yaml`` in the active language (创世神话), and a tag
nobody has labelled yet as typed, hyphens as spaces. The search index carries every label,
so 婚礼 finds what is tagged ``wedding``.
"""

from __future__ import annotations

from functools import lru_cache

import yaml
from django.utils.translation import get_language

from archive.vocabularies.loader import DATA_DIR

TAGS_FILE = DATA_DIR / "vocabularies" / "tags.yaml"


@lru_cache(maxsize=1)
def _labels() -> dict[str, dict[str, str]]:
    if not TAGS_FILE.exists():
        return {}
    data = yaml.safe_load(TAGS_FILE.read_text(encoding="utf-8")) or {}
    return {str(k): dict(v) for k, v in data.items()}


def tag_label(name: str, lang: str | None = None) -> str:
    lang = (lang or get_language() or "zh").split("-")[0]
    labels = _labels().get(name) or {}
    return labels.get(lang) or name.replace("-", " ")


def tag_labels(name: str) -> list[str]:
    """Every label a tag has (what search indexes)."""
    return list(dict.fromkeys([name, *(_labels().get(name) or {}).values()]))
