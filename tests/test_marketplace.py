"""The artisan marketplace: who is shown (marketplace consent), every door for every role
before and after a withdrawal, the enquiry form, the feed, JSON-LD, purging."""

from __future__ import annotations

import datetime
import json
import time

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from archive.marketplace.forms import SALT
from archive.marketplace.models import ArtisanProfile, Enquiry, Product
from archive.people.models import ConsentRecord
from tests import factories
from tests.marketplace_support import consent, market

pytestmark = pytest.mark.django_db
ROLES = ("anonymous", "registered", "member", "teacher", "contributor", "curator")


@pytest.fixture
def world():
    return market()


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def _users(world) -> dict:
    from archive.access.models import CommunityMembership

    member = factories.user()
    CommunityMembership.objects.create(user=member, community=world["coop"].person)
    return {
        "registered": factories.user(),
        "member": member,
        "teacher": factories.user(groups=("Teachers",), is_staff=True),
        "contributor": factories.user(groups=("Contributors",), is_staff=True),
        "curator": factories.user(groups=("Curators",), is_staff=True),
    }


def _doors(client, world) -> dict[str, bool]:
    """What each door shows of the artisan and her products."""
    profile, sleeve = world["profile"], world["products"]["sleeve"]
    seen = {
        "artisan page": client.get(profile.get_absolute_url()).status_code == 200,
        "product page": client.get(sleeve.get_absolute_url()).status_code == 200,
        "feed json": sleeve.slug in client.get("/market/products.json").content.decode(),
        "feed csv": sleeve.slug in client.get("/market/products.csv").content.decode(),
        "sitemap": sleeve.get_absolute_url() in client.get("/sitemap.xml").content.decode(),
        "api list": sleeve.slug in client.get("/api/v1/products").content.decode(),
        "api product": client.get(f"/api/v1/products/{sleeve.slug}").status_code == 200,
        "item page": sleeve.get_absolute_url() in client.get(world["pattern"].url).content.decode(),
        "search page": sleeve.get_absolute_url()
        in client.get("/search/", {"type": "product"}).content.decode(),
        "api search": sleeve.slug
        in client.get("/api/v1/search", {"type": "product"}).content.decode(),
    }
    return seen


def test_a_profile_needs_marketplace_consent_not_only_public_web(world):
    assert ArtisanProfile.objects.shown().filter(pk=world["profile"].pk).exists()
    ConsentRecord.objects.filter(person=world["maker"], scope="commercial").delete()
    assert not ArtisanProfile.objects.shown().filter(pk=world["profile"].pk).exists()
    assert not Product.objects.shown().filter(artisan=world["profile"]).exists()


def test_a_consent_for_one_item_does_not_open_a_shop(world):
    ConsentRecord.objects.filter(person=world["maker"], scope="commercial").update(
        item=world["pattern"]
    )
    assert not ArtisanProfile.objects.shown().exists()


def test_an_unpublished_product_is_on_no_door(client, world):
    Product.objects.filter(pk=world["products"]["sleeve"].pk).update(published=False)
    seen = _doors(client, world)
    assert seen.pop("artisan page")  # the artisan is still shown, without that piece
    assert not any(seen.values()), seen


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_the_shop_until_the_artisan_withdraws(
    client, world, role, settings, django_capture_on_commit_callbacks
):
    from search import indexing

    settings.MHA_PAGE_CACHE_SECONDS = 300  # the page cache must let go too
    users = _users(world)
    indexing.rebuild()  # the search doors (the database engine here; every engine elsewhere)
    if role != "anonymous":
        client.force_login(users[role])
    before = _doors(client, world)
    assert all(before.values()), before
    consent = ConsentRecord.objects.get(person=world["maker"], scope="commercial")
    with django_capture_on_commit_callbacks(execute=True):
        consent.withdraw(timezone.localdate())
    after = _doors(client, world)
    assert not any(after.values()), after
    assert client.get(world["products"]["collar"].get_absolute_url()).status_code == 404


