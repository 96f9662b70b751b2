"""``/search/`` (HTML) and ``/api/v1/search`` (JSON, the DESIGN.md contract).

Thin views: the query is parsed into words (never engine syntax), the visitor's ACCESS is
handed to the engine, which filters before it counts, ranks, highlights or suggests. When
the configured engine does not answer, the database engine answers instead and the page
says so.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from archive.access import policy
from archive.core.i18n import fallback_order
from archive.core.pagecache import mark_cacheable
from archive.marketplace.discovery import CURRENCY, availability_text, format_price
from archive.marketplace.models import Product
from archive.ops import metrics

from . import engines, products
from .documents import FACETS
from .engines import EngineUnavailable, SearchQuery, SearchResult
from .labels import facet_labels, facet_title, type_label
from .models import PendingIndexOp
from .tasks import catch_up_task

log = logging.getLogger(__name__)


def _int(value: str | None, default: int = 1) -> int:
    try:
        return int(str(value)[:12])
    except (TypeError, ValueError):
        return default


def _text(value: str | None, limit: int) -> str:
    """A parameter as text a database can hold: NUL never is (PostgreSQL refuses it)."""
    return (value or "").replace("\x00", "")[:limit]


def parse_request(request) -> SearchQuery:
    get = request.GET
    filters = {name: [_text(v, 80) for v in get.getlist(name)] for name in FACETS if name in get}
    return SearchQuery(
        raw=_text(get.get("q"), 2000),
        filters=filters,
        sort=_text(get.get("sort"), 40) or "relevance",
        page=_int(get.get("page")),
        access=policy.audience(request.user),
    )


def run(query: SearchQuery) -> SearchResult:
    engine = engines.get_engine()
    try:
        with metrics.SEARCH_SECONDS.labels(engine=engine.name).time():
            result = engine.search(query)
    except EngineUnavailable as exc:
        log.warning("search engine unavailable, answering from the database: %s", exc)
        result = engines.database_engine().search(query)
        result.degraded = True
        return result
    if engine.name != "database":
        result.behind = _catch_up_if_needed()
    return result


def _catch_up_if_needed() -> bool:
    """The engine answers: if index work is waiting from when it was down, send it."""
    if PendingIndexOp.objects.exists():
        catch_up_task.enqueue()
        return True
    return False


def _keep_for_everyone(request, result: SearchResult | None) -> None:
    """An anonymous visitor's answer from an up-to-date engine may be kept by the page cache,
    as public pages are: keyed by the whole query and language, left behind by the same
    publish, unpublish, withdrawal and expiry that leave pages behind (the index is updated
    in the same request). A degraded or lagging answer is never kept."""
    if result is None or not (result.degraded or result.behind):
        mark_cacheable(request)


def _localized_url(path: str) -> str:
    lang = translation.get_language() or settings.LANGUAGE_CODE
    if lang.lower() == settings.LANGUAGE_CODE.lower() or not path.startswith("/"):
        return path
    return f"/{lang}{path}"


def _pick(doc: dict, marks: dict, field: str) -> tuple[str, str | None]:
    """(plain text, highlighted html) for a field, in the visitor's language first."""
    for code in fallback_order():
        if doc.get(f"{field}_{code}"):
            return doc[f"{field}_{code}"], marks.get(f"{field}_{code}")
    return "", None


def _offer(doc: dict) -> dict | None:
    """A product hit's price (CNY, or on request) and availability, as its page shows them."""
    if doc["type"] != products.PRODUCT_TYPE:
        return None
    availability = next(iter((doc.get("facets") or {}).get("availability") or []), "")
    amount = doc.get("price")
    return {
        "price": {
            "amount": f"{Decimal(str(amount)):.2f}" if amount is not None else None,
            "currency": CURRENCY,
            "on_request": amount is None,
        },
        "availability": availability,
        "price_text": format_price(amount),
        "availability_text": availability_text(availability),
    }


def present(result: SearchResult) -> dict:
    hits = []
    for hit in result.hits:
        doc = hit.doc
        title, title_html = _pick(doc, hit.highlight, "title")
        desc, desc_html = _pick(doc, hit.highlight, "description")
        if not desc_html:
            desc_html = next(
                (v for k, v in hit.highlight.items() if k.startswith("description")), None
            )
        url = _localized_url(doc["url"])
        entry = {
            "id": hit.id,
            "title": title,
            "title_html": title_html,
            "title_hmn": doc.get("title_hmn") or "",
            "identifier": doc.get("identifier"),
            "url": url,
            "type": doc["type"],
            "type_label": type_label(doc["type"]),
            "collection": doc.get("collection"),
            "year": doc.get("year"),
            "snippet_html": desc_html,
            "snippet": desc[:200],
            "cue": None,
            "offer": _offer(doc),
        }
        if hit.cue:
            second = int(hit.cue["start"])
            entry["cue"] = {
                "start": hit.cue["start"],
                "second": second,
                "time": f"{second // 60}:{second % 60:02d}",
                "text_html": hit.cue.get("text"),
                "url": f"{url}#t={second}",
            }
        hits.append(entry)
    facets = {}
    for name in FACETS:
        buckets = result.facets.get(name, [])
        labels = facet_labels(name, [value for value, _count in buckets])
        facets[name] = [
            {"value": value, "label": labels[value], "count": count} for value, count in buckets
        ]
    return {"hits": hits, "facets": facets}


