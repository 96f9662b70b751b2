"""IIIF Authorization Flow 2.0, as a viewer meets it: probe, sign-in, token, logout.

A public song from Paimo village; its picture is shared with Paimo's members, its recording
with signed-in visitors, a second picture with curators only. Each role probes each of them
(with a token from the token service, as a viewer on another origin would) before and after
the singer withdraws her consent; a token never opens more than the access policy allows
at the moment of the probe.
"""

from __future__ import annotations

import json
import re

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from archive.people.models import ConsentRecord
from demo import mediamaker as make
from tests import factories
from tests.iiif_support import add_media, made_once

VIEWER = "https://viewer.example.org"
ROLES = ("anonymous", "registered", "member", "other-member", "teacher", "contributor", "curator")

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("auth-media")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_root, tmp_path_factory):
    src = tmp_path_factory.mktemp("auth-src")
    with made_once(django_db_blocker, media_root):
        _, collections = factories.site_tree()
        village = factories.person(kind="community", consent=None, name_en="Paimo village")
        elsewhere = factories.person(kind="community", consent=None, name_en="Langde")
        singer = factories.person(consent="public_web", name_en="Yang Ayi")
        item = factories.recording(
            collections["dialects"], speaker=singer, community=village, title="飞歌"
        )
        media = {
            "community picture": add_media(
                item, make.card(src / "members.jpg", 400, 300), access_level="community"
            ),
            "registered recording": add_media(
                item, make.tone(src / "song.wav", 1.0), access_level="registered"
            ),
            "curators' picture": add_media(
                item, make.card(src / "secret.jpg", 300, 200), access_level="restricted"
            ),
        }
        users = factories.role_users(village, elsewhere)
        yield {"item": item, "media": media, "users": users, "singer": singer}


@pytest.fixture(autouse=True)
def _media(settings, media_root):
    settings.MEDIA_ROOT = media_root
    cache.clear()


def expected(role: str, what: str) -> int:
    """The README's promise, written out apart from the policy module."""
    if role == "curator":
        return 200
    if what == "curators' picture":
        return 404  # no sign-in opens it, so it is not announced
    if role == "anonymous":
        return 401
    if what == "registered recording" or role == "member":
        return 200
    return 403


def sign_in(client, world, role: str) -> str | None:
    """Sign in (if the role has an account) and take a token as a viewer would: None for an
    anonymous viewer, who gets no token."""
    if role == "anonymous":
        return None
    client.force_login(world["users"][role])
    message = token_message(client, VIEWER)
    assert message["type"] == "AuthAccessToken2"
    return message["accessToken"]


def token_message(client, origin: str, message_id: str = "m1") -> dict:
    response = client.get("/iiif/auth/2/token", {"messageId": message_id, "origin": origin})
    assert response.status_code == 200
    assert "X-Frame-Options" not in response  # it must load in the viewer's iframe
    html = response.content.decode()
    found = re.search(
        r'<script id="iiif-auth-message" type="application/json">(.*?)</script>', html
    )
    post = json.loads(found.group(1))
    assert post["message"]["messageId"] == message_id
    # A token is posted to the origin that asked for it and nowhere else.
    if post["message"]["type"] == "AuthAccessToken2":
        assert post["target"] == origin
    return post["message"]


def probe(client, asset, token: str | None, origin: str = VIEWER) -> dict:
    headers = {"Origin": origin}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = client.get(f"/iiif/auth/2/probe/{asset.pk}", headers=headers)
    assert response.status_code == 200  # the answer is in the body
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "no-store" in response["Cache-Control"]
    doc = response.json()
    assert doc["type"] == "AuthProbeResult2"
    assert doc["@context"] == "http://iiif.io/api/auth/2/context.json"
    return doc


@pytest.mark.parametrize("role", ROLES)
def test_each_role_probes_each_resource_with_a_token_from_another_origin(world, client, role):
    token = sign_in(client, world, role)
    viewer = client_class(client)  # a viewer on another origin sends no cookie, only the token
    for what, asset in world["media"].items():
        result = probe(viewer, asset, token)
        assert result["status"] == expected(role, what), f"{role} / {what}"
        if result["status"] in (401, 403):
            assert result["heading"]["en"] and result["heading"]["zh-Hans"]


@pytest.mark.parametrize("role", ROLES)
def test_a_token_opens_nothing_after_the_singer_withdraws(
    world, client, role, django_capture_on_commit_callbacks
):
    token = sign_in(client, world, role)
    viewer = client_class(client)
    with transaction.atomic():
        consent = ConsentRecord.objects.get(person=world["singer"], scope="public_web")
        consent.withdrawn_on = timezone.localdate()
        with django_capture_on_commit_callbacks(execute=True):
            consent.save()
        for what, asset in world["media"].items():
            assert probe(viewer, asset, token)["status"] == 404, f"{role} / {what}"
            assert client.get(f"/iiif/3/item/{world['item'].pk}/manifest").status_code == 404
        transaction.set_rollback(True)


def test_the_doors_answer_what_the_probe_said(world, client):
    pic = world["media"]["community picture"]
    song = world["media"]["registered recording"]
    secret = world["media"]["curators' picture"]
    info = client.get(f"/iiif/3/{pic.pk}/info.json")
    assert info.status_code == 401
    assert info["Access-Control-Allow-Origin"] == "*"  # a viewer elsewhere reads the probe
    doc = info.json()
    assert doc["@context"][-1] == "http://iiif.io/api/image/3/context.json"
    assert doc["service"][0]["id"].endswith(f"/iiif/auth/2/probe/{pic.pk}")
    assert client.get(f"/iiif/3/{pic.pk}/full/100,/0/default.jpg").status_code == 401
    assert client.get(f"/assets/{song.pk}/opus").status_code == 401
    assert client.get(f"/iiif/3/{secret.pk}/info.json").status_code == 404

    client.force_login(world["users"]["other-member"])
    assert client.get(f"/iiif/3/{pic.pk}/info.json").status_code == 403
    assert client.get(f"/iiif/3/{pic.pk}/full/100,/0/default.jpg").status_code == 403
    assert client.get(f"/assets/{song.pk}/opus").status_code == 200

    client.force_login(world["users"]["member"])
    info = client.get(f"/iiif/3/{pic.pk}/info.json")
    assert info.status_code == 200
    assert info.json()["service"][0]["type"] == "AuthProbeService2"  # still not public
    assert client.get(f"/iiif/3/{pic.pk}/full/100,/0/default.jpg").status_code == 200


