"""Prometheus metrics (prometheus-client): request latency, queue depth, task and pipeline
durations, search latency, at ``/metrics``.

Several processes serve one site (two gunicorn instances of several workers each, the task
workers): with ``PROMETHEUS_MULTIPROC_DIR`` set (deploy/stack.env) every process writes its
samples there and ``/metrics`` adds them up, workers' task durations included. Queue depth is
read when scraped. ``/metrics`` answers only a direct local connection (not through nginx,
which always sets X-Forwarded-For) or a request bearing ``MHA_METRICS_TOKEN``.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

#: Up to 10 s: a page should take tens of milliseconds, a slow link's upload longer.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_SECONDS = Histogram(
    "mha_request_seconds",
    "Time to answer a request in the app, by route and status class.",
    ["method", "route", "status"],
    buckets=LATENCY_BUCKETS,
)
SEARCH_SECONDS = Histogram(
    "mha_search_seconds",
    "Time of one search against the engine, facets and access filter included.",
    ["engine"],
    buckets=LATENCY_BUCKETS,
)
TASK_SECONDS = Histogram(
    "mha_task_seconds",
    "Time a background task ran (derivatives, indexing, take-downs), by task and outcome.",
    ["task", "status"],
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600),
)


class QueueCollector:
    """The task queue as /healthz sees it, read at scrape time."""

    def collect(self):
        from archive.portal.health import queue_state

        state = queue_state()
        depth = GaugeMetricFamily("mha_queue_depth", "Tasks waiting to start.")
        depth.add_metric([], state.waiting or 0)
        yield depth
        oldest = GaugeMetricFamily("mha_queue_oldest_seconds", "Wait of the oldest task.")
        oldest.add_metric([], state.oldest_seconds or 0)
        yield oldest
        workers = GaugeMetricFamily("mha_workers_alive", "Task workers beating.")
        workers.add_metric([], state.workers)
        yield workers


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.route or match.view_name or "unknown"


class MetricsMiddleware:
    """Times each request; labelled by route pattern, never by URL (bounded label set)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        REQUEST_SECONDS.labels(
            method=request.method if request.method in ("GET", "HEAD", "POST") else "other",
            route=_route(request)[:80],
            status=f"{response.status_code // 100}xx",
        ).observe(time.perf_counter() - started)
        return response


def allowed(request: HttpRequest) -> bool:
    token = settings.MHA_METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    direct = "HTTP_X_FORWARDED_FOR" not in request.META
    return direct and request.META.get("REMOTE_ADDR") in ("127.0.0.1", "::1")


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        return HttpResponse(status=404)  # as if there were nothing here
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
    body = generate_latest(registry) + generate_latest(_queue_registry())
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


def _queue_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(QueueCollector())
    return registry