def _page_links(request, result: SearchResult) -> dict:
    def url(page: int) -> str:
        params = request.GET.copy()
        params["page"] = str(page)
        return "?" + params.urlencode()

    return {
        "previous": url(result.page - 1) if result.page > 1 else None,
        "next": url(result.page + 1) if result.page < result.pages else None,
    }


def _suggestion_url(request, suggestion: str) -> str | None:
    """The "did you mean" link: the same search (filters kept, first page) for its words."""
    if not suggestion:
        return None
    params = request.GET.copy()
    params["q"] = suggestion
    params.pop("page", None)
    return "?" + params.urlencode()


def _facet_links(request, facets: dict, query: SearchQuery) -> list[dict]:
    out = []
    for name in FACETS:
        values = []
        for entry in facets[name]:
            params = request.GET.copy()
            params.pop("page", None)
            chosen = params.getlist(name)
            selected = entry["value"] in chosen
            if selected:
                params.setlist(name, [v for v in chosen if v != entry["value"]])
            else:
                params.setlist(name, [*chosen, entry["value"]])
            values.append({**entry, "selected": selected, "href": "?" + params.urlencode()})
        if values:
            out.append({"name": name, "title": facet_title(name), "values": values})
    return out


@require_GET
def search(request):
    query = parse_request(request)
    searched = bool(query.raw.strip() or query.filters)
    context = {"query": query.raw.strip()[:200], "searched": searched, "sort": query.sort}
    if searched:
        result = run(query)
        shown = present(result)
        facets = _facet_links(request, shown["facets"], query)
        context.update(
            result=result,
            hits=shown["hits"],
            facets=facets,
            chosen=[
                {**v, "facet_title": f["title"]}
                for f in facets
                for v in f["values"]
                if v["selected"]
            ],
            pages=_page_links(request, result),
            degraded=result.degraded,
            filters=query.filters,
            suggestion_url=_suggestion_url(request, result.suggestion),
        )
    _keep_for_everyone(request, context.get("result"))
    return render(request, "search/search.html", context)


@require_GET
def api_search(request):
    query = parse_request(request)
    result = run(query)
    shown = present(result)
    results = [
        {
            "title": h["title"],
            "url": request.build_absolute_uri(h["url"]),
            "type": h["type"],
            "identifier": h["identifier"],
            "collection": h["collection"],
            "year": h["year"],
            "offer": (
                {"price": h["offer"]["price"], "availability": h["offer"]["availability"]}
                if h["offer"]
                else None
            ),
            "highlight": h["title_html"] or h["snippet_html"],
            "transcript": (
                {"start": h["cue"]["start"], "url": request.build_absolute_uri(h["cue"]["url"])}
                if h["cue"]
                else None
            ),
        }
        for h in shown["hits"]
    ]
    body = {
        "query": query.raw.strip()[:200],
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
        "per_page": result.per_page,
        "engine": result.engine,
        "results": results,
        "facets": shown["facets"],
    }
    if result.corrected:
        body["corrected"] = result.corrected
    if result.suggestion:
        body["suggestion"] = result.suggestion
    if result.degraded:
        body["notice"] = _("Search is running in reduced mode.")
    _keep_for_everyone(request, result)
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


@require_GET
def api_related(request):
    """More like this, both ways: ``?item=<page id>`` → products that share the item's
    motifs and techniques; ``?product=<slug>`` → the archive items that share a product's.
    Ranked by the engine (its own more-like-this / shared-vocabulary scoring), filtered by
    the visitor's access like every search."""
    access = policy.audience(request.user)
    if request.GET.get("product"):
        product = Product.objects.shown().filter(slug=_text(request.GET["product"], 80)).first()
        doc_id, want_products = (products.doc_id(product.pk) if product else None), False
    else:
        doc_id, want_products = _int(request.GET.get("item"), 0) or None, True
    found = []
    if doc_id is not None:
        engine = engines.get_engine()
        try:
            found = engine.more_like_this(doc_id, want_products, access)
        except EngineUnavailable:
            found = engines.database_engine().more_like_this(doc_id, want_products, access)
    result = SearchResult(
        total=len(found),
        hits=found,
        facets={},
        page=1,
        per_page=6,
        engine=engine.name if doc_id is not None else "none",
    )
    shown = present(result)
    return JsonResponse(
        {
            "results": [
                {
                    "title": h["title"],
                    "url": request.build_absolute_uri(h["url"]),
                    "type": h["type"],
                    "identifier": h["identifier"],
                }
                for h in shown["hits"]
            ]
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def api_suggest(request):
    prefix = _text(request.GET.get("q"), 100)
    access = policy.audience(request.user)
    engine = engines.get_engine()
    try:
        found = engine.suggest(prefix, access)
    except EngineUnavailable:
        found = engines.database_engine().suggest(prefix, access)
    return JsonResponse(
        {"query": prefix, "suggestions": found}, json_dumps_params={"ensure_ascii": False}
    )