def test_the_manifest_announces_what_sign_in_opens_with_its_services(world, client):
    item = world["item"]
    doc = client.get(f"/iiif/3/item/{item.pk}/manifest").json()
    assert doc["@context"] == [
        "http://iiif.io/api/auth/2/context.json",
        "http://iiif.io/api/presentation/3/context.json",
    ]
    text = json.dumps(doc)
    pic, song, secret = world["media"].values()
    assert f"/probe/{pic.pk}" in text and f"/probe/{song.pk}" in text
    assert f"/iiif/3/{secret.pk}" not in text  # for curators only: not announced
    assert "/thumb" not in text and "/waveform" not in text  # locked previews stay locked
    probes = [
        s
        for canvas in doc["items"]
        for body in _bodies(canvas)
        for s in body.get("service", [])
        if s["type"] == "AuthProbeService2"
    ]
    assert {p["id"].rsplit("/", 1)[1] for p in probes} == {str(pic.pk), str(song.pk)}
    access = probes[0]["service"][0]
    assert access["type"] == "AuthAccessService2" and access["profile"] == "active"
    assert access["id"].endswith("/iiif/auth/2/access")
    assert {s["type"] for s in access["service"]} == {
        "AuthAccessTokenService2",
        "AuthLogoutService2",
    }
    assert access["label"]["zh-Hans"] == ["登录苗族文化遗产档案馆"]


def _bodies(canvas: dict) -> list[dict]:
    out = []
    for page in canvas["items"]:
        for anno in page["items"]:
            body = anno["body"]
            out += body.get("items", [body]) if body.get("type") == "Choice" else [body]
    return out


def test_the_access_service_signs_in_and_closes_its_window(world, client):
    url = f"/iiif/auth/2/access?origin={VIEWER}"
    form = client.get(url)
    assert form.status_code == 200
    assert 'name="password"' in form.content.decode()
    # It must stay the viewer's window: no opener policy that cuts it from the viewer.
    assert form["Cross-Origin-Opener-Policy"] == "unsafe-none"
    member = world["users"]["member"]
    wrong = client.post(url, {"username": member.username, "password": "wrong"})
    assert wrong.status_code == 200 and "window.close()" not in wrong.content.decode()
    signed_in = client.post(
        url, {"username": member.username, "password": "pw-for-tests"}, follow=True
    )
    assert signed_in.redirect_chain[0][0] == url
    assert "window.close()" in signed_in.content.decode()
    assert signed_in["Cross-Origin-Opener-Policy"] == "unsafe-none"
    token = token_message(client, VIEWER)["accessToken"]
    pic = world["media"]["community picture"]
    assert probe(client_class(client), pic, token)["status"] == 200


def test_the_access_service_is_throttled_like_every_sign_in(world, client, settings):
    member = world["users"]["registered"]
    url = "/iiif/auth/2/access"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": member.username, "password": "wrong"})
    locked = client.post(url, {"username": member.username, "password": "pw-for-tests"})
    assert locked.status_code == 429
    assert "window.close()" not in locked.content.decode()


def test_a_token_is_good_only_from_its_origin_and_only_while_signed_in(world, client):
    client.force_login(world["users"]["member"])
    token = token_message(client, VIEWER)["accessToken"]
    pic = world["media"]["community picture"]
    viewer = client_class(client)
    assert probe(viewer, pic, token)["status"] == 200
    assert probe(viewer, pic, token, origin="https://elsewhere.example")["status"] == 401
    assert probe(viewer, pic, "made-up-token")["status"] == 401
    # The logout service asks before signing out (a GET signs no one out).
    assert "<form" in client.get("/iiif/auth/2/logout").content.decode()
    assert probe(viewer, pic, token)["status"] == 200
    client.post("/iiif/auth/2/logout")
    assert probe(viewer, pic, token)["status"] == 401


def test_the_token_service_explains_why_there_is_no_token(world, client, settings):
    assert token_message(client, VIEWER)["profile"] == "missingAspect"
    client.force_login(world["users"]["member"])
    for origin in ("null", "https://viewer.example.org/path", "javascript:alert(1)"):
        assert token_message(client, origin)["profile"] == "invalidOrigin", origin
    response = client.get("/iiif/auth/2/token", {"origin": VIEWER})
    assert "invalidRequest" in response.content.decode()
    settings.MHA_IIIF_AUTH_ORIGINS = ["https://mirador.example.net"]
    assert token_message(client, VIEWER)["profile"] == "invalidOrigin"
    assert token_message(client, "https://mirador.example.net")["type"] == "AuthAccessToken2"


def test_a_viewer_may_send_its_token_across_origins(client):
    response = client.options("/iiif/auth/2/probe/1", headers={"Origin": VIEWER})
    assert response.status_code == 204
    assert "Authorization" in response["Access-Control-Allow-Headers"]
    assert response["Access-Control-Allow-Origin"] == "*"


def client_class(client):
    """A fresh client: a viewer on another origin, which sends the token and no cookie."""
    return type(client)()
