"""The public site on a phone, checked in the HTML the server sends: results before
filters, no English on the Chinese pages, labels an elder can read."""

import re
from pathlib import Path

import pytest
from django.utils import translation

from tests import factories, site_data
from tests import search_support as support

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(tmp_path):
    return site_data.build(tmp_path, media=False)


def zh_url(page) -> str:
    with translation.override("zh-hans"):
        return page.url


def html(client, url, **kw):
    response = client.get(url, **kw)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.fixture
def searchable(settings):
    engine = support.configure(settings, "database")
    data = support.corpus()
    support.reindex(engine)
    return data


def test_search_results_come_before_the_facets_which_wait_in_a_closed_drawer(client, searchable):
    body = html(client, "/search/", data={"q": "蝴蝶"})
    drawer = re.search(r"<details class=\"filters facets\"( open)?>", body)
    assert drawer and not drawer.group(1), "the facet drawer starts closed"
    assert "<summary>筛选和排序" in body
    # Nothing long stands between the heading and the first result: only the count and
    # the one-line drawer button.
    assert body.index("<summary>") < body.index('<ol class="hits">')
    assert body.index('class="facet"') > body.index("<details")
    assert body.index('id="sort"') > body.index("<details")


def test_a_chosen_facet_shows_as_a_removable_chip_above_the_results(client, searchable):
    body = html(client, "/search/", data={"q": "蝴蝶", "type": "embroidery"})
    chips = re.search(r'<ul class="chips active-filters".*?</ul>', body, re.S).group(0)
    assert "类型" in chips or "种类" in chips
    assert "type=embroidery" not in re.search(r'href="([^"]*)"', chips).group(1)
    assert "（已选 1 项）" in body
    assert body.index("active-filters") < body.index('<ol class="hits">')


def test_the_collection_filter_panel_stays_closed_and_says_how_many_are_chosen(client, site):
    url = zh_url(site["collections"]["embroidery"])
    body = html(client, url + "?motif=butterfly")
    assert re.search(r'<details class="filters">', body), "closed while filtering"
    assert "筛选已筛选" not in re.sub(r"<[^>]+>|\s", "", body)
    assert "（已选 1 项）" in body
    en = html(client, "/en" + url + "?motif=butterfly")
    assert "Filteron" not in re.sub(r"<[^>]+>|\s", "", en)
    assert "(1 chosen)" in en


# --- finding 4: no English, no glitches on the Chinese site ---------------------------
def test_tags_and_decades_read_in_chinese(client, site):
    main = site["main"]
    main.tags.add("creation-myth", "wedding", "nobody-labelled-this")
    main.save_revision().publish()
    body = html(client, zh_url(main))
    tags = re.search(r"<dt>标签</dt><dd>(.*?)</dd>", body).group(1)
    assert "创世神话" in tags and "婚礼" in tags and "nobody labelled this" in tags
    assert "creation-myth" not in tags and "wedding" not in tags
    en = html(client, "/en" + zh_url(main))
    assert "creation myth" in re.search(r"<dt>Tags</dt><dd>(.*?)</dd>", en).group(1)
    collection = html(client, zh_url(site["collections"]["embroidery"]))
    periods = re.search(r'<select id="f-period".*?</select>', collection, re.S).group(0)
    assert "1980年代" in periods and "1930年代" in periods and "0s<" not in periods


def test_the_transcript_names_miao_in_chinese_and_marks_which_lines_have_it(client, site):
    rec = site["recording"]
    from archive.items.models import TranscriptCue

    TranscriptCue.objects.create(item=rec, start=20, end=22, text_zh="只有中文", sort_order=9)
    body = html(client, zh_url(rec))
    assert ">Hmub<" not in body
    assert 'data-show="hmn" aria-pressed="false">苗语</button>' in body
    line = re.search(r'<li data-start="20[^"]*"[^>]*>', body).group(0)
    assert 'data-langs="zh "' in line  # no Miao: hidden in the Miao-only view
    assert 'data-langs="hmn zh en"' in body


