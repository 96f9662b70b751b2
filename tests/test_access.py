"""One access policy, asked by every door: pages, listings, search, media files."""

import pytest
from django.contrib.auth.models import AnonymousUser

from archive.access import policy
from archive.access.models import CommunityMembership
from archive.items.models import ItemPage
from archive.people.models import Person
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    home, collections = factories.site_tree()
    community = Person.objects.create(slug="paimo-village", name_zh="排莫村", kind="community")
    speaker = factories.person()
    items = {
        level: factories.recording(
            collections["dialects"],
            speaker=speaker,
            access=level,
            community=community,
            title=f"{level}-录音",
            title_en=f"{level} recording",
        )
        for level in ("public", "registered", "community", "restricted")
    }
    return {"items": items, "community": community}


def _visible(user):
    qs = policy.visible_items(ItemPage.objects.all(), user)
    return set(qs.values_list("access_level", flat=True))


def test_each_audience_sees_exactly_its_levels(tree):
    member = factories.user()
    CommunityMembership.objects.create(user=member, community=tree["community"])
    curator = factories.user(groups=("Curators",))
    assert _visible(AnonymousUser()) == {"public"}
    assert _visible(factories.user()) == {"public", "registered"}
    assert _visible(member) == {"public", "registered", "community"}
    assert _visible(curator) == {"public", "registered", "community", "restricted"}


def test_a_member_of_another_community_does_not_see_community_material(tree):
    other = Person.objects.create(slug="other", name_zh="别的村", kind="community")
    outsider = factories.user()
    CommunityMembership.objects.create(user=outsider, community=other)
    assert "community" not in _visible(outsider)


def test_a_restricted_item_page_is_a_404_for_the_public_and_shown_to_curators(client, tree):
    url = tree["items"]["restricted"].url
    assert client.get(url).status_code == 404
    client.force_login(factories.user(groups=("Curators",)))
    assert client.get(url).status_code == 200


def test_drafts_are_never_visible_through_public_doors(tree):
    page = tree["items"]["public"]
    page.unpublish()
    curator = factories.user(groups=("Curators",))
    assert not policy.visible_items(ItemPage.objects.filter(pk=page.pk), curator).exists()


def test_search_never_returns_what_the_visitor_may_not_see(client, tree):
    from search import indexing

    indexing.rebuild()  # the factory makes pages live without publishing them
    import re

    response = client.get("/en/search/", {"q": "recording"})
    body = re.sub(r"</?mark>", "", response.content.decode())  # hits are highlighted
    assert "public recording" in body
    for hidden in ("registered recording", "community recording", "restricted recording"):
        assert hidden not in body
