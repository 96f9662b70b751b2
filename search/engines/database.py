"""The embedded default: full-text search in the database itself.

SQLite uses an FTS5 table (``archive_search_fts``, rowid = item id); PostgreSQL a
``tsvector`` column with a GIN index on the documents table. Both read the same
Python-made tokens (``search.text``), so Chinese bigrams, pinyin and toneless Miao behave
alike on both. Facet counts are one ``GROUP BY`` over the facet table, joined to the
documents that pass the ACCESS filter and the query: never over anything the visitor may
not see.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Case, Count, Q, Sum, Value, When
from django.db.models.expressions import RawSQL

from .. import documents, highlight, text
from ..models import SearchDocument, SearchFacetValue
from .base import Access, Engine, Hit, SearchQuery, SearchResult, chunked

FTS_TABLE = "archive_search_fts"
DOC_TABLE = SearchDocument._meta.db_table


#: Words shorter than this are not corrected (too many near neighbours); how close a word
#: must be to count as the one meant (difflib's ratio: one slip in a six-letter word passes).
TYPO_MIN_LENGTH = 4
TYPO_CUTOFF = 0.75
#: A CJK run or other non-ASCII token as ``encode_token`` writes it: not a word to offer.
ENCODED = re.compile(r"x[0-9a-f]+q")


def access_q(access: Access) -> Q:
    """The policy's audience on the documents' columns (``access_level``, ``community_id``)."""
    return access.q("access_level", "community_id")


def body_of(doc: dict) -> str:
    parts = documents.all_text(doc)
    tokens = text.index_tokens(" ".join(parts.values()), pinyin=False)
    tokens += documents.pinyin_of(doc).split()
    return text.encoded(tokens)


def _term_alternatives(term: text.Term, prefix: bool) -> list[tuple[str, bool]]:
    """(token, is_prefix) alternatives that satisfy one query term."""
    if term.cjk:
        return []
    out = [(text.encode_token(term.text), prefix and len(term.text) >= 2)]
    t = text.toneless(term.text)
    if t != term.text:
        out.append((text.encode_token(t), False))
    return out


class DatabaseEngine(Engine):
    name = "database"

    @property
    def vendor(self) -> str:
        return connection.vendor

    def ping(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True

    # --- indexing -------------------------------------------------------------------
    def bulk(self, docs: Iterable[dict]) -> int:
        n = 0
        for batch in chunked(docs, 500):
            with transaction.atomic():
                ids = [d["id"] for d in batch]
                self._delete_ids(ids)
                rows = [
                    SearchDocument(
                        item_id=d["id"],
                        access_level=d["access_level"],
                        community_id=d["community_id"],
                        collection=d["collection"] or "",
                        item_type=d["type"],
                        year=d["year"],
                        published=d["published"],
                        sort_title=(d["title_en"] or d["title_zh"] or "")[:255],
                        body=body_of(d),
                        data=d,
                    )
                    for d in batch
                ]
                SearchDocument.objects.bulk_create(rows)
                SearchFacetValue.objects.bulk_create(
                    SearchFacetValue(doc_id=d["id"], facet=name, value=value[:80])
                    for d in batch
                    for name, values in d["facets"].items()
                    for value in values
                )
                self._index_fulltext(rows)
            n += len(batch)
        return n

    def _index_fulltext(self, rows: list[SearchDocument]) -> None:
        with connection.cursor() as cursor:
            if self.vendor == "sqlite":
                cursor.executemany(
                    f"INSERT INTO {FTS_TABLE}(rowid, body) VALUES (%s, %s)",  # noqa: S608
                    [(r.item_id, r.body) for r in rows],
                )
            elif self.vendor == "postgresql":
                cursor.execute(
                    f"UPDATE {DOC_TABLE} SET tsv = to_tsvector('simple', body) "  # noqa: S608
                    "WHERE item_id = ANY(%s)",
                    [[r.item_id for r in rows]],
                )

    def _delete_ids(self, ids: list[int]) -> None:
        SearchDocument.objects.filter(item_id__in=ids).delete()
        if self.vendor == "sqlite" and ids:
            marks = ",".join(["%s"] * len(ids))
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", ids)  # noqa: S608

    def delete(self, item_id: int) -> None:
        with transaction.atomic():
            self._delete_ids([item_id])

    def clear(self) -> None:
        with transaction.atomic():
            SearchDocument.objects.all().delete()
            if self.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608

    def rebuild(self, docs: Iterable[dict], progress=None) -> int:
        # One transaction: readers see the old rows until the new ones are committed.
        n = 0
        with transaction.atomic():
            self.clear()
            for batch in chunked(docs, 500):
                n += self.bulk(batch)
                if progress:
                    progress(n)
        return n

    # --- searching ------------------------------------------------------------------
    def _match(self, terms: list[text.Term]) -> tuple[str, list] | None:
        """SQL selecting the ids of documents matching every term, or None."""
        if not terms:
            return None
        last = len(terms) - 1
        if self.vendor == "sqlite":
            clauses = []
            for i, term in enumerate(terms):
                if term.cjk:
                    grams = [text.encode_token(g) for g in term.bigrams()]
                    clauses.append("(" + " AND ".join(f'"{g}"' for g in grams) + ")")
                else:
                    alts = _term_alternatives(term, i == last)
                    clauses.append(
                        "(" + " OR ".join(f'"{tok}"' + ("*" if p else "") for tok, p in alts) + ")"
                    )
            expr = " AND ".join(clauses)
            return f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expr]  # noqa: S608
        if self.vendor == "postgresql":
            clauses = []
            for i, term in enumerate(terms):
                if term.cjk:
                    grams = [text.encode_token(g) for g in term.bigrams()]
                    clauses.append("(" + " & ".join(grams) + ")")
                else:
                    alts = _term_alternatives(term, i == last)
                    clauses.append(
                        "(" + " | ".join(tok + (":*" if p else "") for tok, p in alts) + ")"
                    )
            expr = " & ".join(clauses)
            return (
                f"SELECT item_id FROM {DOC_TABLE} "  # noqa: S608
                "WHERE tsv @@ to_tsquery('simple', %s)",
                [expr],
            )
        # Any other database: a plain token containment test, slow but correct.
        q = Q()
        for term in terms:
            for g in term.bigrams() if term.cjk else [term.text]:
                q &= Q(body__contains=text.encode_token(g))
        ids = SearchDocument.objects.filter(q).values("item_id").query
        sql, params = ids.sql_with_params()
        return sql, list(params)

    def search(self, query: SearchQuery) -> SearchResult:
        result = self._search(query)
        if result.total == 0:
            corrected = self.correct(query)
            if corrected:
                second = self._search(dataclasses.replace(query, raw=corrected))
                if second.total:
                    second.corrected = corrected
                    return second
        return result

    def correct(self, query: SearchQuery) -> str:
        """The query with each Latin word that matches nothing replaced by the closest word
        the visitor could have found (``buterfly`` → ``butterfly``, ``hudei`` → ``hudie``),
        or "" when there is nothing to correct. Typo tolerance for an engine without fuzzy
        matching: asked only when nothing matched. The words come from the documents this
        audience may see, read now, never cached, so a withdrawn or restricted item's words
        are never offered."""
        words = [t.text for t in query.terms if not t.cjk and len(t.text) >= TYPO_MIN_LENGTH]
        if not words:
            return ""
        vocabulary: set[str] = set()
        bodies = SearchDocument.objects.filter(access_q(query.access)).values_list(
            "body", flat=True
        )
        for body in bodies.iterator(chunk_size=500):
            vocabulary.update(w for w in body.split() if len(w) >= 3 and not ENCODED.fullmatch(w))
        fixed, changed = [], False
        for term in query.terms:
            word = term.text
            if word in words and word not in vocabulary:
                close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=TYPO_CUTOFF)
                if close:
                    word, changed = close[0], True
            fixed.append(word)
        return " ".join(fixed) if changed else ""

    def _search(self, query: SearchQuery) -> SearchResult:
        qs = SearchDocument.objects.filter(access_q(query.access))
        for name, values in query.filters.items():
            qs = qs.filter(
                item_id__in=SearchFacetValue.objects.filter(facet=name, value__in=values).values(
                    "doc_id"
                )
            )
        base = qs  # access and facet filters, before the text: the ranked query joins it
        match = self._match(query.terms)
        if match is None and query.raw.strip() and not query.terms:
            # Only punctuation or syntax was typed: nothing matches, nothing is guessed.
            qs = qs.none()
        elif match is not None:
            # The SQL is ours; user words reach it only as a bound parameter.
            qs = qs.filter(item_id__in=RawSQL(*match))  # noqa: S611

        total = qs.count()
        facets: dict[str, list[tuple[str, int]]] = {}
        if query.facets and total:
            rows = (
                SearchFacetValue.objects.filter(doc__in=qs.values("item_id"))
                .values_list("facet", "value")
                .annotate(n=Count("doc_id"))
                .order_by()
            )
            for name, value, n in rows:
                facets.setdefault(name, []).append((value, n))
            for name in facets:
                facets[name].sort(key=lambda vc: (-vc[1], vc[0]))

        last_page = max(1, -(-total // query.per_page))
        page = min(query.page, last_page)
        offset = (page - 1) * query.per_page
        ids = self._page_ids(qs, base, query, match, offset) if total else []
        by_id = {d.item_id: d for d in SearchDocument.objects.filter(item_id__in=ids)}
        hits = []
        for item_id in ids:
            row = by_id.get(item_id)
            if row is None:
                continue
            hit = Hit(id=item_id, doc=row.data)
            if query.highlight and query.terms:
                hit.highlight = highlight.highlight_doc(row.data, query.terms)
                hit.cue = highlight.matching_cue(row.data, query.terms)
            hits.append(hit)
        return SearchResult(
            total=total,
            hits=hits,
            facets=facets,
            page=page,
            per_page=query.per_page,
            engine=self.name,
        )

    def more_like_this(
        self, doc_id: int, products: bool, access: Access, limit: int = 6
    ) -> list[Hit]:
        """Shared-vocabulary scoring: a shared motif counts two, a shared technique one
        (broader terms are in the facet values, so a narrower motif shares its broader)."""
        source = SearchDocument.objects.filter(item_id=doc_id).first()
        if source is None:
            return []
        facets = source.data.get("facets") or {}
        weights = {"motif": 2, "technique": 1}
        shared = Q()
        for name in weights:
            if facets.get(name):
                shared |= Q(facet=name, value__in=facets[name])
        if not shared:
            return []
        candidates = SearchDocument.objects.filter(access_q(access)).exclude(item_id=doc_id)
        candidates = (
            candidates.filter(item_type="product")
            if products
            else candidates.exclude(item_type__in=("product", "lesson"))
        )
        score = Sum(
            Case(
                *[When(facet=name, then=Value(w)) for name, w in weights.items()],
                default=Value(0),
            )
        )
        ranked = (
            SearchFacetValue.objects.filter(shared, doc__in=candidates.values("item_id"))
            .values("doc_id")
            .annotate(score=score)
            .order_by("-score", "doc_id")[:limit]
        )
        ids = [row["doc_id"] for row in ranked]
        by_id = {d.item_id: d for d in SearchDocument.objects.filter(item_id__in=ids)}
        return [Hit(id=i, doc=by_id[i].data) for i in ids if i in by_id]

    def _page_ids(self, qs, base, query: SearchQuery, match, offset: int) -> list[int]:
        limit = query.per_page
        order = {
            "newest": ("-published", "-item_id"),
            "oldest": ("year", "item_id"),
            "title": ("sort_title", "item_id"),
        }.get(query.sort)
        if order or match is None:
            order = order or ("-published", "-item_id")
            return list(
                qs.order_by(*order).values_list("item_id", flat=True)[offset : offset + limit]
            )
        # Rank inside the full-text index, restricted to the rows the access and facet
        # filters admit (a plain, uncorrelated subquery the database evaluates once).
        inner_sql, inner_params = base.values("item_id").query.sql_with_params()
        with connection.cursor() as cursor:
            if self.vendor == "sqlite":
                # CROSS JOIN keeps FTS5 as the outer loop: a rowid constraint on the FTS
                # table would make it re-run the MATCH once per candidate row.
                cursor.execute(
                    f"SELECT f.rowid FROM {FTS_TABLE} AS f CROSS JOIN {DOC_TABLE} AS d "  # noqa: S608
                    f"ON d.item_id = f.rowid WHERE f.{FTS_TABLE} MATCH %s "
                    f"AND d.item_id IN ({inner_sql}) ORDER BY f.rank LIMIT %s OFFSET %s",
                    [*match[1], *inner_params, limit, offset],
                )
            elif self.vendor == "postgresql":
                cursor.execute(
                    f"SELECT item_id FROM {DOC_TABLE} WHERE item_id IN ({inner_sql}) "  # noqa: S608
                    "AND tsv @@ to_tsquery('simple', %s) "
                    "ORDER BY ts_rank(tsv, to_tsquery('simple', %s)) DESC, item_id "
                    "LIMIT %s OFFSET %s",
                    [*inner_params, *match[1], *match[1], limit, offset],
                )
            else:
                return list(
                    qs.order_by("item_id").values_list("item_id", flat=True)[
                        offset : offset + limit
                    ]
                )
            return [row[0] for row in cursor.fetchall()]
