"""The public site as a visitor meets it: browsing, filters, item pages in two languages,
discovery (hreflang, JSON-LD, sitemap), low-bandwidth mode, WebVTT and the page cache."""

import json
import re

import pytest
from django.core.cache import cache
from django.utils import translation
from wagtail.models import Page

from archive.access.models import CommunityMembership
from archive.core import pagecache
from tests import factories, site_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(tmp_path):
    return site_data.build(tmp_path, media=False)


@pytest.fixture
def site_with_media(tmp_path):
    return site_data.build(tmp_path, media=True)


def zh_url(page) -> str:
    """The page's unprefixed (Chinese) path, whatever language a previous request left on."""
    with translation.override("zh-hans"):
        return page.url


def html(client, url, **kw):
    response = client.get(url, **kw)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def hidden_titles(site):
    return [p.title_en for p in site["hidden"].values()]


def test_a_collection_filters_by_motif_village_and_period(client, site):
    url = zh_url(site["collections"]["embroidery"])
    everything = html(client, "/en" + url)
    assert "Dragon collar" in everything and "Butterfly Mother sleeve panel" in everything
    butterflies = html(client, "/en" + url + "?motif=butterfly")
    assert "Butterfly Mother sleeve panel" in butterflies and "Butterfly apron" in butterflies
    assert "Dragon collar" not in butterflies
    assert "2 items" in butterflies
    village = html(client, "/en" + url + f"?village={site['village'].slug}")
    assert "Butterfly Mother sleeve panel" in village and "Butterfly apron" not in village
    eighties = html(client, "/en" + url + "?period=1980s")
    assert "Butterfly Mother sleeve panel" in eighties
    assert "Dragon collar" not in eighties and "Butterfly apron" not in eighties
    old = html(client, "/en" + url + "?period=1930s")
    assert "Dragon collar" in old and "Butterfly Mother sleeve panel" not in old


def test_hidden_items_never_appear_in_a_collection_or_its_counts(client, site):
    body = html(client, "/en" + zh_url(site["collections"]["embroidery"]) + "?motif=butterfly")
    for title in hidden_titles(site):
        assert title not in body
    assert "2 items" in body


def test_an_unknown_filter_value_is_explained_not_an_error(client, site):
    url = "/en" + zh_url(site["collections"]["embroidery"])
    body = html(client, url + "?motif=unicorn&period=yesterday&village=atlantis&page=zz")
    assert "There is no motif called “unicorn”" in body
    assert "There is no period called “yesterday”" in body
    assert "There is no village called “atlantis”" in body
    assert "Dragon collar" in body  # the other filters were left out, not everything


def test_pagination_keeps_the_filters(client, site):
    emb = site["collections"]["embroidery"]
    for n in range(30):
        site_data.pattern(emb, identifier=f"MHA-EMB-8{n:03d}", title_en=f"Extra butterfly {n}")
    first = html(client, "/en" + zh_url(emb) + "?motif=butterfly")
    assert "Page 1 of 2" in first
    assert 'href="?motif=butterfly&amp;page=2"' in first
    second = html(client, "/en" + zh_url(emb) + "?motif=butterfly&page=2")
    assert "Page 2 of 2" in second and "Dragon collar" not in second


def test_the_item_page_says_what_it_is_in_a_sentence(client, site):
    en = html(client, "/en" + zh_url(site["main"]))
    place = site["village"].label_en
    sentence = re.search(r'<p class="sentence">(.*?)</p>', en).group(1)
    assert sentence.startswith(("A ", "An "))
    assert f"from {place}" in sentence
    assert "embroidered in split-thread" in sentence
    assert "by Wang Meiying" in sentence and "in the 1980s" in sentence
    cite = re.search(r'<p class="cite"[^>]*>(.*?)</p>', en, re.S).group(1)
    assert cite.startswith("Wang Meiying. “Butterfly Mother sleeve panel”, 1980.")
    assert "MHA-EMB-9001" in cite
    zh = html(client, zh_url(site["main"]))
    zh_sentence = re.search(r'<p class="sentence">(.*?)</p>', zh).group(1)
    assert site["village"].label_zh in zh_sentence and "王美英" in zh_sentence
    assert "1980年代" in zh_sentence


