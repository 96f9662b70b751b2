"""The admin as a curator meets it, in Chinese: a new item saves on the first try, choosers
find Chinese names, nothing is left in English that the project owns, no request leaves the
site, uploads start restricted, and a stopped worker is said out loud."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from archive.items.models import CollectionPage, ItemPage, RecordingPage
from archive.vocabularies.models import Place
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def collections():
    return factories.site_tree()[1]


@pytest.fixture
def curator(client):
    user = factories.user(groups=("Curators",), is_staff=True)
    client.force_login(user)
    return user


def _form_data(response) -> dict:
    """What the browser would send back from an admin form it was given, untouched."""
    form = response.context["form"]
    data: dict = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    for formset in getattr(form, "formsets", {}).values():
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management[name].value() or 0
        for inline in formset.forms:
            for name in inline.fields:
                value = inline[name].value()
                if value is None or value is False:
                    continue
                data[inline.add_prefix(name)] = "on" if value is True else value
    return data


# --- 1. a new item with a Chinese title saves on the first try ---------------------------


def test_a_curator_saves_a_new_item_with_only_a_chinese_title(client, curator, collections):
    parent = collections["dialects"]
    url = reverse("wagtailadmin_pages:add", args=["items", "recordingpage", parent.pk])
    data = _form_data(client.get(url))
    assert not data.get("slug")
    data.update(title="排莫村蜡染歌", identifier="MHA-DIA-9001")
    response = client.post(url, data)
    assert response.status_code == 302, _errors(response)
    page = RecordingPage.objects.get(identifier="MHA-DIA-9001")
    assert page.slug == "pai-mo-cun-la-ran-ge"
    assert page.get_parent().pk == parent.pk

    # The same title again under the same collection: a free slug, still one save.
    data.update(identifier="MHA-DIA-9002")
    response = client.post(url, data)
    assert response.status_code == 302, _errors(response)
    assert RecordingPage.objects.get(identifier="MHA-DIA-9002").slug == "pai-mo-cun-la-ran-ge-2"


def test_a_slug_the_curator_typed_is_kept(client, curator, collections):
    url = reverse(
        "wagtailadmin_pages:add", args=["items", "recordingpage", collections["dialects"].pk]
    )
    data = _form_data(client.get(url))
    data.update(title="飞歌", identifier="MHA-DIA-9003", slug="flying-song")
    assert client.post(url, data).status_code == 302
    assert RecordingPage.objects.get(identifier="MHA-DIA-9003").slug == "flying-song"


def test_a_new_collection_with_a_chinese_title_saves_on_the_first_try(client, curator):
    home, _ = factories.site_tree()
    url = reverse("wagtailadmin_pages:add", args=["items", "collectionpage", home.pk])
    data = _form_data(client.get(url))
    data.update(title="银饰")
    response = client.post(url, data)
    assert response.status_code == 302, _errors(response)
    assert CollectionPage.objects.get(title="银饰").slug == "yin-shi"


def test_an_item_made_in_code_without_a_slug_gets_its_pinyin(collections):
    page = RecordingPage(title="古歌", identifier="MHA-DIA-9004")
    collections["dialects"].add_child(instance=page)
    assert ItemPage.objects.get(pk=page.pk).slug == "gu-ge"


def _errors(response) -> str:
    form = response.context and response.context.get("form")
    return str(form.errors) if form is not None else str(response.status_code)


# --- 2. choosers find Chinese, pinyin, English and Miao labels ---------------------------


@pytest.fixture
def paimo():
    return Place.objects.create(
        slug="paimo", label_zh="排莫村", label_en="Paimo Village", label_hmn="Bad Mob"
    )


@pytest.mark.parametrize("query", ["排莫", "排莫村", "Paimo", "paimo", "paimocun", "Bad Mob"])
def test_the_place_chooser_finds_a_village_by_any_of_its_names(client, curator, paimo, query):
    Place.objects.create(slug="kala", label_zh="卡拉村", label_en="Kala Village")
    url = reverse("wagtailsnippetchoosers_vocabularies_place:choose_results")
    response = client.get(url, {"q": query})
    assert response.status_code == 200
    body = response.content.decode()
    assert "排莫村" in body, query
    assert "卡拉村" not in body, query


def test_the_vocabulary_listing_search_finds_chinese(client, curator, paimo):
    response = client.get(reverse("wagtailsnippets_vocabularies_place:list"), {"q": "排莫"})
    assert response.status_code == 200
    assert "排莫村" in response.content.decode()


def test_a_place_search_for_a_village_with_its_suffix_finds_it(paimo):
    Place.objects.create(slug="langde", label_zh="郎德", label_en="Langde")
    found = Place.objects.all().search_labels("郎德村")
    assert [p.slug for p in found] == ["langde"]


@pytest.mark.parametrize(
    "query", ["排莫", "排莫村", "莫村", "蜡染", "背扇心", "paimo", "Paimo", "laran", "emb-9014"]
)
def test_the_page_chooser_finds_an_item_by_any_part_of_its_chinese_name(
    client, curator, collections, paimo, query
):
    """The item chooser of the upload screen: a part of the title, the village in
    characters, pinyin or English, or the identifier finds the item; others stay out."""
    factories.recording(
        collections["dialects"],
        title="排莫蜡染背扇心",
        identifier="MHA-EMB-9014",
        place=paimo,
        access="restricted",
    )
    factories.recording(
        collections["dialects"], title="卡拉鸟笼", identifier="MHA-DIA-9015", access="restricted"
    )
    response = client.get(reverse("wagtailadmin_choose_page_search"), {"q": query})
    assert response.status_code == 200
    body = response.content.decode()
    assert "排莫蜡染背扇心" in body, query
    assert "卡拉鸟笼" not in body, query


def test_the_admin_page_search_finds_the_middle_of_a_chinese_title(client, curator, collections):
    factories.recording(collections["dialects"], title="施洞背扇蝴蝶妈妈", access="restricted")
    response = client.get(reverse("wagtailadmin_pages:search"), {"q": "蝴蝶妈妈"})
    assert "施洞背扇蝴蝶妈妈" in response.content.decode()


# --- 4. no request of the admin leaves the site --------------------------------------------

#: Links a curator may follow by choice (Wagtail's user guide, "enable JavaScript" help);
#: they are ``<a href>``, never loaded by the page itself.
FOLLOWED_LINK_HOSTS = ("guide.wagtail.org", "docs.wagtail.org", "www.enable-javascript.com")


def _admin_pages(collections) -> list[str]:
    item = factories.recording(collections["dialects"], speaker=factories.person())
    return [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_explore", args=[collections["dialects"].pk]),
        reverse("wagtailadmin_pages:edit", args=[item.pk]),
        reverse("wagtailadmin_pages:add", args=["items", "recordingpage", item.get_parent().pk]),
        reverse("wagtailsnippets_vocabularies_place:list"),
        reverse("wagtailsnippets_assets_mediaasset:list"),
        reverse("media_upload"),
        reverse("wagtailadmin_account"),
    ]


@pytest.mark.parametrize("who", ["curator", "superuser"])
def test_no_admin_page_asks_another_host(client, collections, who):
    if who == "curator":
        user = factories.user(groups=("Curators",), is_staff=True, email="yang@example.org")
    else:
        user = factories.user(is_staff=True, is_superuser=True, email="admin@example.org")
    client.force_login(user)
    for url in _admin_pages(collections):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        loaded = set(
            re.findall(r"""(?:src|action|data-[\w-]*url[\w-]*)=["']((?:https?:)?//[^"']+)""", html)
        )
        loaded |= set(re.findall(r"""<link[^>]+href=["']((?:https?:)?//[^"']+)""", html))
        assert not loaded, (url, loaded)
        linked = set(re.findall(r"""<a[^>]+href=["']((?:https?:)?//[^"']+)""", html))
        foreign = {
            u
            for u in linked
            if not u.split("//", 1)[1].startswith(FOLLOWED_LINK_HOSTS + ("testserver",))
        }
        assert not foreign, (url, foreign)
        # Avatars from a gravatar host; the release check (a script the upgrade panel runs).
        assert "gravatar" not in html and "w-upgrade" not in html, url


