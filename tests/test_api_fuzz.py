"""Property-based testing of the JSON API against its own OpenAPI document (Schemathesis).

Schemathesis reads ``/api/v1/openapi.json`` and, for every operation, generates requests
from the described parameters and bodies (and some that break them), sends them to the
application in-process (WSGI, no server), and checks each answer: no 5xx, a status code,
content type and body the document declares. The run is bounded (a fixed number of examples
per operation, no deadline) so it fits the suite; anonymous callers meet every operation,
so what they must never see is tested too: a fuzzed request never reaches a non-public item.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests import factories

pytestmark = pytest.mark.django_db

EXAMPLES = 15


@pytest.fixture
def api_schema(db):
    _, collections = factories.site_tree()
    speaker = factories.person()
    for level in ("public", "restricted"):
        factories.recording(
            collections["dialects"],
            speaker=speaker,
            access=level,
            identifier=f"MHA-FUZZ-{level.upper()}",
        )
    # The WSGI handler closes "old" connections at each request's start and end, and a
    # connection inside the test's transaction looks old to it: on PostgreSQL that closes the
    # test's own connection. Django's test client leaves them open the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _operations(schema) -> list:
    out = []
    for result in schema.get_all_operations():
        out.append(result.ok())
    return out


def test_the_api_keeps_its_own_contract(api_schema):
    # Schemathesis' own pytest plugin does not run under pytest 9 yet, so each operation's
    # strategy is driven here with Hypothesis directly; the checks are Schemathesis' own.
    operations = _operations(api_schema)
    assert len(operations) >= 12
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case):
            # An opaque cursor cannot be described by a schema: a made-up one is refused
            # with the documented 400, which is right, not a rejection of valid data.
            made_up_cursor = "cursor" in (case.query or {})
            excluded = [positive_data_acceptance] if made_up_cursor else []
            # The WSGI transport hands back the body as sent; a gzip one (the site compresses
            # JSON for clients that ask) would not decode, so this client asks for none.
            response = case.call_and_validate(
                headers={"Accept-Encoding": "identity"}, excluded_checks=excluded
            )
            assert b"MHA-FUZZ-RESTRICTED" not in response.content

        check()


def test_a_nul_byte_in_a_search_is_dropped_not_a_server_error(client):
    """Found by the fuzzer on PostgreSQL, which refuses NUL in text: a search with one in its
    words or filters answers like the same search without it."""
    factories.site_tree()
    for url in (
        "/api/v1/search?q=%00&collection=%00dialects&sort=%00",
        "/search/?q=a%00b&motif=%00",
        "/api/v1/search/suggest?q=%00hu",
    ):
        assert client.get(url).status_code == 200, url