def test_related_items_are_visible_ones_only(client, site):
    body = html(client, "/en" + zh_url(site["main"]))
    related = body.split('id="related-h"')[1].split("</section>")[0]
    assert "Butterfly apron" in related  # the same motif
    assert "Telling the old days" in related  # the same village
    assert "Dragon collar" not in related
    for title in hidden_titles(site):
        assert title not in related


def test_a_community_member_sees_community_items_among_related(client, site):
    community = factories.person(kind="community", consent=None, name_en="Paimo village")
    hidden = site["hidden"]["community"]
    hidden.community = community
    hidden.save()
    member = factories.user()
    CommunityMembership.objects.create(user=member, community=community)
    client.force_login(member)
    related = html(client, "/en" + zh_url(site["main"])).split('id="related-h"')[1]
    assert "Hidden community butterfly" in related
    assert "Hidden restricted butterfly" not in related


def test_every_page_names_its_other_language(client, site):
    for url in ("/", zh_url(site["collections"]["embroidery"]), zh_url(site["main"])):
        body = html(client, url)
        assert f'hreflang="en" href="http://testserver/en{url}"' in body
        assert f'hreflang="zh-Hans" href="http://testserver{url}"' in body
        assert f'hreflang="x-default" href="http://testserver{url}"' in body
        en = html(client, "/en" + url)
        assert '<html lang="en">' in en
        assert f'href="{url}" hreflang="zh-Hans"' in en  # the switcher


def test_vocabulary_labels_follow_the_language_with_the_miao_term_beside(client, site):
    en = html(client, "/en" + zh_url(site["main"]))
    zh = html(client, zh_url(site["main"]))
    assert "Butterfly" in en and '<span class="miao" lang="hmn">' in en
    assert "蝴蝶" in zh


def test_item_pages_carry_schema_org_and_open_graph(client, site):
    for page, kind in ((site["main"], "VisualArtwork"), (site["recording"], "AudioObject")):
        body = html(client, "/en" + zh_url(page))
        data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', body, re.S).group(1))
        assert data["@type"] == kind
        assert data["identifier"] == page.identifier
        assert '<meta property="og:title"' in body and '<meta name="description"' in body


def test_the_sitemap_lists_public_live_items_only(client, site):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    body = response.content.decode()
    assert zh_url(site["main"]) in body and "/en" + zh_url(site["main"]) in body
    assert zh_url(site["recording"]) in body
    for page in site["hidden"].values():
        assert f"/{page.slug}/" not in body


def test_the_transcript_is_served_as_webvtt_to_those_who_may_see_the_item(client, site):
    rec = site["recording"]
    response = client.get(f"/iiif/3/item/{rec.pk}/transcript.en.vtt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/vtt")
    text = response.content.decode()
    assert text.startswith("WEBVTT")
    assert "00:00:03.000 --> 00:00:06.000\nWe sing" in text
    assert "Dail hxak" in client.get(f"/iiif/3/item/{rec.pk}/transcript.hmn.vtt").content.decode()
    assert client.get(f"/iiif/3/item/{rec.pk}/transcript.fr.vtt").status_code == 404
    rec.access_level = "restricted"
    rec.save()
    assert client.get(f"/iiif/3/item/{rec.pk}/transcript.en.vtt").status_code == 404


def test_low_bandwidth_mode_shows_no_pictures_until_tapped(client, site_with_media):
    item_url = "/en" + zh_url(site_with_media["main"])
    normal = html(client, item_url)
    assert "srcset=" in normal and "tap-to-load" not in normal
    response = client.get("/low-bandwidth", {"on": "1", "next": item_url})
    assert response.status_code == 302 and response["Location"] == item_url
    light = html(client, item_url)
    assert "<img" not in light and "srcset=" not in light
    assert 'class="tap-to-load"' in light and "/thumb" in light
    assert "<img" not in html(client, "/en/")
    client.get("/low-bandwidth", {"on": "0", "next": "/"})
    assert "srcset=" in html(client, item_url)


