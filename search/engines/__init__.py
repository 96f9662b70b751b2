"""The configured search engine, and the database engine it falls back to.

Chosen in settings only: ``MHA_SEARCH_ENGINE`` (``database``, ``elasticsearch`` or
``opensearch``) with ``MHA_SEARCH_URL``, and ``MHA_SEARCH_INDEX_PREFIX`` for the index names.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from .base import (
    PUBLIC,
    Access,
    Engine,
    EngineUnavailable,
    Hit,
    SearchQuery,
    SearchResult,
)
from .database import DatabaseEngine
from .elastic import ElasticEngine

__all__ = [
    "PUBLIC",
    "Access",
    "Engine",
    "EngineUnavailable",
    "Hit",
    "SearchQuery",
    "SearchResult",
    "database_engine",
    "get_engine",
    "make_engine",
]


def make_engine(name: str, url: str = "", prefix: str = "mha") -> Engine:
    if name in ("elasticsearch", "opensearch"):
        return ElasticEngine(url, flavour=name, prefix=prefix)
    return DatabaseEngine()


@lru_cache(maxsize=8)
def _cached(name: str, url: str, prefix: str) -> Engine:
    return make_engine(name, url, prefix)


def get_engine() -> Engine:
    """The engine settings name (the database engine unless a URL and engine are set)."""
    name = getattr(settings, "MHA_SEARCH_ENGINE", "database") or "database"
    url = getattr(settings, "MHA_SEARCH_URL", "")
    if name != "database" and not url:
        name = "database"
    return _cached(name, url, getattr(settings, "MHA_SEARCH_INDEX_PREFIX", "mha"))


def database_engine() -> DatabaseEngine:
    return _cached("database", "", "")


def is_external() -> bool:
    return get_engine().name != "database"
