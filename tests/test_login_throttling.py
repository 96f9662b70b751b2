"""Sign-in throttling: five wrong passwords lock a username from one address, on every door."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.utils import timezone

from archive.core.login_throttling import client_ip
from tests import factories

pytestmark = pytest.mark.django_db

#: Every view that signs a person in with a password (see archive/urls.py): the Wagtail
#: admin, the Django admin, and Wagtail's front-end login for private pages.
DOORS = ["/admin/login/", "/django-admin/login/", "/_util/login/"]
PASSWORD = "pw-for-tests"  # noqa: S105  (tests.factories.user's password)

ZH_TITLE = "登录失败次数过多"
ZH_WAIT = "请在 15 分钟后再试"
ZH_CURATOR = "策展人"
EN_TITLE = "Too many failed sign-in attempts"
EN_WAIT = "Please try again in 15 minutes."
EN_CURATOR = "ask a curator"


@pytest.fixture
def curator():
    return factories.user("meiying", is_staff=True, is_superuser=True)


@pytest.fixture
def colleague():
    return factories.user("laowang", is_staff=True, is_superuser=True)


def sign_in(client: Client, door: str, username: str, password: str, **headers):
    return client.post(door, {"username": username, "password": password}, **headers)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(client: Client, door: str, username: str, times: int, **headers):
    return [sign_in(client, door, username, "wrong", **headers) for _ in range(times)]


@pytest.mark.parametrize("door", DOORS)
def test_five_wrong_passwords_lock_out_even_the_right_one(client, curator, door):
    responses = fail(client, door, "meiying", 5)
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4].status_code == 429

    response = sign_in(client, door, "meiying", PASSWORD)

    assert response.status_code == 429
    assert not signed_in(client)
    page = response.content.decode()
    assert ZH_TITLE in page and ZH_WAIT in page and ZH_CURATOR in page
    assert 'lang="zh-Hans"' in page


def assert_english(response):
    assert response.status_code == 429
    assert response["Content-Language"] == "en"
    page = response.content.decode()
    assert EN_TITLE in page and EN_WAIT in page and EN_CURATOR in page
    assert ZH_TITLE not in page
    assert '<html lang="en">' in page


@pytest.mark.parametrize("door", ["/admin/login/", "/django-admin/login/"])
def test_admin_doors_answer_in_english_to_an_english_browser(client, curator, door):
    # The admin doors have one address for everyone, so the browser's language decides.
    fail(client, door, "meiying", 5, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert_english(sign_in(client, door, "meiying", PASSWORD, HTTP_ACCEPT_LANGUAGE="en"))


def test_the_english_site_login_answers_in_english(client, curator):
    # On the public site the address is the language, as for every public page.
    fail(client, "/en/_util/login/", "meiying", 5)

    assert_english(sign_in(client, "/en/_util/login/", "meiying", PASSWORD))

    chinese = sign_in(client, "/_util/login/", "meiying", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert chinese.status_code == 429
    assert ZH_WAIT in chinese.content.decode()


@pytest.mark.parametrize("door", DOORS)
def test_a_colleague_at_the_same_address_can_still_sign_in(client, curator, colleague, door):
    fail(client, door, "meiying", 5)

    other = Client()
    response = sign_in(other, door, "laowang", PASSWORD)

    assert response.status_code == 302
    assert signed_in(other)


@pytest.mark.parametrize("door", DOORS)
def test_right_password_works_again_after_the_cool_off(client, curator, door):
    fail(client, door, "meiying", 5)
    assert sign_in(client, door, "meiying", PASSWORD).status_code == 429

    # Fourteen minutes on, still locked; sixteen minutes on, the cool-off is over.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert sign_in(client, door, "meiying", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = sign_in(client, door, "meiying", PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_axes_reset_lifts_a_lockout_at_once(client, curator):
    fail(client, "/admin/login/", "meiying", 5)

    call_command("axes_reset", verbosity=0)

    assert sign_in(client, "/admin/login/", "meiying", PASSWORD).status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("door", DOORS)
def test_a_successful_sign_in_before_the_limit_forgets_the_failures(client, curator, door):
    fail(client, door, "meiying", 4)
    assert sign_in(client, door, "meiying", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()
    client.logout()

    responses = fail(client, door, "meiying", 4)
    assert [r.status_code for r in responses] == [200] * 4
    assert sign_in(client, door, "meiying", PASSWORD).status_code == 302


def test_failures_on_different_doors_add_up(client, curator):
    fail(client, "/admin/login/", "meiying", 2)
    fail(client, "/django-admin/login/", "meiying", 2)
    assert fail(client, "/_util/login/", "meiying", 1)[0].status_code == 429

    assert sign_in(client, "/admin/login/", "meiying", PASSWORD).status_code == 429


def test_a_forged_forwarded_for_header_does_not_escape_the_lockout(client, curator):
    # With no trusted proxy (the default) X-Forwarded-For is the visitor's own word.
    for n in range(5):
        sign_in(client, "/admin/login/", "meiying", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")

    response = sign_in(
        client, "/admin/login/", "meiying", PASSWORD, HTTP_X_FORWARDED_FOR="10.0.0.99"
    )

    assert response.status_code == 429


def test_behind_a_trusted_proxy_each_visitor_is_counted_apart(client, curator, settings):
    settings.MHA_TRUSTED_PROXY_COUNT = 1
    fail(client, "/admin/login/", "meiying", 5, HTTP_X_FORWARDED_FOR="203.0.113.7")

    elsewhere = Client()
    response = sign_in(
        elsewhere, "/admin/login/", "meiying", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2"
    )

    assert response.status_code == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "192.0.2.1"),  # header ignored without a trusted proxy
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client's own prefix ignored
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "203.0.113.7", "192.0.2.1"),  # fewer hops than proxies: not through them
        (1, "not-an-address", "192.0.2.1"),
        (1, "", "192.0.2.1"),
    ],
)
def test_client_address_trusts_only_the_configured_proxies(settings, count, forwarded, expected):
    settings.MHA_TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected
