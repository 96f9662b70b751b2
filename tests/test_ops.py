"""Operations: request ids, /metrics behind its lock, the security headers of public pages."""

from __future__ import annotations

import re

import pytest

from tests import factories

pytestmark = pytest.mark.django_db

# An executable inline script: no src, and not a data block (JSON-LD).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", re.I)


def test_every_answer_names_its_request_and_keeps_nginx_s_id(client):
    assert re.fullmatch(r"[0-9a-f]{32}", client.get("/healthz")["X-Request-ID"])
    given = "0123456789abcdef0123456789abcdef"
    assert client.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert forged != "<script>"


def test_metrics_answer_a_local_scraper_only(client, settings):
    client.get("/healthz")
    local = client.get("/metrics")
    assert local.status_code == 200
    body = local.content.decode()
    assert "mha_request_seconds_bucket" in body and "mha_queue_depth" in body
    assert "no-cache" in local["Cache-Control"] or "max-age=0" in local["Cache-Control"]
    # Through nginx (which always sets X-Forwarded-For) it is not there at all...
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    # ... unless the scraper brings the token.
    settings.MHA_METRICS_TOKEN = "scrape-me"
    proxied = {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope", **proxied).status_code == 404
    assert (
        client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me", **proxied).status_code == 200
    )


def test_public_pages_send_a_policy_their_own_scripts_pass(client):
    _, collections = factories.site_tree()
    item = factories.recording(collections["dialects"], speaker=factories.person())
    for url in ("/", "/dialects/", item.url, "/search/?q=song", "/en/"):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "geolocation=()" in response["Permissions-Policy"]
        page = response.content.decode()
        assert not INLINE_SCRIPT.search(page), f"an inline script on {url} would be blocked"
        assert "style=" not in page, f"an inline style on {url} would be blocked"