def test_media_players_carry_visible_labels(client, tmp_path):
    data = site_data.build(tmp_path, media=True)
    body = html(client, zh_url(data["recording"]))
    label = re.search(r'<p class="media-label" id="(audio-label-\d+)">(.*?)</p>', body)
    assert label and "听：录音" in label.group(2)
    assert f'aria-labelledby="{label.group(1)}"' in body


def test_the_chinese_sentence_reads_naturally(client, site):
    body = html(client, zh_url(site["main"]))
    sentence = re.search(r'<p class="sentence">(.*?)</p>', body).group(1)
    assert sentence.startswith("1980年代，"), sentence
    assert "演唱（奏）" not in sentence


def test_a_missing_page_is_a_friendly_chinese_404_with_ways_back(client, site):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "没有找到这个网页" in body and "回到首页" in body
    assert 'href="/search/"' in body
    en = client.get("/en/no-such-page/")
    assert en.status_code == 404 and "We could not find this page" in en.content.decode()


def test_every_page_has_a_favicon(client, site):
    body = html(client, "/")
    assert re.search(r'<link rel="icon" href="[^"]*favicon\.svg"', body)
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")


def test_village_map_labels_are_legible_and_never_overlap(client, site):
    from archive.portal import home

    body = html(client, "/")
    for size in re.findall(r'class="map-label" font-size="(\d+)"', body):
        assert int(size) >= 12
    # Crowded villages: labels that would overlap are moved or left to the list.
    from archive.vocabularies.models import Place

    crowd = [
        {"place": Place(label_zh=f"村寨{n}号", label_en=f"Village {n}"), "x": 160 + n, "y": 120}
        for n in range(6)
    ]
    for v in crowd:
        v["r"] = 5
    with translation.override("zh-hans"):
        home.place_labels(crowd)
        boxes = []
        for v in crowd:
            if v["label"]:
                side = {"start": "right", "end": "left"}.get(v["label"]["anchor"])
                side = side or ("above" if v["label"]["y"] < v["y"] else "below")
                boxes.append(home._label_box(v, side)[:4])
    assert boxes
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)


# --- finding 5: page weight --------------------------------------------------------------
def test_related_thumbnails_wait_until_scrolled_to_and_keep_their_space(client, tmp_path):
    data = site_data.build(tmp_path, media=True)
    body = html(client, "/en" + zh_url(data["main"]))
    related = body.split('class="related"')[1]
    imgs = re.findall(r"<img [^>]*>", related)
    assert imgs
    for img in imgs:
        assert 'loading="lazy"' in img
        assert re.search(r'width="\d+"', img) and re.search(r'height="\d+"', img), img


def test_the_zoom_is_labelled_in_chinese(client, tmp_path):
    data = site_data.build(tmp_path, media=True)
    body = html(client, zh_url(data["main"]))
    script = re.search(r'<script defer src="[^"]*zoom\.js"[^>]*>', body)
    if script is None:
        pytest.skip("no zoomable picture without IIIF tiles in this build")
    tag = script.group(0)
    for label in ("放大", "缩小", "看全图", "正在加载放大图"):
        assert label in tag, label


# --- the rest of issue 17: the first picture right-sized, a picture page, citations, VTT --
def test_the_first_picture_offers_phone_sizes_and_a_phone_never_asks_for_3x(client, tmp_path):
    data = site_data.build(tmp_path, media=True)
    body = html(client, zh_url(data["main"]))
    source = re.search(r'<source type="image/webp" srcset="([^"]+)" sizes="([^"]+)"', body)
    assert source, body
    widths = [int(w) for w in re.findall(r" (\d+)w", source.group(1))]
    assert widths == sorted(widths) and 600 in widths and 800 in widths, widths
    pk = data["image"].pk
    assert f"/iiif/3/{pk}/full/600,/0/default.webp 600w" in source.group(1)
    assert "min-resolution: 2.5dppx" in source.group(2)
    # The Image API answers the phone size with a picture that width.
    tile = client.get(f"/iiif/3/{pk}/full/600,/0/default.webp")
    assert tile.status_code == 200 and tile["Content-Type"] == "image/webp"


