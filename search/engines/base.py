"""The interface every search engine implements, and what a search asks and answers.

An engine indexes the plain-dict documents of ``search.documents`` and answers a
``SearchQuery``: parsed words (never raw user syntax), facet filters, sort, page, and the
visitor's ACCESS (the policy's ``Audience``), which the engine applies as a filter before it
counts a facet, ranks a hit, highlights a fragment or offers a suggestion.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from archive.access import policy

from .. import text
from ..documents import FACETS, suggestions

PER_PAGE = 20
#: Deepest page any engine is asked for (Elasticsearch's default result window is 10,000).
MAX_PAGE = 10_000 // PER_PAGE
SORTS = ("relevance", "newest", "oldest", "title")


class EngineUnavailable(Exception):
    """The engine did not answer (down, timed out, refused): search falls back to the
    database engine and index work is recorded to catch up later."""


#: What a visitor may see is the policy's own value; engines translate it, never decide it.
Access = policy.Audience
PUBLIC = policy.EVERYONE


@dataclass
class SearchQuery:
    raw: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = PER_PAGE
    access: Access = PUBLIC
    facets: bool = True
    highlight: bool = True

    def __post_init__(self) -> None:
        self.terms = text.parse_query(self.raw)
        self.filters = {
            k: [v for v in vs if v][:20] for k, vs in self.filters.items() if k in FACETS
        }
        self.filters = {k: vs for k, vs in self.filters.items() if vs}
        if self.sort not in SORTS:
            self.sort = "relevance"
        self.page = max(1, min(int(self.page), MAX_PAGE))
        self.per_page = max(1, min(int(self.per_page), 100))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass
class Hit:
    id: int
    doc: dict
    highlight: dict[str, str] = field(default_factory=dict)
    #: The transcript cue the query matched: {"start": seconds, "text": "... <mark>…"}
    cue: dict | None = None


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    page: int
    per_page: int
    engine: str
    degraded: bool = False
    #: Index work is still waiting from when the engine was down: these results may miss it.
    behind: bool = False
    #: When nothing matched what was typed and a likely typo was corrected: the corrected
    #: query these results are for ("did you mean"), else empty.
    corrected: str = ""
    #: "Did you mean": when the results came through typo tolerance (an engine's fuzzy
    #: match) and the engine's own suggester found a closer query among the words of
    #: documents this visitor may see, that query; else empty.
    suggestion: str = ""

    @property
    def pages(self) -> int:
        return max(1, min(MAX_PAGE, -(-self.total // self.per_page)))


class Engine:
    """Index and search item documents. Subclasses name themselves in ``name``."""

    name = "base"

    def health(self) -> dict:
        """What ``/healthz`` reports of the engine; raises when it cannot serve queries."""
        if not self.ping():
            raise ConnectionError(f"{self.name} did not answer ping")
        return {}

    def ping(self) -> bool:
        raise NotImplementedError

    def index(self, doc: dict) -> None:
        self.bulk([doc])

    def bulk(self, docs: Iterable[dict]) -> int:
        raise NotImplementedError

    def delete(self, item_id: int) -> None:
        raise NotImplementedError

    def search(self, query: SearchQuery) -> SearchResult:
        raise NotImplementedError

    def rebuild(self, docs: Iterable[dict], progress=None) -> int:
        """Index every document afresh; searches keep answering meanwhile."""
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def more_like_this(
        self, doc_id: int, products: bool, access: Access = PUBLIC, limit: int = 6
    ) -> list[Hit]:
        """Documents sharing ``doc_id``'s motifs or techniques, best first: products when
        ``products`` (what artisans make of a pattern), else items (the patterns behind a
        product). Only what ``access`` may see."""
        raise NotImplementedError

    def suggest(self, prefix: str, access: Access = PUBLIC, limit: int = 8) -> list[str]:
        """Completions for what the visitor has typed, taken only from documents they may
        see (the same access filter as a search)."""
        terms = text.parse_query(prefix)
        if not terms:
            return []
        result = self.search(
            SearchQuery(raw=prefix, access=access, per_page=20, facets=False, highlight=False)
        )
        needle = text.fold(" ".join(t.text for t in terms))
        last = terms[-1].text
        out: list[str] = []
        for hit in result.hits:
            for candidate in suggestions(hit.doc):
                folded = text.fold(candidate)
                if (needle in folded or last in folded) and candidate not in out:
                    out.append(candidate)
                if len(out) >= limit:
                    return out
        return out


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