# --- 5. uploads start restricted, each collection offers its own kind, newest first -------


def test_the_upload_form_starts_restricted_with_a_searchable_item_chooser(client, curator):
    response = client.get(reverse("media_upload"))
    form = response.context["form"]
    assert form["access_level"].value() == "restricted"
    html = response.content.decode()
    # A page chooser (with its search), not a drop-down of every item.
    assert 'name="item"' in html and "<select" not in html.split('name="item"')[0][-300:]
    assert "page-chooser" in html or "w-chooser" in html


@pytest.mark.parametrize(
    ("slug", "kind"),
    [
        ("embroidery", "embroiderypatternpage"),
        ("dialects", "recordingpage"),
        ("folk-music", "musicpiecepage"),
    ],
)
def test_each_collection_offers_only_its_own_kind_of_item(client, curator, collections, slug, kind):
    response = client.get(reverse("wagtailadmin_pages:add_subpage", args=[collections[slug].pk]))
    if response.status_code == 302:  # one kind only: Wagtail goes straight to its form
        assert f"/items/{kind}/" in response.url
    else:
        html = response.content.decode()
        others = {"embroiderypatternpage", "recordingpage", "musicpiecepage"} - {kind}
        assert f"/items/{kind}/" in html
        assert not any(f"/items/{o}/" in html for o in others)
    wrong = next(iter({"embroiderypatternpage", "musicpiecepage"} - {kind}))
    url = reverse("wagtailadmin_pages:add", args=["items", wrong, collections[slug].pk])
    assert client.get(url).status_code in (302, 403, 404)


