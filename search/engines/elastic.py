"""Elasticsearch 7.17–9 and OpenSearch 2–3, through elasticsearch-py or opensearch-py.

One module for both: the request bodies are the common subset of the two query DSLs.
Analysis does not depend on server plugins: the ``tokens`` field holds the same
Python-made tokens as the database engine (CJK bigrams, pinyin, folded and toneless Latin),
read by the built-in ``standard`` analyzer that every distribution ships; matching uses
that field only, so results are the same on every node. Where analysis-common is installed
(OpenSearch here), the natural-language fields are also analysed with ``cjk_bigram`` /
``asciifolding`` (for ad-hoc queries by operators); where it is missing (Elasticsearch's
integration-test node), index creation falls back to ``standard``. Highlights are made in
Python (``search.highlight``) from the documents the access-filtered query returned.

Indexes are versioned (``<prefix>-items-v<timestamp>``) behind the alias
``<prefix>-items``; a rebuild fills a new index and swaps the alias in one atomic call.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import time
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from django.conf import settings

from archive.access.models import AccessLevel
from archive.core.i18n import content_languages

from .. import documents, highlight, text
from ..products import ON_REQUEST, PRICE_BANDS
from .base import Access, Engine, EngineUnavailable, Hit, SearchQuery, SearchResult, chunked
from .database import ENCODED, TYPO_MIN_LENGTH, body_of

#: The engine's term suggester: at most this many candidates per word, each within two
#: edits and sharing the first letter (as the fuzzy clause), proposed only for words the
#: index does not hold (``missing``); the visitor's access is applied afterwards, by a
#: filtered count of each candidate (the suggester itself cannot filter).
SUGGEST_SIZE = 5

RICH_ANALYSIS = {
    "analyzer": {
        "mha_cjk": {
            "type": "custom",
            "tokenizer": "standard",
            "filter": ["cjk_width", "lowercase", "cjk_bigram"],
        },
        "mha_latin": {
            "type": "custom",
            "tokenizer": "standard",
            "filter": ["lowercase", "asciifolding"],
        },
    }
}
PLAIN_ANALYSIS = {"analyzer": {"mha_cjk": {"type": "standard"}, "mha_latin": {"type": "standard"}}}


def mapping() -> dict:
    kw = {"type": "keyword"}
    cjk = {"type": "text", "analyzer": "mha_cjk"}
    latin = {"type": "text", "analyzer": "mha_latin"}
    std = {"type": "text", "analyzer": "standard"}
    return {
        "dynamic": False,
        "properties": {
            "id": {"type": "long"},
            "access_level": kw,
            "community_id": {"type": "long"},
            "type": kw,
            "collection": kw,
            "year": {"type": "integer"},
            "published": {"type": "date"},
            "sort_title": kw,
            "title_zh": cjk,
            "title_en": latin,
            "title_hmn": latin,
            "description_zh": cjk,
            "description_en": latin,
            "description_hmn": latin,
            "tokens": std,
            "title_tokens": std,
            "facets": {"properties": dict.fromkeys(documents.FACETS, kw)},
            # Marketplace products: the price in yuan (range aggregation) and the items
            # a product draws on.
            "price": {"type": "double"},
            "draws_on": {"type": "long"},
            "cues": {
                "type": "nested",
                "properties": {
                    "start": {"type": "float"},
                    "tokens": std,
                    "text_zh": cjk,
                    "text_en": latin,
                    "text_hmn": latin,
                },
            },
        },
    }


def access_filter(access: Access) -> dict | None:
    """The policy's audience as a query filter on ``access_level`` / ``community_id``."""
    if access.everything:
        return None
    should: list[dict] = [{"terms": {"access_level": sorted(access.levels)}}]
    if access.communities:
        should.append(
            {
                "bool": {
                    "filter": [
                        {"term": {"access_level": AccessLevel.COMMUNITY}},
                        {"terms": {"community_id": sorted(access.communities)}},
                    ]
                }
            }
        )
    return {"bool": {"should": should, "minimum_should_match": 1}}


