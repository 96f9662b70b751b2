"""The search page. Every hit passes through the access policy before the engine counts it."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render

from archive.access import policy

MAX_QUERY_LENGTH = 200


def search(request):
    from archive.items.models import ItemPage

    query = (request.GET.get("q") or "").strip()[:MAX_QUERY_LENGTH]
    results = None
    if query:
        # Filter first, then search: the engine never sees what the visitor may not.
        visible = policy.visible_items(ItemPage.objects.all(), request.user)
        hits = visible.search(query, operator="or")
        results = Paginator(hits, 20).get_page(request.GET.get("page"))
    return render(request, "search/search.html", {"query": query, "results": results})
