"""``/oai``: the OAI-PMH 2.0 endpoint (GET or POST, as the spec allows)."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import protocol


@csrf_exempt  # harvesters POST form-encoded requests without a session; nothing is written
@require_http_methods(["GET", "HEAD", "POST"])
def oai(request) -> HttpResponse:
    query = request.POST if request.method == "POST" else request.GET
    base_url = request.build_absolute_uri(request.path)
    req = protocol.Request("", {}, base_url, request.build_absolute_uri)
    try:
        req.verb, req.args = protocol.parse(dict(query.lists()))
        body = protocol.respond(req)
    except protocol.OAIError as err:
        body = protocol.error_document(req, err)
    response = HttpResponse(body, content_type="text/xml; charset=utf-8")
    # Records change when consent is withdrawn: no shared cache may keep a stale list.
    response["Cache-Control"] = "no-cache"
    return response
