"""Curators at work: bulk tagging, the review workflow, the demo archive and its loaders."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from archive.items.models import CollectionPage, ItemPage, RecordingPage
from archive.vocabularies.models import Motif
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_curator_adds_tags_to_several_items_at_once(client):
    _, collections = factories.site_tree()
    speaker = factories.person()
    pages = [factories.recording(collections["dialects"], speaker=speaker) for _ in range(3)]
    for page in pages:
        page.save_revision().publish()
    client.force_login(factories.user(groups=("Curators",), is_staff=True))
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "add_tags"])
    query = "&".join(f"id={p.pk}" for p in pages[:2])
    form = client.get(f"{url}?{query}")
    assert form.status_code == 200
    response = client.post(f"{url}?{query}", {"tags": "wedding, silver"})
    assert response.status_code == 302
    for page in pages[:2]:
        page = RecordingPage.objects.get(pk=page.pk)
        assert set(page.tags.names()) == {"wedding", "silver"}
        assert page.live and not page.has_unpublished_changes
    assert not RecordingPage.objects.get(pk=pages[2].pk).tags.exists()


def test_a_contributor_can_draft_but_not_publish(client):
    from wagtail.models import Page

    _, collections = factories.site_tree()
    contributor = factories.user(groups=("Contributors",), is_staff=True)
    perms = Page.objects.get(pk=collections["dialects"].pk).permissions_for_user(contributor)
    assert perms.can_add_subpage()
    assert not perms.can_publish_subpage()
    curator = factories.user(groups=("Curators",), is_staff=True)
    assert (
        Page.objects.get(pk=collections["dialects"].pk)
        .permissions_for_user(curator)
        .can_publish_subpage()
    )


def test_items_are_in_curator_review_workflow():
    _, collections = factories.site_tree()
    page = factories.recording(collections["dialects"], speaker=factories.person(), live=False)
    workflow = page.get_workflow()
    assert workflow is not None and workflow.name == "馆员审核"


def test_the_demo_archive_loads_thirty_items_across_three_collections_idempotently():
    call_command("load_demo", "--no-media", stdout=io.StringIO())
    counts = {c.slug: ItemPage.objects.child_of(c).count() for c in CollectionPage.objects.all()}
    assert set(counts) >= {"embroidery", "dialects", "folk-music"}
    assert sum(counts.values()) >= 30 and min(counts.values()) >= 8
    assert ItemPage.objects.filter(access_level="public", live=True).count() >= 20
    # Butterfly is in the demo, in three languages, on several items.
    butterfly = Motif.objects.get(slug="butterfly")
    assert ItemPage.objects.filter(
        embroiderypatternpage__motifs__in=[butterfly, *butterfly.narrower.all()]
    ).exists()
    before = ItemPage.objects.count()
    call_command("load_demo", "--no-media", stdout=io.StringIO())
    assert ItemPage.objects.count() == before


def test_load_collections_twice_creates_each_collection_once():
    call_command("load_collections", stdout=io.StringIO())
    call_command("load_collections", stdout=io.StringIO())
    slugs = list(CollectionPage.objects.values_list("slug", flat=True))
    assert sorted(slugs) == sorted(set(slugs))
    assert {"embroidery", "dialects", "folk-music"} <= set(slugs)


@pytest.mark.parametrize("model", ["embroiderypatternpage", "recordingpage", "musicpiecepage"])
def test_a_curator_can_open_the_create_form_of_each_item_type(client, model):
    _, collections = factories.site_tree()
    parent = {
        "embroiderypatternpage": "embroidery",
        "recordingpage": "dialects",
        "musicpiecepage": "folk-music",
    }[model]
    client.force_login(factories.user(groups=("Curators",), is_staff=True))
    url = reverse("wagtailadmin_pages:add", args=["items", model, collections[parent].pk])
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="access_level"' in body and 'name="identifier"' in body


@pytest.mark.parametrize(
    "snippet",
    ["vocabularies/motif", "vocabularies/place", "people/person", "assets/mediaasset"],
)
def test_a_curator_can_list_and_open_snippets(client, snippet):
    app, model = snippet.split("/")
    client.force_login(factories.user(groups=("Curators",), is_staff=True))
    assert client.get(reverse(f"wagtailsnippets_{app}_{model}:list")).status_code == 200
    if model != "mediaasset":
        assert client.get(reverse(f"wagtailsnippets_{app}_{model}:add")).status_code == 200


def test_a_curator_records_consent_on_a_person_in_the_admin(client):
    """A person first, then their consent as its own record (consent is append-only)."""
    from archive.people.models import Person

    client.force_login(factories.user(groups=("Curators",), is_staff=True))
    response = client.post(
        reverse("wagtailsnippets_people_person:add"),
        {
            "slug": "long-meiying",
            "kind": "individual",
            "name_zh": "龙美英",
            "name_en": "Long Meiying",
            "name_hmn": "",
            "birth_year": "1958",
            "bio_zh": "",
            "bio_en": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    person = Person.objects.get(slug="long-meiying")
    response = client.post(
        reverse("wagtailsnippets_people_consentrecord:add"),
        {
            "person": person.pk,
            "scope": "public_web",
            "granted_on": "2024-04-02",
            "recorded_by": "Yang Li",
            "note": "",
            "item": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert person.has_consent("public_web")
    consent = person.consents.get()
    assert consent.recorded_by_user.is_staff
    withdraw = reverse("wagtailsnippets_people_consentrecord:withdraw", args=[consent.pk])
    response = client.post(withdraw, {"withdrawn_on": "2024-01-01", "reason": ""})
    assert response.status_code == 200
    assert "撤回日期不能早于同意日期" in response.content.decode()
    assert person.has_consent("public_web")