def test_tapping_the_picture_opens_a_page_with_a_way_back(client, tmp_path):
    data = site_data.build(tmp_path, media=True)
    body = html(client, zh_url(data["main"]))
    pk = data["image"].pk
    figure = body.split('<section class="media"')[1].split("</figure>")[0]
    assert f'href="/picture/{pk}/"' in figure
    assert "web-jpeg" not in re.search(r'<a href="[^"]*">', figure).group(0)
    page = html(client, f"/picture/{pk}/")
    assert f'href="{zh_url(data["main"])}"' in page
    assert "返回" in page and "蝴蝶妈妈袖片" in page
    assert 'class="site-header"' in page


def test_the_picture_page_is_refused_like_the_file_door(client, tmp_path):
    data = site_data.build(tmp_path, media=True)
    pk = data["image"].pk
    main = data["main"]
    main.access_level = "restricted"
    main.save_revision().publish()
    assert client.get(f"/picture/{pk}/").status_code == 404
    assert client.get(data["image"].url("web-jpeg")).status_code == 404
    client.force_login(factories.user(groups=("Curators",)))
    assert client.get(f"/picture/{pk}/").status_code == 200


def test_the_citation_gives_the_address_the_site_is_reached_at(client, site, settings):
    settings.ALLOWED_HOSTS = ["miao.example.org", "testserver"]
    body = html(client, zh_url(site["main"]), HTTP_HOST="miao.example.org")
    cite = body.split('class="cite"')[1].split("</p>")[0]
    assert "http://miao.example.org/" in cite
    assert "localhost" not in cite


def test_the_timed_transcript_is_linked_from_the_recording(client, site):
    body = html(client, zh_url(site["recording"]))
    pk = site["recording"].pk
    for lang in ("zh", "hmn", "en"):
        assert f'href="/iiif/3/item/{pk}/transcript.{lang}.vtt"' in body, lang
    assert client.get(f"/iiif/3/item/{pk}/transcript.zh.vtt").content.startswith(b"WEBVTT")


def test_pages_travel_compressed_and_files_do_not(client, site):
    response = client.get(zh_url(site["main"]), HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert client.get("/iiif/3/item/{}/manifest".format(site["main"].pk)).get(
        "Content-Encoding"
    ) in (None, "")


def test_an_item_prints_without_header_search_player_or_footer():
    css = (Path(__file__).resolve().parents[1] / "static" / "css" / "site.css").read_text()
    rules = css.split("@media print", 1)[1]
    for selector in (".site-header", ".search", ".site-footer", ".player", ".related"):
        assert selector in rules.split("display: none")[0], selector


# --- offline repeat visits: what the service worker may keep, and a 304 ------------------
def test_a_public_page_may_be_kept_but_is_asked_again_and_answers_304(client, site):
    url = zh_url(site["main"])
    first = client.get(url)
    assert first["Cache-Control"] == "public, max-age=0, must-revalidate"
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""


def test_a_signed_in_page_and_a_missing_page_are_never_kept(client, site):
    assert "public" not in client.get("/no-such-page/").get("Cache-Control", "")
    client.force_login(factories.user())
    assert client.get(zh_url(site["main"]))["Cache-Control"] == "private, no-store"


def test_an_unpublished_page_stops_saying_public(client, site):
    url = zh_url(site["main"])
    assert "public" in client.get(url)["Cache-Control"]
    site["main"].unpublish()
    gone = client.get(url)
    assert gone.status_code == 404 and "public" not in gone.get("Cache-Control", "")


def test_the_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert "public" in body and "no-store" in body  # keeps only what the server marks public
