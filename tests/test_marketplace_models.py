"""What a cooperative and an artisan are made of: names and village read from their person
record (one fact, one place), the one ``shown()`` rule they share, and the migration that
moved a cooperative's copied names onto its person without losing any."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from archive.marketplace.models import ArtisanProfile, Cooperative, MarketplaceParty
from tests.marketplace_support import market

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    cache.clear()
    return market()


def test_a_cooperative_renamed_on_its_person_is_renamed_on_every_page(client, world):
    coop, person = world["coop"], world["coop"].person
    person.name_en, person.name_hmn = "Paimo Miao Embroidery Cooperative", "Paimo Paj Ntaub"
    person.save()
    cache.clear()
    page = client.get(coop.get_absolute_url()).content.decode()
    assert "Paimo Miao Embroidery Cooperative" in page and "Paimo Paj Ntaub" in page
    product = client.get(world["products"]["sleeve"].get_absolute_url()).content.decode()
    assert "Paimo Miao Embroidery Cooperative" in product
    assert "Paimo Embroiderers" not in product
    assert Cooperative.objects.get(pk=coop.pk).village == person.village


def test_artisans_and_cooperatives_share_one_shown_rule(world):
    assert issubclass(Cooperative, MarketplaceParty) and issubclass(
        ArtisanProfile, MarketplaceParty
    )
    assert Cooperative.objects.shown().filter(pk=world["coop"].pk).exists()
    world["coop"].published = False
    world["coop"].save()
    assert not Cooperative.objects.shown().filter(pk=world["coop"].pk).exists()
    assert ArtisanProfile.objects.shown().filter(pk=world["profile"].pk).exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_persons_names_and_fills_only_what_it_lacked():
    executor = MigrationExecutor(connection)
    before = [("marketplace", "0001_initial")]
    latest = executor.loader.graph.leaf_nodes("marketplace")
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Person = apps.get_model("people", "Person")
    Place = apps.get_model("vocabularies", "Place")
    OldCooperative = apps.get_model("marketplace", "Cooperative")
    village = Place.objects.create(slug="mig-paimo", label_zh="排莫", kind="village")
    person = Person.objects.create(
        slug="mig-coop", kind="cooperative", name_zh="丹寨排莫蜡染刺绣合作社", name_en=""
    )
    OldCooperative.objects.create(
        person=person,
        slug="mig-coop",
        name_zh="排莫蜡染合作社",  # differs: the person's is kept
        name_en="Paimo Batik Cooperative",  # the person had none: kept on the person
        name_hmn="Paimo Dob Mongl",
        village=village,
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)
    coop = Cooperative.objects.select_related("person").get(slug="mig-coop")
    assert coop.name_zh == "丹寨排莫蜡染刺绣合作社"
    assert coop.name_en == "Paimo Batik Cooperative"
    assert coop.name_hmn == "Paimo Dob Mongl"
    assert coop.village.slug == "mig-paimo"


def test_a_curator_editing_a_cooperative_is_sent_to_its_person_for_names(client, world):
    from django.apps import apps as django_apps

    from archive.marketplace.roles import grant_curators
    from tests import factories

    last = [a for a in django_apps.get_app_configs() if a.models_module is not None][-1]
    grant_curators(sender=last)
    client.force_login(factories.user(groups=("Curators",), is_staff=True, is_superuser=True))
    coop, profile = world["coop"], world["profile"]
    page = client.get(f"/admin/snippets/marketplace/cooperative/edit/{coop.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/admin/snippets/people/person/edit/{coop.person_id}/" in html
    assert 'name="name_zh"' not in html  # names are no longer typed twice
    html = client.get(f"/admin/snippets/marketplace/artisanprofile/edit/{profile.pk}/").content
    assert f"/admin/snippets/people/person/edit/{profile.person_id}/".encode() in html
