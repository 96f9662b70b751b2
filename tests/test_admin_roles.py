"""What each admin role may do, and what it may not: nothing live changes without review,
consent records are evidence kept as they were written, and the admin's pickers and doors
show a user only what the access policy lets them see."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archive.assets.models import MediaAsset
from archive.people.models import ConsentRecord, ConsentWithdrawal
from demo import mediamaker as make
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


def _asset(item, level="public"):
    return MediaAsset.objects.create(
        item=item, original=factories.original_record(), access_level=level, status="ready"
    )


def _asset_post(asset, **changes):
    data = {
        "item": asset.item_id,
        "caption_zh": asset.caption_zh,
        "caption_en": asset.caption_en,
        "access_level": asset.access_level,
        "position": asset.position,
    }
    data.update(changes)
    return data


# --- 2. Contributors do not bypass review through media assets ---------------------------


@pytest.mark.parametrize("level", ["registered", "restricted"])
def test_a_contributor_cannot_widen_an_asset(client, dialects, contributor, level):
    item = factories.recording(dialects, speaker=factories.person())
    item.owner = contributor  # so that even a restricted asset on it is theirs to open
    item.save()
    asset = _asset(item, level)
    client.force_login(contributor)
    url = reverse("wagtailsnippets_assets_mediaasset:edit", args=[asset.pk])
    response = client.post(url, _asset_post(asset, access_level="public", caption_en="Sleeve"))
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.caption_en == "Sleeve"  # what is not access may still be described
    assert asset.access_level == level


def test_a_contributor_cannot_open_a_restricted_asset_of_someone_elses_item(
    client, dialects, contributor
):
    item = factories.recording(dialects, speaker=factories.person())
    asset = _asset(item, "restricted")
    client.force_login(contributor)
    url = reverse("wagtailsnippets_assets_mediaasset:edit", args=[asset.pk])
    assert client.post(url, _asset_post(asset, access_level="public")).status_code == 404
    asset.refresh_from_db()
    assert asset.access_level == "restricted"


def test_a_contributor_cannot_move_an_asset_to_another_item(client, dialects, contributor):
    hidden = factories.recording(dialects, speaker=factories.person(), access="restricted")
    public = factories.recording(dialects, speaker=factories.person())
    asset = _asset(hidden, "public")
    client.force_login(contributor)
    url = reverse("wagtailsnippets_assets_mediaasset:edit", args=[asset.pk])
    client.post(url, _asset_post(asset, item=public.pk))
    asset.refresh_from_db()
    assert asset.item_id == hidden.pk


def test_a_contributor_sees_the_level_and_item_but_not_as_fields(client, dialects, contributor):
    item = factories.recording(dialects, speaker=factories.person())
    asset = _asset(item, "public")
    client.force_login(contributor)
    body = client.get(reverse("wagtailsnippets_assets_mediaasset:edit", args=[asset.pk]))
    html = body.content.decode()
    assert body.status_code == 200
    assert 'name="access_level"' not in html and 'name="item"' not in html
    assert 'name="caption_en"' in html


def test_a_curator_still_widens_an_asset(client, dialects, curator):
    item = factories.recording(dialects, speaker=factories.person())
    asset = _asset(item, "restricted")
    client.force_login(curator)
    url = reverse("wagtailsnippets_assets_mediaasset:edit", args=[asset.pk])
    assert client.post(url, _asset_post(asset, access_level="public")).status_code == 302
    asset.refresh_from_db()
    assert asset.access_level == "public"


def _upload(client, item, tmp_path, name="sleeve.jpg", level="public", extra=()):
    good = SimpleUploadedFile(name, make.card(tmp_path / "s.jpg").read_bytes())
    return client.post(
        reverse("media_upload"), {"item": item.pk, "files": [good, *extra], "access_level": level}
    )


def test_a_contributor_upload_to_a_live_item_waits_restricted_for_a_curator(
    client, dialects, contributor, tmp_path
):
    item = factories.recording(dialects, speaker=factories.person())
    client.force_login(_english(contributor))
    response = _upload(client, item, tmp_path)
    assert response.status_code == 200
    asset = item.assets.get()
    assert asset.access_level == "restricted"
    assert "until a curator widens it" in response.content.decode()


def test_a_contributor_upload_to_a_draft_item_keeps_its_level(
    client, dialects, contributor, tmp_path
):
    item = factories.recording(dialects, speaker=factories.person(), live=False)
    client.force_login(contributor)
    _upload(client, item, tmp_path, level="registered")
    assert item.assets.get().access_level == "registered"


def test_a_curator_upload_to_a_live_item_keeps_its_level(client, dialects, curator, tmp_path):
    item = factories.recording(dialects, speaker=factories.person())
    client.force_login(curator)
    _upload(client, item, tmp_path)
    assert item.assets.get().access_level == "public"


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
        "slug": person.slug,
        "kind": "individual",
        "name_zh": person.name_zh,
        "name_en": person.name_en,
        "consents-TOTAL_FORMS": "1",
        "consents-INITIAL_FORMS": "1",
        "consents-MIN_NUM_FORMS": "0",
        "consents-MAX_NUM_FORMS": "1000",
        "consents-0-id": consent.pk,
        "consents-0-scope": "public_web",
        "consents-0-granted_on": "2024-05-01",
        "consents-0-withdrawn_on": "",
        "consents-0-recorded_by": "x",
        "consents-0-ORDER": "1",
    }
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
        {
            "person": person.pk,
            "scope": "education",
            "granted_on": "2025-01-02",
            "recorded_by": "fieldworker",
            "note": "",
        },
    )
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
        302,
        403,
    )
    consent = person.consents.get()
    assert client.get(_withdraw_url(consent)).status_code in (302, 403)
    assert not user.has_perm("people.view_consentrecord")
    edit = client.get(reverse("wagtailsnippets_people_person:edit", args=[person.pk]))
    if edit.status_code == 200:
        assert "fieldworker" not in edit.content.decode()
        assert "Public web" not in edit.content.decode()


# --- 4. Documents (scanned consent forms) are for curators only -----------------------------


def test_documents_are_served_to_curators_only(client, curator, contributor):
    from wagtail.documents.models import Document

    doc = Document.objects.create(
        title="Signed consent", file=ContentFile(b"%PDF-1.4 signed", name="consent.pdf")
    )
    assert client.get(doc.url).status_code == 404
    client.force_login(contributor)
    assert client.get(doc.url).status_code == 404
    client.force_login(curator)
    response = client.get(doc.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 signed"


# --- 6. Admin pickers and doors list only what the user may see -----------------------------


@pytest.fixture
def levels(dialects):
    community = factories.person(consent=None, kind="community")
    return {
        "public": factories.recording(dialects, title="公开录音", speaker=factories.person()),
        "restricted": factories.recording(dialects, title="限制录音", access="restricted"),
        "community": factories.recording(
            dialects, title="社区录音", access="community", community=community
        ),
        "draft": factories.recording(dialects, title="草稿录音", live=False, access="registered"),
    }


def _titles(html):
    return {t for t in ("公开录音", "限制录音", "社区录音", "草稿录音") if t in html}


def test_a_teacher_chooses_only_live_visible_pages(client, teacher, levels, dialects):
    client.force_login(teacher)
    browse = client.get(reverse("wagtailadmin_choose_page_child", args=[dialects.pk]))
    assert _titles(browse.json()["html"]) == {"公开录音"}
    search = client.get(reverse("wagtailadmin_choose_page_search"), {"q": "录音"})
    assert "限制录音" not in search.content.decode() and "草稿录音" not in search.content.decode()


def test_a_contributor_explores_visible_pages_and_their_own_drafts(
    client, contributor, levels, dialects
):
    own = factories.recording(dialects, title="我的草稿", live=False, access="restricted")
    own.owner = contributor
    own.save()
    client.force_login(contributor)
    html = client.get(reverse("wagtailadmin_explore", args=[dialects.pk])).content.decode()
    assert _titles(html) == {"公开录音", "草稿录音"}
    assert "我的草稿" in html
    chooser = client.get(reverse("wagtailadmin_choose_page_child", args=[dialects.pk]))
    assert _titles(chooser.json()["html"]) == {"公开录音", "草稿录音"}


def test_a_contributor_cannot_open_or_preview_a_restricted_page(client, contributor, levels):
    client.force_login(contributor)
    page = levels["restricted"]
    for name in (
        "wagtailadmin_pages:edit",
        "wagtailadmin_pages:view_draft",
        "wagtailadmin_pages:history",
        "wagtailadmin_pages:preview_on_edit",
    ):
        assert client.get(reverse(name, args=[page.pk])).status_code == 404, name
    public = reverse("wagtailadmin_pages:edit", args=[levels["public"].pk])
    assert client.get(public).status_code == 200


def test_the_media_asset_chooser_and_listing_hide_what_the_user_may_not_see(
    client, teacher, contributor, levels
):
    visible = _asset(levels["public"], "public")
    hidden = [
        _asset(levels["public"], "restricted"),
        _asset(levels["restricted"], "public"),
        _asset(levels["community"], "public"),
    ]
    for user in (teacher, contributor):
        client.force_login(user)
        response = client.get(reverse("wagtailsnippetchoosers_assets_mediaasset:choose"))
        if response.status_code == 200:
            html = response.json()["html"]
            assert f"/{visible.pk}/" in html
            for asset in hidden:
                assert f"/{asset.pk}/" not in html
    client.force_login(contributor)
    listing = client.get(reverse("wagtailsnippets_assets_mediaasset:list")).content.decode()
    assert reverse("wagtailsnippets_assets_mediaasset:edit", args=[visible.pk]) in listing
    for asset in hidden:
        edit = reverse("wagtailsnippets_assets_mediaasset:edit", args=[asset.pk])
        assert edit not in listing
        assert client.get(edit).status_code == 404


def test_the_upload_form_offers_only_items_the_contributor_may_see(
    client, contributor, levels, tmp_path
):
    client.force_login(contributor)
    form = client.get(reverse("media_upload")).context["form"]
    offered = set(form.fields["item"].queryset.values_list("pk", flat=True))
    assert levels["public"].pk in offered and levels["draft"].pk in offered
    assert levels["restricted"].pk not in offered and levels["community"].pk not in offered
    _upload(client, levels["restricted"], tmp_path)
    assert not MediaAsset.objects.exists()


# --- 12. One empty file in an admin batch is refused on its own line -------------------------


def test_an_empty_file_in_an_admin_batch_is_refused_alone(
    client, item, curator, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(_english(curator))
    empty = SimpleUploadedFile("empty.jpg", b"")
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, item, tmp_path, extra=[empty])
    body = response.content.decode()
    assert response.status_code == 200
    assert "empty.jpg" in body and "The file is empty (0 bytes)." in body
    assert item.assets.count() == 1