def test_withdrawal_leaves_the_anonymous_page_cache_at_once(
    client, world, settings, django_capture_on_commit_callbacks
):
    settings.MHA_PAGE_CACHE_SECONDS = 300
    url = world["products"]["sleeve"].get_absolute_url()
    assert client.get(url).status_code == 200
    assert client.get(url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        ConsentRecord.objects.get(person=world["maker"], scope="commercial").withdraw(
            timezone.localdate()
        )
    assert client.get(url).status_code == 404


def test_a_phone_keeps_a_shop_page_only_until_it_asks_again(client, world, settings):
    """As item pages: a browser may keep a shop page but must ask before each use (a 304 when
    nothing changed), so a withdrawal reaches a phone at its next look, not a minute later;
    a signed-in visitor's copy is kept by no one."""
    settings.MHA_PAGE_CACHE_SECONDS = 300  # the kept page, as served, carries the ETag
    for url in (
        world["products"]["sleeve"].get_absolute_url(),
        world["profile"].get_absolute_url(),
    ):
        first = client.get(url)
        assert first["Cache-Control"] == "public, max-age=0, must-revalidate"
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
    client.force_login(factories.user())
    assert client.get(url)["Cache-Control"] == "private, no-store"


def test_product_page_tells_the_story_behind_it_and_links_the_artisan(client, world):
    sleeve = world["products"]["sleeve"]
    html = client.get(sleeve.get_absolute_url()).content.decode()
    assert world["pattern"].url in html
    assert world["profile"].get_absolute_url() in html
    assert "¥680.00" in html
    assert "https://shop.example.org/amei" in html


def test_the_story_behind_hides_items_the_visitor_may_not_see(client, world):
    world["pattern"].access_level = "registered"
    world["pattern"].save()
    url = world["products"]["sleeve"].get_absolute_url()
    assert world["pattern"].url not in client.get(url).content.decode()
    client.force_login(factories.user())
    assert world["pattern"].url in client.get(url).content.decode()


def test_product_json_ld_is_a_product_with_an_offer_in_cny(client, world):
    html = client.get(world["products"]["sleeve"].get_absolute_url()).content.decode()
    body = html.split('<script type="application/ld+json">')[1].split("</script>")[0]
    data = json.loads(body)
    assert data["@type"] == "Product"
    assert data["offers"]["priceCurrency"] == "CNY"
    assert data["offers"]["price"] == "680.00"
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    assert 'property="og:type" content="product"' in html


def test_price_on_request_has_an_offer_without_a_price(client, world):
    html = client.get(world["products"]["collar"].get_absolute_url()).content.decode()
    body = html.split('<script type="application/ld+json">')[1].split("</script>")[0]
    offer = json.loads(body)["offers"]
    assert "price" not in offer
    assert offer["availability"] == "https://schema.org/MadeToOrder"


def test_the_feed_names_price_and_currency(client, world):
    rows = client.get("/market/products.json").json()["products"]
    sleeve = next(r for r in rows if r["id"] == world["products"]["sleeve"].slug)
    assert sleeve["price"] == "680.00 CNY"
    csv_text = client.get("/market/products.csv").content.decode()
    assert csv_text.splitlines()[0].startswith("id,title,title_en")


def test_item_page_names_who_makes_it_today(client, world):
    html = client.get(world["pattern"].url).content.decode()
    assert world["profile"].get_absolute_url() in html
    assert world["products"]["sleeve"].get_absolute_url() in html
    # The collar shares neither motif nor the item, but shares the technique.
    assert world["products"]["collar"].get_absolute_url() in html


def test_item_page_names_a_product_made_after_it_and_its_maker_once(client, world):
    """A product that names the item, sharing none of its motifs or techniques, is there,
    and so is its maker, whose own profile lists none of them. A product that matches in
    three ways (it names the item, its motif and its technique) is listed once, as the
    one that matches by its technique alone is."""
    pattern = world["pattern"]
    maker = factories.person(consent="public_web", name_zh="吴阿依", name_en="Wu Ayi")
    maker.is_artisan = True
    maker.save()
    consent(maker)
    profile = ArtisanProfile.objects.create(
        person=maker, slug="wu-ayi", story_zh="我织布。", published=True
    )
    plain = Product.objects.create(
        artisan=profile, slug="plain-cloth", title_zh="素布", title_en="Plain cloth", published=True
    )
    plain.draws_on.set([pattern])
    plain.save()  # a parental many-to-many is written with its product
    html = client.get(pattern.url).content.decode()
    assert plain.get_absolute_url() in html
    assert profile.get_absolute_url() in html
    sleeve, collar = world["products"]["sleeve"], world["products"]["collar"]
    assert html.count(sleeve.get_absolute_url()) == html.count(collar.get_absolute_url()) > 0


def _form(client, url: str, **data) -> dict:
    stamp = signing.dumps(time.time() - 60, salt=SALT)
    return {
        "kind": "commission",
        "name": "Li Wei",
        "contact": "liwei@example.org",
        "message": "Could you make a sleeve panel with two butterflies?",
        "stamp": stamp,
        **data,
    }


def test_an_enquiry_is_stored_and_the_artisan_and_cooperative_told(client, world):
    profile = world["profile"]
    url = f"/market/enquire/artisan/{profile.slug}/"
    response = client.post(url, _form(client, url, product=world["products"]["sleeve"].slug))
    assert response.status_code == 302
    enquiry = Enquiry.objects.get()
    assert enquiry.artisan == profile and enquiry.cooperative == world["coop"]
    assert enquiry.product == world["products"]["sleeve"]
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert {"amei@example.org", "coop@example.org", "manager@example.org"} == set(sent.to)
    assert "two butterflies" in sent.body


def test_the_enquiry_form_refuses_a_post_without_csrf(world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    url = f"/market/enquire/artisan/{world['profile'].slug}/"
    assert strict.post(url, _form(strict, url)).status_code == 403
    assert not Enquiry.objects.exists()


def test_a_bot_filling_the_hidden_field_is_thanked_and_forgotten(client, world):
    url = f"/market/enquire/artisan/{world['profile'].slug}/"
    assert client.post(url, _form(client, url, website="http://spam")).status_code == 302
    assert not Enquiry.objects.exists() and not mail.outbox


def test_a_form_sent_at_once_is_a_script(client, world):
    url = f"/market/enquire/artisan/{world['profile'].slug}/"
    fresh = signing.dumps(time.time(), salt=SALT)
    assert client.post(url, _form(client, url, stamp=fresh)).status_code == 302
    assert not Enquiry.objects.exists()


def test_too_many_enquiries_from_one_address_are_refused(client, world, settings):
    settings.MHA_ENQUIRY_RATE = "2/h"
    url = f"/market/enquire/cooperative/{world['coop'].slug}/"
    codes = [client.post(url, _form(client, url)).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert Enquiry.objects.count() == 2


def test_no_enquiry_reaches_an_artisan_who_withdrew(client, world):
    ConsentRecord.objects.get(person=world["maker"], scope="commercial").withdraw(
        timezone.localdate()
    )
    url = f"/market/enquire/artisan/{world['profile'].slug}/"
    assert client.post(url, _form(client, url)).status_code == 404


def test_enquiries_past_their_retention_are_purged(world, settings):
    settings.MHA_ENQUIRY_RETENTION_DAYS = 30
    old = Enquiry.objects.create(artisan=world["profile"], name="A", contact="a", message="m")
    new = Enquiry.objects.create(artisan=world["profile"], name="B", contact="b", message="m")
    Enquiry.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    call_command("purge_enquiries")
    assert list(Enquiry.objects.all()) == [new]


def test_a_cooperative_manager_reads_only_their_cooperatives_enquiries(world):
    mine = Enquiry.objects.create(cooperative=world["coop"], name="A", contact="a", message="m")
    other = market()
    Enquiry.objects.create(cooperative=other["coop"], name="B", contact="b", message="m")
    assert list(Enquiry.objects.for_manager(world["manager"])) == [mine]
    curator = factories.user(groups=("Curators",), is_staff=True)
    assert Enquiry.objects.for_manager(curator).count() == 2


def test_the_workers_beat_purges_old_enquiries(world, settings):
    from archive.workers.management.commands.worker import recover

    settings.MHA_ENQUIRY_RETENTION_DAYS = 30
    old = Enquiry.objects.create(artisan=world["profile"], name="A", contact="a", message="m")
    Enquiry.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    recover()
    assert not Enquiry.objects.exists()


def test_a_withdrawal_entered_in_advance_leaves_search_on_its_day(world, settings):
    from archive.marketplace.retention import lapsed_products
    from archive.people.models import ConsentWithdrawal

    consent = ConsentRecord.objects.get(person=world["maker"], scope="commercial")
    ConsentWithdrawal.objects.create(consent=consent, withdrawn_on=timezone.localdate())
    ConsentWithdrawal.objects.filter(consent=consent).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )
    ConsentRecord.objects.filter(pk=consent.pk).update(withdrawn_on=timezone.localdate())
    assert set(lapsed_products()) == {p.pk for p in world["products"].values()}
    assert not Product.objects.shown().exists()


def test_the_api_names_price_currency_and_the_heritage_behind(client, world):
    body = client.get(f"/api/v1/products/{world['products']['sleeve'].slug}").json()
    assert body["price"] == {"amount": "680.00", "currency": "CNY", "on_request": False}
    assert [i["identifier"] for i in body["draws_on"]] == [world["pattern"].identifier]
    collar = client.get(f"/api/v1/products/{world['products']['collar'].slug}").json()
    assert collar["price"]["on_request"] is True


def test_an_uploaded_photo_goes_through_the_pipeline_and_its_gps_does_not_leak(
    client, world, tmp_path, django_capture_on_commit_callbacks
):
    import pyvips
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from archive.marketplace.models import ProductPhoto
    from demo import mediamaker

    path = mediamaker.card(
        tmp_path / "sleeve.jpg", 800, 600, camera="FieldCam", gps=(26.5, 108.1667)
    )
    sleeve = world["products"]["sleeve"]
    photo = ProductPhoto(product=sleeve, upload=SimpleUploadedFile("sleeve.jpg", path.read_bytes()))
    with django_capture_on_commit_callbacks(execute=True):
        photo.full_clean()
        photo.save()
    photo.refresh_from_db()
    assert photo.original.kind == "image" and not photo.upload
    response = client.get(photo.url("web"))
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    local = tmp_path / "web.webp"
    local.write_bytes(b"".join(response.streaming_content))
    fields = pyvips.Image.new_from_file(str(local)).get_fields()
    assert not [f for f in fields if f.startswith("exif-ifd3")]  # GPS
    assert "exif-ifd0-Make" not in fields
    bad = ProductPhoto(product=sleeve, upload=SimpleUploadedFile("x.jpg", b"\xff\xd8\xff oops"))
    with pytest.raises(ValidationError) as refused:
        bad.full_clean()
    assert "upload" in refused.value.message_dict


def test_in_the_admin_a_manager_opens_only_their_cooperatives_enquiries(client, world):
    from django.contrib.auth.models import Permission

    mine = Enquiry.objects.create(cooperative=world["coop"], name="A", contact="a", message="m")
    other = market()
    theirs = Enquiry.objects.create(cooperative=other["coop"], name="B", contact="b", message="m")
    manager = world["manager"]
    manager.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_enquiry"),
    )
    client.force_login(manager)
    base = "/admin/snippets/marketplace/enquiry"
    listing = client.get(f"{base}/").content.decode()
    assert f"{base}/inspect/{mine.pk}/" in listing
    assert f"{base}/inspect/{theirs.pk}/" not in listing
    assert client.get(f"{base}/inspect/{mine.pk}/").status_code == 200
    assert client.get(f"{base}/inspect/{theirs.pk}/").status_code in (302, 403, 404)
    assert client.get(f"{base}/edit/{mine.pk}/").status_code in (302, 403, 404)


def test_curators_may_edit_products_but_never_an_enquiry(world):
    from django.apps import apps as django_apps

    from archive.marketplace.roles import grant_curators

    last = [a for a in django_apps.get_app_configs() if a.models_module is not None][-1]
    grant_curators(sender=last)
    curator = factories.user(groups=("Curators",), is_staff=True)
    assert curator.has_perm("marketplace.change_product")
    assert curator.has_perm("marketplace.view_enquiry")
    assert not curator.has_perm("marketplace.change_enquiry")


def test_an_enquiry_without_a_name_is_shown_again_with_the_reason(client, world):
    url = f"/market/enquire/artisan/{world['profile'].slug}/"
    response = client.post(url, _form(client, url, name=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "errorlist" in html and "two butterflies" in html
    assert world["products"]["sleeve"].get_absolute_url() in html
    assert not Enquiry.objects.exists() and not mail.outbox


def test_a_profile_photo_is_served_to_every_role_until_the_consent_goes(
    world, tmp_path, settings, django_capture_on_commit_callbacks
):
    import pyvips
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from demo import mediamaker

    settings.MHA_PAGE_CACHE_SECONDS = 300  # the page cache must let go too
    path = mediamaker.card(tmp_path / "amei.jpg", 600, 800, camera="FieldCam", gps=(26.5, 108.2))
    profile, coop = world["profile"], world["coop"]
    with django_capture_on_commit_callbacks(execute=True):
        for party in (profile, coop):
            party.photo_upload = SimpleUploadedFile("amei.jpg", path.read_bytes())
            party.full_clean()
            party.save()
    profile.refresh_from_db()
    assert profile.photo.kind == "image" and not profile.photo_upload and profile.photo_web
    users = _users(world)
    clients = {"anonymous": Client()}
    for role in ROLES[1:]:
        clients[role] = Client()
        clients[role].force_login(users[role])
    doors = (
        profile.photo_url("web"),
        profile.photo_url("thumb"),
        coop.photo_url("web"),
    )
    for role, client in clients.items():
        for url in doors:
            response = client.get(url)
            assert response.status_code == 200, (role, url)
            assert response["Content-Type"] == "image/webp"
        assert profile.photo_url("web") in client.get(profile.get_absolute_url()).content.decode()
        assert coop.photo_url("web") in client.get(coop.get_absolute_url()).content.decode()
        assert profile.photo_url("thumb") in client.get(world["pattern"].url).content.decode()
    # The curator editing the profile sees the stored photo.
    admin = Client()
    admin.force_login(factories.user(is_staff=True, is_superuser=True))
    edit = admin.get(f"/admin/snippets/marketplace/artisanprofile/edit/{profile.pk}/")
    assert edit.status_code == 200 and profile.photo_url("thumb") in edit.content.decode()
    local = tmp_path / "web.webp"
    local.write_bytes(b"".join(clients["anonymous"].get(doors[0]).streaming_content))
    fields = pyvips.Image.new_from_file(str(local)).get_fields()
    assert not [f for f in fields if f.startswith("exif-ifd3")]  # GPS
    with django_capture_on_commit_callbacks(execute=True):
        for person in (world["maker"], coop.person):
            ConsentRecord.objects.get(person=person, scope="commercial").withdraw(
                timezone.localdate()
            )
    for role, client in clients.items():
        for url in doors:
            assert client.get(url).status_code == 404, (role, url)
        assert profile.photo_url("thumb") not in client.get(world["pattern"].url).content.decode()


def test_a_profile_photo_that_is_not_an_image_is_refused_with_the_reason(world):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    profile = world["profile"]
    profile.photo_upload = SimpleUploadedFile("amei.jpg", b"\xff\xd8\xff oops")
    with pytest.raises(ValidationError) as refused:
        profile.full_clean()
    assert "photo_upload" in refused.value.message_dict
    profile.refresh_from_db()
    assert profile.photo is None


def test_an_artisan_credited_on_an_item_links_to_her_profile_while_it_is_shown(
    client, world, django_capture_on_commit_callbacks
):
    from archive.items.models import ItemPerson

    pattern, profile = world["pattern"], world["profile"]
    ItemPerson.objects.create(item=pattern, person=world["maker"], role="artisan")
    link = f'<a href="{profile.get_absolute_url()}" class="artisan-link">'
    page = client.get(pattern.url).content.decode()
    assert page.count(link) >= 2  # in the credits, and under "made today by"
    with django_capture_on_commit_callbacks(execute=True):
        ConsentRecord.objects.get(person=world["maker"], scope="commercial").withdraw(
            timezone.localdate()
        )
    page = client.get(pattern.url).content.decode()
    assert profile.get_absolute_url() not in page
    assert world["maker"].name_en in page or world["maker"].name_zh in page  # still credited