def _term_clause(field: str, term: text.Term, last: bool, loose: bool = True) -> dict:
    """One query word against one token field: exact or toneless; when ``loose`` (the
    clause that decides what matches) also fuzzy, and a prefix for the last word."""
    if term.cjk:
        return {
            "bool": {"filter": [{"term": {field: text.encode_token(g)}} for g in term.bigrams()]}
        }
    word = term.text
    should: list[dict] = [{"term": {field: {"value": text.encode_token(word), "boost": 2}}}]
    t = text.toneless(word)
    if t != word:
        should.append({"term": {field: text.encode_token(t)}})
    if loose and word.isascii() and word.isalpha() and len(word) >= 4:
        # Typo tolerance on Latin words only; prefix_length keeps the expansion small.
        should.append(
            {
                "fuzzy": {
                    field: {
                        "value": word,
                        "fuzziness": "AUTO",
                        "prefix_length": 1,
                        "max_expansions": 20,
                    }
                }
            }
        )
    if loose and last and word.isascii() and len(word) >= 2:
        should.append({"prefix": {field: {"value": word}}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def _typo_words(terms: list[text.Term]) -> list[str]:
    """The Latin words of a query long enough to be corrected (as on the database engine)."""
    return [
        t.text
        for t in terms
        if not t.cjk and t.text.isascii() and t.text.isalpha() and len(t.text) >= TYPO_MIN_LENGTH
    ]


def price_aggregations() -> dict:
    """The price facet as the engine's own ``range`` aggregation on ``price`` (yuan), and
    the products whose price is on request (no ``price``)."""
    ranges = []
    for key, low, high in PRICE_BANDS:
        r: dict = {"key": key, "from": float(low)}
        if high is not None:
            r["to"] = float(high)
        ranges.append(r)
    return {
        "price": {"range": {"field": "price", "ranges": ranges}},
        "price_on_request": {
            "filter": {
                "bool": {
                    "filter": [{"term": {"type": "product"}}],
                    "must_not": [{"exists": {"field": "price"}}],
                }
            }
        },
    }


def price_buckets(aggregations: dict) -> list[tuple[str, int]]:
    """Take the price aggregations out of ``aggregations`` as (band, count) pairs."""
    out = [
        (b["key"], b["doc_count"])
        for b in aggregations.pop("price", {}).get("buckets", [])
        if b["doc_count"]
    ]
    on_request = aggregations.pop("price_on_request", {}).get("doc_count", 0)
    if on_request:
        out.append((ON_REQUEST, on_request))
    return sorted(out, key=lambda kc: (-kc[1], kc[0]))


class Prepared(NamedTuple):
    """A document's id and its index source as JSON (``ElasticEngine.prepare``)."""

    id: int
    source: str


MANAGE_TIMEOUT = 60  # seconds: creating, aliasing, refreshing and dropping indexes


class _Patient:
    """opensearch-py's index calls with ``MANAGE_TIMEOUT`` (it takes a per-call timeout)."""

    def __init__(self, indices) -> None:
        self._indices = indices

    def __getattr__(self, name: str):
        return functools.partial(getattr(self._indices, name), request_timeout=MANAGE_TIMEOUT)


class ElasticEngine(Engine):
    """Elasticsearch or OpenSearch, chosen by ``flavour``."""

    def __init__(self, url: str, flavour: str = "opensearch", prefix: str = "mha", timeout=5):
        self.url, self.flavour, self.prefix, self.timeout = url, flavour, prefix, timeout
        self.name = flavour
        self.alias = f"{prefix}-items"
        self._client: Any = None

    # --- the client and its errors -----------------------------------------------------
    @property
    def client(self):
        if self._client is None:
            # A cluster is several comma-separated node URLs: a node that does not answer
            # is set aside and the request tried on the next one.
            hosts = [u.strip() for u in self.url.split(",") if u.strip()]
            retries = len(hosts) - 1
            if self.flavour == "elasticsearch":
                from elasticsearch import Elasticsearch

                # Plain JSON headers: the 8.x client's compatibility headers are refused by
                # 7.17 servers, and 8.x/9.x servers accept plain JSON too.
                self._client = Elasticsearch(
                    hosts,
                    request_timeout=self.timeout,
                    max_retries=retries,
                    headers={"accept": "application/json", "content-type": "application/json"},
                )
            else:
                from opensearchpy import OpenSearch

                self._client = OpenSearch(hosts, timeout=self.timeout, max_retries=retries)
        return self._client

    @property
    def _indices(self):
        """Index management waits on the cluster state, which a loaded node may take longer
        to update than a visitor's search may wait: these calls get ``MANAGE_TIMEOUT``."""
        if self.flavour == "elasticsearch":
            return self.client.options(request_timeout=MANAGE_TIMEOUT).indices
        return _Patient(self.client.indices)

    def _errors(self) -> tuple[type[Exception], ...]:
        if self.flavour == "elasticsearch":
            from elastic_transport import ConnectionError as CE
            from elastic_transport import ConnectionTimeout, TransportError

            return (CE, ConnectionTimeout, TransportError)
        from opensearchpy.exceptions import ConnectionError as CE
        from opensearchpy.exceptions import ConnectionTimeout

        return (CE, ConnectionTimeout)

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except self._errors() as exc:
            raise EngineUnavailable(f"{self.flavour} at {self.url}: {exc}") from exc

    def health(self) -> dict:
        """The cluster's colour and nodes: yellow (a replica missing, every query still
        answered) is served; red (a shard with no copy) is an error."""
        health = self._call(self.client.cluster.health)
        status = health.get("status")
        if status not in ("green", "yellow"):
            raise ConnectionError(f"{self.flavour} cluster is {status}")
        return {
            "cluster": status,
            "nodes": health.get("number_of_nodes"),
            "unassigned_shards": health.get("unassigned_shards"),
        }

    def ping(self) -> bool:
        # Cluster health rather than ``HEAD /``: Elasticsearch 8's integration-test node
        # has no rest-root module, so ``/`` answers 405 there.
        try:
            health = self.client.cluster.health()
            return health.get("status") in ("green", "yellow")
        except Exception:  # noqa: BLE001 - ping answers, never raises
            return False

    # --- indexes -----------------------------------------------------------------------
    def _create_index(self, name: str) -> None:
        body = {
            "settings": {
                "number_of_shards": 1,
                # 0 on one node; a cluster keeps copies on other nodes (the stack: 1).
                "number_of_replicas": getattr(settings, "MHA_SEARCH_REPLICAS", 0),
                "refresh_interval": "1s",
                "analysis": RICH_ANALYSIS,
            },
            "mappings": mapping(),
        }
        try:
            self._call(self._indices.create, index=name, body=body)
        except EngineUnavailable:
            raise
        except Exception as exc:  # the server lacks analysis-common: plain analyzers
            if "failed to find" not in str(exc) and "analyzer" not in str(exc).lower():
                raise
            body["settings"]["analysis"] = PLAIN_ANALYSIS
            self._call(self._indices.create, index=name, body=body)

    def _versions(self) -> list[str]:
        found = self._call(self._indices.get, index=f"{self.alias}-v*")
        return sorted(found)

    def ensure_index(self) -> None:
        if not self._call(self._indices.exists_alias, name=self.alias):
            name = f"{self.alias}-v{time.strftime('%Y%m%d%H%M%S')}{time.time_ns() % 1000:03d}"
            self._create_index(name)
            self._call(
                self._indices.update_aliases,
                body={"actions": [{"add": {"index": name, "alias": self.alias}}]},
            )

    def _source(self, doc: dict) -> dict:
        title_text = " ".join(
            [doc[f"title_{lang}"] for lang in content_languages()]
            + [label for t in doc["terms"] for lang in content_languages() for label in t[lang]]
        )
        cues = [
            {
                **c,
                "tokens": text.encoded(
                    text.index_tokens(
                        " ".join([c["text_hmn"], c["text_zh"], c["text_en"]]), pinyin=True
                    )
                ),
            }
            for c in doc["cues"]
        ]
        return {
            **doc,
            "cues": cues,
            "sort_title": (doc["title_en"] or doc["title_zh"] or "")[:255],
            "tokens": body_of(doc),
            "title_tokens": text.encoded(text.index_tokens(title_text, pinyin=True)),
        }

    def _actions(self, index: str, docs: Iterable[dict]):
        for doc in docs:
            yield {
                "_op_type": "index",
                "_index": index,
                "_id": doc["id"],
                "_source": self._source(doc),
            }

    def _bulk(self, index: str, docs: Iterable[dict], refresh=False) -> int:
        if self.flavour == "elasticsearch":
            from elasticsearch.helpers import bulk
        else:
            from opensearchpy.helpers import bulk
        n = 0
        for batch in chunked(docs, 1000):
            ok, errors = self._call(
                bulk, self.client, self._actions(index, batch), raise_on_error=False
            )
            if errors:
                raise RuntimeError(f"{len(errors)} documents refused, first: {errors[0]}")
            n += ok
        if refresh:
            self._call(self._indices.refresh, index=index)
        return n

    def bulk(self, docs: Iterable[dict]) -> int:
        self.ensure_index()
        return self._bulk(self.alias, docs, refresh=True)

    def prepare(self, docs: Iterable[dict]) -> Iterator[Prepared]:
        """Each document's index source, serialized once: a caller that loads the same
        documents into several indexes (the benchmarks) builds and encodes them once."""
        for doc in docs:
            yield Prepared(doc["id"], json.dumps(self._source(doc), ensure_ascii=False))

    @contextlib.contextmanager
    def loading(self, index: str | None = None):
        """A bulk load's index settings: no periodic refresh and no replicas while it runs
        (each refresh writes a segment, each replica indexes every document again), the
        index's own settings restored afterwards, then one refresh."""
        index = index or self.alias
        found = self._call(self._indices.get_settings, index=index)
        before = {
            "refresh_interval": "1s",
            "number_of_replicas": getattr(settings, "MHA_SEARCH_REPLICAS", 0),
        }
        for named in found.values():  # the alias's one versioned index
            kept = named["settings"]["index"]
            before = {k: kept.get(k, v) for k, v in before.items()}
        self._call(
            self._indices.put_settings,
            index=index,
            body={"index": {"refresh_interval": "-1", "number_of_replicas": 0}},
        )
        try:
            yield
        finally:
            self._call(self._indices.put_settings, index=index, body={"index": before})
            self._call(self._indices.refresh, index=index)

    def bulk_fast(
        self, docs: Iterable[dict | Prepared], threads: int = 2, chunk_size: int = 500
    ) -> int:
        """Bulk load with the client preparing one batch while the server indexes another
        (rebuilds, benchmarks), under ``loading()``'s settings; refreshed once at the end.
        ``docs`` are documents or ``prepare()``'s output."""
        self.ensure_index()
        if self.flavour == "elasticsearch":
            from elasticsearch.helpers import parallel_bulk
        else:
            from opensearchpy.helpers import parallel_bulk

        def actions():
            for doc in docs:
                if isinstance(doc, Prepared):
                    yield {"_index": self.alias, "_id": doc.id, "_source": doc.source}
                else:
                    yield {"_index": self.alias, "_id": doc["id"], "_source": self._source(doc)}

        n = 0
        with self.loading():
            for ok, info in self._call(
                parallel_bulk,
                self.client,
                actions(),
                thread_count=threads,
                chunk_size=chunk_size,
                raise_on_error=False,
            ):
                if not ok:
                    raise RuntimeError(f"document refused: {info}")
                n += 1
        return n

    def refresh(self) -> None:
        self.ensure_index()
        self._call(self._indices.refresh, index=self.alias)

    def delete(self, item_id: int) -> None:
        self.ensure_index()
        try:
            self._call(self.client.delete, index=self.alias, id=item_id, refresh=True)
        except EngineUnavailable:
            raise
        except Exception as exc:
            if (
                getattr(exc, "status_code", None) == 404
                or getattr(exc, "meta", None)
                and (exc.meta.status == 404)
            ):
                return
            if "not_found" in str(exc) or "404" in str(exc)[:20]:
                return
            raise

    def rebuild(self, docs: Iterable[dict], progress=None) -> int:
        """Fill a new versioned index, then swap the alias atomically: searches answer from
        the old index until the swap, and never see a half-built one."""
        name = f"{self.alias}-v{time.strftime('%Y%m%d%H%M%S')}{time.time_ns() % 1000:03d}"
        self._create_index(name)
        n = 0
        for batch in chunked(docs, 1000):
            n += self._bulk(name, batch)
            if progress:
                progress(n)
        self._call(self._indices.refresh, index=name)
        old = [i for i in self._versions() if i != name]
        actions = [{"add": {"index": name, "alias": self.alias}}]
        actions += [
            {"remove": {"index": i, "alias": self.alias}} for i in old if self._has_alias(i)
        ]
        self._call(self._indices.update_aliases, body={"actions": actions})
        for i in old:
            self._call(self._indices.delete, index=i)
        return n

    def _has_alias(self, index: str) -> bool:
        return bool(self._call(self._indices.exists_alias, index=index, name=self.alias))

    def clear(self) -> None:
        """Drop every version of this prefix's index (tests clean up with this)."""
        for i in self._versions():
            self._call(self._indices.delete, index=i)

    # --- searching ---------------------------------------------------------------------
    def _body(self, query: SearchQuery, size: int, offset: int) -> dict:
        filters: list[dict] = []
        acc = access_filter(query.access)
        if acc:
            filters.append(acc)
        for name, values in query.filters.items():
            filters.append({"terms": {f"facets.{name}": values}})
        must: list[dict] = []
        should: list[dict] = []
        terms = query.terms
        if terms:
            last = len(terms) - 1
            must = [_term_clause("tokens", t, i == last) for i, t in enumerate(terms)]
            should.append(
                {
                    "bool": {
                        "must": [
                            _term_clause("title_tokens", t, i == last, loose=False)
                            for i, t in enumerate(terms)
                        ],
                        "boost": 3,
                    }
                }
            )
            should.append(
                {
                    "nested": {
                        "path": "cues",
                        "score_mode": "max",
                        "query": {
                            "bool": {
                                "should": [
                                    _term_clause("cues.tokens", t, i == last, loose=False)
                                    for i, t in enumerate(terms)
                                ],
                                "minimum_should_match": 1,
                            }
                        },
                        "inner_hits": {"size": 1, "_source": ["cues.start"]},
                    }
                }
            )
        elif query.raw.strip():
            must = [{"match_none": {}}]
        body: dict = {
            "query": {"bool": {"filter": filters, "must": must, "should": should}},
            "from": offset,
            "size": size,
            "track_total_hits": True,
            "_source": {"excludes": ["tokens", "title_tokens", "cues.tokens"]},
        }
        sort = {
            "newest": [{"published": {"order": "desc", "missing": "_last"}}, {"id": "desc"}],
            "oldest": [{"year": {"order": "asc", "missing": "_last"}}, {"id": "asc"}],
            "title": [{"sort_title": "asc"}, {"id": "asc"}],
        }.get(query.sort)
        if sort is None and not terms:
            sort = [{"published": {"order": "desc", "missing": "_last"}}, {"id": "desc"}]
        if sort:
            body["sort"] = sort
        words = _typo_words(terms)
        if words and offset == 0:
            body["suggest"] = {
                "text": " ".join(words),
                "typo": {
                    "term": {
                        "field": "tokens",
                        "suggest_mode": "missing",
                        "size": SUGGEST_SIZE,
                        "prefix_length": 1,
                        "min_word_length": TYPO_MIN_LENGTH,
                        "sort": "score",
                    }
                },
            }
        if query.facets:
            body["aggs"] = {
                name: {"terms": {"field": f"facets.{name}", "size": 100}}
                for name in documents.FACETS
                if name != "price"
            }
            body["aggs"].update(price_aggregations())
        return body

    def search(self, query: SearchQuery) -> SearchResult:
        """Hits, counts and highlights; "did you mean" from the engine's term suggester.
        When nothing matched and a correction exists, its results are answered instead
        (``corrected``, as the database engine does); when the fuzzy clause found results
        for a slip, the correction is offered beside them (``suggestion``)."""
        result, res = self._search(query)
        corrected = self._correction(query, res)
        if not corrected:
            return result
        if result.total == 0:
            second, _ = self._search(dataclasses.replace(query, raw=corrected))
            if second.total:
                second.corrected = corrected
                return second
            return result
        result.suggestion = corrected
        return result

    def _correction(self, query: SearchQuery, res: dict) -> str:
        """The query with each misspelt word replaced by the suggester's best candidate
        that occurs in a document this visitor may see, or "". The suggester reads the
        whole index (restricted documents too), so its candidates are counted once more
        under the access filter, in one request, and a candidate no visible document
        holds is never offered."""
        entries = ((res.get("suggest") or {}).get("typo")) or []
        options: dict[str, list[str]] = {}
        for entry in entries:
            found = [
                o["text"]
                for o in entry.get("options", [])
                if o["text"] != entry["text"] and not ENCODED.fullmatch(o["text"])
            ]
            if found:
                options[entry["text"]] = found
        if not options:
            return ""
        candidates = sorted({c for found in options.values() for c in found})
        acc = access_filter(query.access)
        body = {
            "size": 0,
            "query": {"bool": {"filter": [acc] if acc else []}},
            "aggs": {
                "seen": {
                    "filters": {
                        "filters": {c: {"term": {"tokens": c}} for c in candidates},
                    }
                }
            },
        }
        counted = self._call(self.client.search, index=self.alias, body=body)
        buckets = counted["aggregations"]["seen"]["buckets"]
        visible = {c for c in candidates if buckets.get(c, {}).get("doc_count")}
        fixed, changed = [], False
        for term in query.terms:
            word = term.text
            best = next((c for c in options.get(word, []) if c in visible), None)
            if best:
                word, changed = best, True
            fixed.append(word)
        return " ".join(fixed) if changed else ""

    def _search(self, query: SearchQuery) -> tuple[SearchResult, dict]:
        self._ensure_exists_for_search()
        body = self._body(query, query.per_page, query.offset)
        res = self._call(self.client.search, index=self.alias, body=body)
        total = res["hits"]["total"]
        total = total["value"] if isinstance(total, dict) else int(total)
        last_page = max(1, -(-total // query.per_page))
        page = query.page
        if page > last_page and total:
            # Past the end: answer the last page, as the database engine does.
            page = last_page
            body = self._body(query, query.per_page, (page - 1) * query.per_page)
            res = self._call(self.client.search, index=self.alias, body=body)
        hits = []
        for h in res["hits"]["hits"]:
            doc = h["_source"]
            hit = Hit(id=int(doc["id"]), doc=doc)
            if query.highlight and query.terms:
                hit.highlight = highlight.highlight_doc(doc, query.terms)
                inner = (h.get("inner_hits") or {}).get("cues", {}).get("hits", {}).get("hits")
                if inner:
                    offset = inner[0]["_nested"]["offset"]
                    cue = doc["cues"][offset]
                    marked = highlight.matching_cue({"cues": [cue]}, query.terms)
                    hit.cue = marked or {"start": cue["start"], "text": None, "lang": None}
            hits.append(hit)
        facets: dict[str, list[tuple[str, int]]] = {}
        aggregations = dict(res.get("aggregations") or {})
        price = price_buckets(aggregations)
        if price:
            facets["price"] = price
        for name, agg in aggregations.items():
            buckets = [(b["key"], b["doc_count"]) for b in agg["buckets"] if b["doc_count"]]
            if buckets:
                facets[name] = buckets
        result = SearchResult(
            total=total,
            hits=hits,
            facets=facets,
            page=page,
            per_page=query.per_page,
            engine=self.name,
        )
        return result, res

    def more_like_this(
        self, doc_id: int, products: bool, access: Access, limit: int = 6
    ) -> list[Hit]:
        """Products (or items) sharing the document's motifs or techniques, ranked by the
        engine: shared terms score, and ``more_like_this`` on the document's own tokens
        (titles, descriptions, every label) orders those that share as many."""
        self._ensure_exists_for_search()
        try:
            source = self._call(self.client.get, index=self.alias, id=doc_id)["_source"]
        except EngineUnavailable:
            raise
        except Exception:  # not indexed (not live, not shown): nothing is like it
            return []
        facets = source.get("facets") or {}
        shared = [
            {"terms": {f"facets.{name}": facets[name], "boost": boost}}
            for name, boost in (("motif", 2.0), ("technique", 1.0))
            if facets.get(name)
        ]
        if not shared:
            return []
        filters: list[dict] = [{"bool": {"should": shared, "minimum_should_match": 1}}]
        acc = access_filter(access)
        if acc:
            filters.append(acc)
        kind = {"term": {"type": "product"}}
        body = {
            "size": limit,
            "query": {
                "bool": {
                    "filter": [*filters, kind] if products else filters,
                    "must_not": [{"ids": {"values": [str(doc_id)]}}]
                    + ([] if products else [{"terms": {"type": ["product", "lesson"]}}]),
                    "should": [
                        *shared,
                        {
                            "more_like_this": {
                                "fields": ["tokens"],
                                "like": [{"_index": self.alias, "_id": str(doc_id)}],
                                "min_term_freq": 1,
                                "min_doc_freq": 1,
                                "max_query_terms": 40,
                            }
                        },
                    ],
                }
            },
            "_source": {"excludes": ["tokens", "title_tokens", "cues.tokens"]},
        }
        res = self._call(self.client.search, index=self.alias, body=body)
        return [Hit(id=int(h["_source"]["id"]), doc=h["_source"]) for h in res["hits"]["hits"]]

    def _ensure_exists_for_search(self) -> None:
        if not getattr(self, "_checked", False):
            self.ensure_index()
            self._checked = True