def test_the_low_bandwidth_switch_never_redirects_off_site(client):
    response = client.get("/low-bandwidth", {"on": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_audio_waits_to_be_asked_for(client, site_with_media):
    body = html(client, "/en" + zh_url(site_with_media["recording"]))
    assert re.search(r'<audio [^>]*controls[^>]*preload="none"', body)
    assert 'href="#t=3"' in body  # each line is a link into the recording
    assert "We sing" in body and "我们唱歌" in body and "Dail hxak" in body


@pytest.fixture
def page_cache(settings):
    settings.MHA_PAGE_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def test_anonymous_pages_are_cached_and_publishing_refreshes_them(client, site, page_cache):
    url = "/en" + zh_url(site["collections"]["embroidery"])
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    assert client.get(url + "?motif=dragon")["X-Page-Cache"] == "miss"
    new = site_data.pattern(
        site["collections"]["embroidery"],
        identifier="MHA-EMB-7001",
        title_en="Freshly published dragon",
        live=False,
    )
    new.save_revision().publish()
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Freshly published dragon" in response.content.decode()
    Page.objects.get(pk=new.pk).specific.unpublish()
    assert "Freshly published dragon" not in client.get(url).content.decode()


def test_a_drafts_media_leaves_the_cache_alone_and_a_published_items_empties_it(
    client, site, page_cache, tmp_path
):
    """A curator's upload to a draft item (and its derivatives being made) is on no public
    page, so it must not empty the whole site's cache; a published item's media does."""
    from archive.assets.models import MediaAsset
    from archive.assets.signals import asset_ready

    url = "/en" + zh_url(site["collections"]["embroidery"])
    original = factories.original(b"not really a picture", "a.jpg", "image/jpeg", "image")

    client.get(url)
    draft = site["hidden"]["draft"]
    asset = MediaAsset.objects.create(item=draft, original=original)
    asset_ready.send(MediaAsset, asset_id=asset.pk, item_id=draft.pk)
    asset.delete()
    assert client.get(url)["X-Page-Cache"] == "hit"

    published = site["related"]
    asset = MediaAsset.objects.create(item=published, original=original)
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    asset_ready.send(MediaAsset, asset_id=asset.pk, item_id=published.pk)  # now it can be shown
    assert client.get(url)["X-Page-Cache"] == "miss"
    MediaAsset.objects.filter(pk=asset.pk).update(access_level="restricted")
    asset.refresh_from_db()
    client.get(url)
    asset.save()  # a narrower access level, saved
    assert client.get(url)["X-Page-Cache"] == "miss"


def test_the_cache_key_holds_language_and_low_bandwidth(client, site, page_cache):
    url = zh_url(site["main"])
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get("/en" + url)["X-Page-Cache"] == "miss"
    client.cookies[pagecache.LOW_BANDWIDTH_COOKIE] = "1"
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"


def test_a_curators_view_of_a_restricted_item_never_reaches_the_anonymous_cache(
    client, site, page_cache
):
    restricted = site["hidden"]["restricted"]
    curator = factories.user(groups=("Curators",))
    client.force_login(curator)
    response = client.get("/en" + zh_url(restricted))
    assert (
        response.status_code == 200 and "Hidden restricted butterfly" in response.content.decode()
    )
    assert "X-Page-Cache" not in response
    assert "no-store" in response["Cache-Control"]
    client.logout()
    response = client.get("/en" + zh_url(restricted))
    assert response.status_code == 404
    assert "Hidden restricted butterfly" not in response.content.decode()
    # Nor does a cached anonymous page reach the curator.
    public_url = "/en" + zh_url(site["collections"]["embroidery"])
    client.get(public_url)
    assert client.get(public_url)["X-Page-Cache"] == "hit"
    client.force_login(curator)
    response = client.get(public_url)
    assert "X-Page-Cache" not in response
    assert "Hidden restricted butterfly" in response.content.decode()


def test_the_home_page_offers_ways_in_and_a_map_of_villages(client, site):
    body = html(client, "/en/")
    emb = zh_url(site["collections"]["embroidery"])
    assert f'href="/en{emb}?motif=butterfly"' in body
    assert f'href="/en{emb}?technique=split-thread"' in body
    assert '<svg class="village-map"' in body and "<circle" in body
    village_list = body.split('class="village-list"')[1].split("</ul>")[0]
    assert site["village"].label_en in village_list
    for title in hidden_titles(site):
        assert title not in body
