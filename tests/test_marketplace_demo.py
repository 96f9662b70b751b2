"""The demo marketplace: believable artisans, a cooperative and products linked to demo
items, with photos made by demo.mediamaker and run through the pipeline's renditions."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from archive.items.models import ItemPage
from archive.marketplace.models import ArtisanProfile, Cooperative, Product
from demo.marketplace import load_marketplace

pytestmark = pytest.mark.django_db


def test_the_demo_marketplace_loads_with_photos_and_links_demo_items(client, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("load_demo", "--no-media", stdout=io.StringIO())
    report = load_marketplace(with_media=True, progress=lambda s: None)
    assert report == {"cooperatives": 1, "artisans": 4, "products": 5}
    assert Product.objects.shown().count() == 5
    assert ArtisanProfile.objects.shown().count() == 4
    assert Cooperative.objects.shown().count() == 1
    sleeve = Product.objects.get(slug="butterfly-mother-sleeve-panels")
    assert sleeve.draws_on.filter(identifier="MHA-EMB-0001").exists()
    photo = sleeve.photos.get()
    response = client.get(photo.url("web"))
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    pattern = ItemPage.objects.get(identifier="MHA-EMB-0001")
    html = client.get(pattern.url).content.decode()
    assert sleeve.get_absolute_url() in html
    # The profiles' own photos, through the same renditions and door.
    hou = ArtisanProfile.objects.get(slug="hou-abang")
    coop = Cooperative.objects.get(slug="paimo-batik")
    for party in (hou, coop):
        assert client.get(party.photo_url("thumb"))["Content-Type"] == "image/webp"
    assert hou.photo_url("web") in client.get(hou.get_absolute_url()).content.decode()
    # A second run changes nothing and makes no second photo.
    load_marketplace(with_media=True, progress=lambda s: None)
    assert Product.objects.count() == 5 and sleeve.photos.count() == 1