def test_the_media_list_shows_the_newest_upload_first(client, curator, collections):
    from archive.assets.models import MediaAsset

    item = factories.recording(collections["dialects"], speaker=factories.person())
    for n in (1, 2):
        original = factories.original_record(f"upload-{n}.jpg")
        MediaAsset.objects.create(item=item, original=original, caption_zh=f"第{n}张")
    html = client.get(reverse("wagtailsnippets_assets_mediaasset:list")).content.decode()
    assert html.index("upload-2.jpg") < html.index("upload-1.jpg")
    assert "Updated at" not in html and "更新" in html


# --- 3. no English left that the project or its catalogues can say in Chinese -------------


def test_the_dashboard_and_editor_speak_chinese(client, curator, collections):
    item = factories.recording(collections["dialects"], speaker=factories.person(), live=False)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "个页面" in home and " Pages " not in home
    assert "Search all pages" not in home and "搜索全部页面" in home
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[item.pk])).content.decode()
    assert "Curator review" not in edit and "馆员审核" in edit
    assert "Autosave is paused" not in edit


def test_a_refused_new_item_says_why_in_chinese(client, curator, collections):
    url = reverse(
        "wagtailadmin_pages:add", args=["items", "recordingpage", collections["dialects"].pk]
    )
    data = _form_data(client.get(url))
    data.update({"title": "古歌", "action-publish": "action-publish"})  # no identifier
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "页面有错误，未能创建。" in html
    assert "could not be created" not in html


def test_the_page_search_counts_in_chinese(client, curator, collections):
    factories.recording(collections["dialects"], title="施洞飞歌", access="restricted")
    html = client.get(reverse("wagtailadmin_pages:search"), {"q": "飞歌"}).content.decode()
    assert "找到 1 个页面" in html and "matching page" not in html
    assert "共 1 项" in html and "of 1" not in html
    explore = reverse("wagtailadmin_explore", args=[collections["dialects"].pk])
    html = client.get(explore, {"q": "背扇"}).content.decode()
    assert "中没有结果" in html and "No results" not in html
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "编辑指南" in home and "editor guide" not in home


def test_the_sidebar_scripts_speak_chinese(client, curator):
    catalogue = client.get(reverse("wagtailadmin_javascript_catalog")).content.decode()
    assert "\\u672c\\u83dc\\u5355" in catalogue or "本菜单" in catalogue  # 本菜单 (this menu)


def test_the_account_page_speaks_chinese(client, curator):
    html = client.get(reverse("wagtailadmin_account")).content.decode()
    for english in ("Admin theme", "Contrast", "Density"):
        assert f">{english}<" not in html and f"{english}<span" not in html, english
    assert "后台主题" in html and "对比度" in html


# --- 7. nothing empty shows on a public item ---------------------------------------------


def test_a_public_item_shows_no_empty_coming_soon_box(client, collections):
    item = factories.recording(collections["dialects"], speaker=factories.person())
    html = client.get(item.url).content.decode()
    assert item.title in html
    assert "即将" not in html and "Soon:" not in html and 'id="artisans"' not in html


# --- 6. publishing says when media is not ready -------------------------------------------


def test_publishing_an_item_whose_media_is_still_queued_warns_in_chinese(
    client, curator, collections
):
    from archive.assets.models import MediaAsset

    item = factories.recording(collections["dialects"], speaker=factories.person(), live=False)
    original = factories.original_record("a.wav", "audio/wav", "audio")
    MediaAsset.objects.create(item=item, original=original)  # queued: no worker has run
    url = reverse("wagtailadmin_pages:edit", args=[item.pk])
    data = _form_data(client.get(url))
    data["action-publish"] = "action-publish"
    response = client.post(url, data, follow=True)
    html = response.content.decode()
    assert ItemPage.objects.get(pk=item.pk).live, _errors(response)
    assert "还有 1 个媒体文件没有处理好" in html
