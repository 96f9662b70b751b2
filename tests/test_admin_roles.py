"""What each admin role may do, and what it may not: nothing live changes without review,
consent records are evidence kept as they were written, and the admin's pickers and doors
show a user only what the access policy lets them see."""

import datetime

import pytest
from django.urls import reverse

from archive.people.models import ConsentRecord, ConsentWithdrawal
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def dialects():
    return factories.site_tree()[1]["dialects"]


@pytest.fixture
def curator():
    return factories.user(groups=("Curators",), is_staff=True)


@pytest.fixture
def contributor():
    return factories.user(groups=("Contributors",), is_staff=True)


@pytest.fixture
def teacher():
    return factories.user(groups=("Teachers",), is_staff=True)


def _english(user):
    # The admin speaks Chinese by default; these tests read its English.
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


# --- 3. Consent records are evidence: append-only ------------------------------------------


def _withdraw_url(consent):
    return reverse("wagtailsnippets_people_consentrecord:withdraw", args=[consent.pk])


def test_the_person_form_has_no_consent_formset(client, curator, contributor):
    person = factories.person(consent="public_web", withdrawn=True)
    consent = person.consents.get()
    for user in (curator, contributor):
        client.force_login(user)
        url = reverse("wagtailsnippets_people_person:edit", args=[person.pk])
        assert "consents-TOTAL_FORMS" not in client.get(url).content.decode()
    # A crafted post with the old inline's fields changes nothing.
    client.force_login(contributor)
    data = {
        "slug": person.slug, "kind": "individual", "name_zh": person.name_zh,
        "name_en": person.name_en, "consents-TOTAL_FORMS": "1", "consents-INITIAL_FORMS": "1",
        "consents-MIN_NUM_FORMS": "0", "consents-MAX_NUM_FORMS": "1000",
        "consents-0-id": consent.pk, "consents-0-scope": "public_web",
        "consents-0-granted_on": "2024-05-01", "consents-0-withdrawn_on": "",
        "consents-0-recorded_by": "x", "consents-0-ORDER": "1",
    }  # fmt: skip
    client.post(reverse("wagtailsnippets_people_person:edit", args=[person.pk]), data)
    consent.refresh_from_db()
    assert consent.withdrawn_on == datetime.date(2024, 6, 1)


def test_no_one_edits_or_deletes_a_consent_record(client, curator):
    consent = factories.person().consents.get()
    client.force_login(curator)
    for action in ("edit", "delete"):
        url = reverse(f"wagtailsnippets_people_consentrecord:{action}", args=[consent.pk])
        assert client.get(url).status_code in (403, 404, 302)
        client.post(url, {"scope": "commercial", "granted_on": "2020-01-01"})
    consent.refresh_from_db()
    assert consent.scope == "public_web"


def test_a_curator_records_a_new_consent_and_is_named_as_entering_it(client, curator):
    person = factories.person(consent=None)
    client.force_login(curator)
    response = client.post(
        reverse("wagtailsnippets_people_consentrecord:add"),
        {"person": person.pk, "scope": "education", "granted_on": "2025-01-02",
         "recorded_by": "fieldworker", "note": ""},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    consent = person.consents.get()
    assert consent.recorded_by_user == curator and consent.withdrawn_on is None


def test_a_curator_withdraws_a_consent_as_a_new_event(
    client, curator, django_capture_on_commit_callbacks
):
    from archive.people.signals import consent_withdrawn

    heard = []

    def listener(sender, consent, user, **kwargs):
        heard.append((consent.pk, user.pk))

    consent_withdrawn.connect(listener)
    try:
        consent = factories.person().consents.get()
        client.force_login(curator)
        assert client.get(_withdraw_url(consent)).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                _withdraw_url(consent), {"withdrawn_on": "2025-03-04", "reason": "asked by phone"}
            )
        assert response.status_code == 302
    finally:
        consent_withdrawn.disconnect(listener)
    consent.refresh_from_db()
    assert consent.withdrawn_on == datetime.date(2025, 3, 4)
    withdrawal = ConsentWithdrawal.objects.get(consent=consent)
    assert withdrawal.recorded_by_user == curator and withdrawal.reason == "asked by phone"
    assert heard == [(consent.pk, curator.pk)]
    assert not consent.person.has_consent("public_web")


def test_a_withdrawal_is_never_changed_or_undone(client, curator):
    consent = factories.person(withdrawn=True).consents.get()
    client.force_login(curator)
    client.post(_withdraw_url(consent), {"withdrawn_on": "2030-01-01", "reason": "again"})
    consent.refresh_from_db()
    assert consent.withdrawn_on == datetime.date(2024, 6, 1)
    assert not ConsentWithdrawal.objects.exists()


def test_a_withdrawal_before_the_grant_is_refused(client, curator):
    consent = factories.person().consents.get()
    client.force_login(curator)
    response = client.post(_withdraw_url(consent), {"withdrawn_on": "2020-01-01", "reason": ""})
    assert response.status_code == 200
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_a_curator_sees_the_history_of_grants_and_withdrawals(client, curator):
    person = factories.person(withdrawn=True)
    ConsentRecord.objects.create(
        person=person, scope="education", granted_on=datetime.date(2025, 1, 1), recorded_by="x"
    )
    client.force_login(_english(curator))
    url = reverse("wagtailsnippets_people_person:edit", args=[person.pk])
    html = client.get(url).content.decode()
    assert "Education (lessons, classrooms)" in html
    assert "Withdrawn on" in html or "withdrawn on" in html.lower()


@pytest.mark.parametrize("role", ["Contributors", "Teachers"])
def test_contributors_and_teachers_see_no_consent(client, role):
    person = factories.person(withdrawn=True)
    user = _english(factories.user(groups=(role,), is_staff=True))
    client.force_login(user)
    assert client.get(reverse("wagtailsnippets_people_consentrecord:list")).status_code in (
        302, 403,
    )  # fmt: skip
    consent = person.consents.get()
    assert client.get(_withdraw_url(consent)).status_code in (302, 403)
    assert not user.has_perm("people.view_consentrecord")
    edit = client.get(reverse("wagtailsnippets_people_person:edit", args=[person.pk]))
    if edit.status_code == 200:
        assert "fieldworker" not in edit.content.decode()
        assert "Public web" not in edit.content.decode()
