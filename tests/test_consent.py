"""Nobody's voice goes public without their public-web consent."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def dialects():
    return factories.site_tree()[1]["dialects"]


def test_publishing_a_public_recording_without_consent_is_refused_with_reason(dialects):
    speaker = factories.person(consent="archive_only")
    page = factories.recording(dialects, speaker=speaker, live=False)
    with pytest.raises(ValidationError) as exc:
        page.save_revision().publish()
    assert "public-web consent" in str(exc.value)
    page.refresh_from_db()
    assert not page.live


def test_a_public_recording_naming_nobody_is_refused(dialects):
    page = factories.recording(dialects, speaker=None, live=False)
    with pytest.raises(ValidationError, match="must name its speakers"):
        page.save_revision().publish()


def test_withdrawn_consent_no_longer_counts(dialects):
    speaker = factories.person(consent="public_web", withdrawn=True)
    page = factories.recording(dialects, speaker=speaker, live=False)
    with pytest.raises(ValidationError):
        page.save_revision().publish()


def test_with_public_web_consent_the_recording_publishes(dialects):
    speaker = factories.person(consent="public_web")
    page = factories.recording(dialects, speaker=speaker, live=False)
    page.save_revision().publish()
    page.refresh_from_db()
    assert page.live


def test_a_community_recording_needs_no_public_consent(dialects):
    speaker = factories.person(consent="archive_only")
    page = factories.recording(dialects, speaker=speaker, live=False, access="community")
    page.save_revision().publish()
    page.refresh_from_db()
    assert page.live


def _admin_post_data(page, speaker, **extra):
    data = {
        "title": page.title,
        "title_en": page.title_en,
        "title_hmn": "",
        "slug": page.slug,
        "identifier": page.identifier,
        "access_level": "public",
        "licence": "cc-by-nc-4.0",
        "people-TOTAL_FORMS": "1",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "1000",
        "people-0-person": str(speaker.pk),
        "people-0-role": "speaker",
        "people-0-ORDER": "1",
        "people-0-id": "",
        "people-0-DELETE": "",
        "cues-TOTAL_FORMS": "0",
        "cues-INITIAL_FORMS": "0",
        "cues-MIN_NUM_FORMS": "0",
        "cues-MAX_NUM_FORMS": "1000",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
    }
    data.update(extra)
    return data


def test_the_admin_refuses_to_publish_without_consent_and_says_why(client, dialects):
    curator = factories.user(groups=("Curators",), is_staff=True)
    client.force_login(curator)
    speaker = factories.person(consent="archive_only")
    page = factories.recording(dialects, speaker=speaker, live=False)
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    response = client.post(url, _admin_post_data(page, speaker, **{"action-publish": "1"}))
    assert response.status_code == 200  # the form again, not a redirect
    # the curator's admin speaks Chinese by default, and so does the reason
    assert "网络公开知情同意" in response.content.decode()
    page.refresh_from_db()
    assert not page.live


def test_the_admin_still_saves_a_draft_without_consent(client, dialects):
    curator = factories.user(groups=("Curators",), is_staff=True)
    client.force_login(curator)
    speaker = factories.person(consent="archive_only")
    page = factories.recording(dialects, speaker=speaker, live=False)
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    response = client.post(url, _admin_post_data(page, speaker, title="新标题"))
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.get_latest_revision_as_object().title == "新标题"
    assert not page.live
