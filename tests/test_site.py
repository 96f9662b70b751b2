"""What a visitor and a curator see: the home page, item pages, the admin, /healthz."""

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from archive.items.models import EmbroideryPatternPage, ItemPerson
from archive.vocabularies.loader import load_all_vocabularies
from archive.vocabularies.models import Motif, Place, Technique
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pattern():
    load_all_vocabularies()
    _, collections = factories.site_tree()
    artisan = factories.person(name_zh="王美英", name_en="Wang Meiying")
    page = EmbroideryPatternPage(
        title="蝴蝶妈妈袖片",
        title_en="Butterfly Mother sleeve panel",
        identifier="MHA-EMB-9001",
        slug="butterfly-mother-sleeve",
        description_zh="破线绣的蝴蝶妈妈纹样。",
        description_en="A Butterfly Mother motif in split-thread embroidery.",
        access_level="public",
        place=Place.objects.filter(kind="village").first(),
        width_cm=32,
        height_cm=18,
    )
    page.people.add(ItemPerson(person=artisan, role="artisan"))
    page.motifs = [Motif.objects.get(slug="butterfly")]
    page.techniques = list(Technique.objects.all()[:1])
    collections["embroidery"].add_child(instance=page)
    return page


def test_the_home_page_lists_the_three_founding_collections(client):
    call_command("load_collections", stdout=io.StringIO())
    body = client.get("/en/").content.decode()
    for title in ("Embroidery", "Dialect", "Folk music"):
        assert title.lower() in body.lower()
    zh = client.get("/").content.decode()
    assert "刺绣" in zh


def test_an_item_page_shows_its_metadata_in_chinese_and_in_english(client, pattern):
    with translation.override("zh-hans"):
        zh_url = pattern.url
    assert not zh_url.startswith("/en/")
    zh = client.get(zh_url).content.decode()
    assert "破线绣的蝴蝶妈妈纹样" in zh
    assert "蝴蝶" in zh and "王美英" in zh
    en = client.get("/en" + zh_url).content.decode()
    assert "Butterfly Mother sleeve panel" in en
    assert "split-thread embroidery" in en
    assert "Wang Meiying" in en
    assert "32.0 × 18.0 cm" in en or "32 × 18 cm" in en  # the dimensions, not a stray SVG path


def test_dublin_core_has_all_fifteen_elements(pattern):
    dc = pattern.dublin_core()
    assert len(dc) == 15
    assert dc["identifier"] == ["MHA-EMB-9001"]
    assert "王美英 / Wang Meiying" in dc["creator"]
    assert any("蝴蝶" in s for s in dc["subject"])
    assert dc["rights"][0].startswith("http://creativecommons.org/")


def test_the_admin_accepts_the_documented_demo_credentials(client, settings):
    settings.DEBUG = True
    call_command("ensure_demo_admin", stdout=io.StringIO())
    settings.DEBUG = False
    response = client.post(
        reverse("wagtailadmin_login"),
        {"username": "admin", "password": "miao-demo-archive"},
    )
    assert response.status_code == 302
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_healthz_reports_every_component(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    for component in ("database", "search", "storage", "tasks"):
        assert body[component]["status"] == "ok"


def test_healthz_is_503_and_names_the_failing_component(client, settings, tmp_path):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocked / "media"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["storage"]["status"] == "error"
    assert body["database"]["status"] == "ok"


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "archive.settings.production"}
    env.pop("DJANGO_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_refuse_to_start_without_a_shared_cache():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "archive.settings.production",
        "DJANGO_SECRET_KEY": "z" * 60,
        "DJANGO_ALLOWED_HOSTS": "archive.example.org",
    }
    env.pop("REDIS_URL", None)
    env.pop("MHA_CACHE_DIR", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr and "MHA_CACHE_DIR" in result.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "archive.settings.production",
        "DJANGO_SECRET_KEY": "x" * 20
        + "-production-secret-key-for-the-deploy-check-only-"
        + "y" * 10,
        "DJANGO_ALLOWED_HOSTS": "archive.example.org",
        "MHA_CACHE_DIR": str(tmp_path / "cache"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    # The only accepted warning is HSTS preload, off until the operator opts in (README).
    assert "security.W021" in result.stderr or result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("?:")]
    assert all("security.W021" in line for line in lines), result.stderr
