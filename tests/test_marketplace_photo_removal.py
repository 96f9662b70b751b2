"""A curator removes a profile photo or a product photo in the admin: the photo's door
answers 404 to every role, and its renditions and original leave storage (unless another
record holds the same bytes)."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile
from django.test import Client

from archive.assets.models import Original
from archive.marketplace.models import ArtisanProfile, ProductPhoto
from demo import mediamaker
from tests import factories
from tests.marketplace_support import market
from tests.test_curator_admin import _form_data

pytestmark = pytest.mark.django_db
ROLES = ("anonymous", "registered", "member", "teacher", "contributor", "curator")


@pytest.fixture
def world():
    return market()


def _clients(world) -> dict[str, Client]:
    from archive.access.models import CommunityMembership

    member = factories.user()
    CommunityMembership.objects.create(user=member, community=world["coop"].person)
    users = {
        "registered": factories.user(),
        "member": member,
        "teacher": factories.user(groups=("Teachers",), is_staff=True),
        "contributor": factories.user(groups=("Contributors",), is_staff=True),
        "curator": factories.user(groups=("Curators",), is_staff=True),
    }
    clients = {"anonymous": Client()}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    return clients


def _curator() -> Client:
    client = Client()
    client.force_login(factories.user(is_staff=True, is_superuser=True))
    return client


def _edit_data(response) -> dict:
    """The admin form sent back untouched (a file input the browser leaves empty is not sent)."""
    return {k: v for k, v in _form_data(response).items() if not isinstance(v, FieldFile)}


def _stored(*fieldfiles) -> list[bool]:
    return [bool(f) and default_storage.exists(f.name) for f in fieldfiles]


def _errors(response) -> str:
    form = response.context and response.context.get("form")
    return str(form.errors if form else response.status_code)


def test_a_curator_removes_a_profile_photo_and_every_door_lets_go(
    world, tmp_path, django_capture_on_commit_callbacks
):
    path = mediamaker.card(tmp_path / "amei.jpg", 600, 800, camera="FieldCam")
    profile = world["profile"]
    with django_capture_on_commit_callbacks(execute=True):
        profile.photo_upload = SimpleUploadedFile("amei.jpg", path.read_bytes())
        profile.full_clean()
        profile.save()
    profile.refresh_from_db()
    original = profile.photo
    kept = [profile.photo_thumb, profile.photo_web, original.file]
    assert _stored(*kept) == [True, True, True]
    clients = _clients(world)
    doors = (profile.photo_url("web"), profile.photo_url("thumb"))
    for role, client in clients.items():
        assert [client.get(url).status_code for url in doors] == [200, 200], role

    admin = _curator()
    url = f"/admin/snippets/marketplace/artisanprofile/edit/{profile.pk}/"
    data = _edit_data(admin.get(url))
    data["remove_photo"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, data)
    assert response.status_code == 302, _errors(response)

    profile = ArtisanProfile.objects.get(pk=profile.pk)
    assert profile.photo is None and not profile.photo_thumb and not profile.photo_web
    assert _stored(*kept) == [False, False, False]
    assert not Original.objects.filter(pk=original.pk).exists()
    for role, client in clients.items():
        assert [client.get(url).status_code for url in doors] == [404, 404], role
        page = client.get(profile.get_absolute_url()).content.decode()
        assert profile.photo_url("web") not in page, role
        assert profile.photo_url("thumb") not in client.get(world["pattern"].url).content.decode()
    # The profile itself stays shown, without a photo.
    assert clients["anonymous"].get(profile.get_absolute_url()).status_code == 200


def test_removing_a_photo_and_uploading_another_at_once_is_refused_with_the_reason(world):
    admin = _curator()
    url = f"/admin/snippets/marketplace/cooperative/edit/{world['coop'].pk}/"
    data = _edit_data(admin.get(url))
    data["remove_photo"] = "on"
    data["photo_upload"] = SimpleUploadedFile("x.jpg", b"\xff\xd8\xff oops")
    response = admin.post(url, data)
    assert response.status_code == 200
    assert "remove_photo" in response.context["form"].errors


def test_a_curator_removes_a_product_photo_and_its_files_go(
    world, tmp_path, django_capture_on_commit_callbacks
):
    sleeve = world["products"]["sleeve"]
    photos = []
    with django_capture_on_commit_callbacks(execute=True):
        for name, width in (("front.jpg", 800), ("back.jpg", 640)):  # different bytes
            path = mediamaker.card(tmp_path / name, width, 600)
            photo = ProductPhoto(product=sleeve, upload=SimpleUploadedFile(name, path.read_bytes()))
            photo.full_clean()
            photo.save()
            photos.append(photo)
    front, back = (ProductPhoto.objects.get(pk=p.pk) for p in photos)
    kept = [front.thumb, front.web, front.original.file]
    assert _stored(*kept) == [True, True, True]
    # The back's bytes are also the profile's photo: they must outlive the product photo.
    profile = world["profile"]
    ArtisanProfile.objects.filter(pk=profile.pk).update(photo=back.original)
    clients = _clients(world)
    for role, client in clients.items():
        assert client.get(front.url("web")).status_code == 200, role

    admin = _curator()
    url = f"/admin/snippets/marketplace/product/edit/{sleeve.pk}/"
    data = _edit_data(admin.get(url))
    forms = admin.get(url).context["form"].formsets["photos"].forms
    (index,) = (i for i, f in enumerate(forms) if f.instance.pk == front.pk)
    data[f"photos-{index}-DELETE"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, data)
    assert response.status_code == 302, _errors(response)

    assert not ProductPhoto.objects.filter(pk=front.pk).exists()
    assert _stored(*kept) == [False, False, False]
    assert not Original.objects.filter(pk=front.original_id).exists()
    for role, client in clients.items():
        assert client.get(front.url("web")).status_code == 404, role
        assert client.get(front.url("thumb")).status_code == 404, role
        assert client.get(back.url("web")).status_code == 200, role
    # Deleting the other photo leaves its original to the profile that holds it.
    with django_capture_on_commit_callbacks(execute=True):
        ProductPhoto.objects.get(pk=back.pk).delete()
    assert _stored(back.thumb, back.web, back.original.file) == [False, False, True]
    assert Original.objects.filter(pk=back.original_id).exists()
