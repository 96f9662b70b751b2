"""Building blocks for tests: a site tree, people with or without consent, items."""

from __future__ import annotations

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from archive.items.models import CollectionPage, ItemPerson, RecordingPage
from archive.people.models import ConsentRecord, Person
from archive.portal.models import HomePage
from archive.portal.setup import ensure_home

_seq = itertools.count(1)


def wagtail_root() -> None:
    """The locale, root page and groups that migrations make, restored after a flush.

    Tests with a live server need committed data, so pytest-django flushes the database
    after them, and with it these migration-made rows; a test that runs next in the same
    process (xdist shares files among processes in no fixed order) would find no root.
    """
    from django.conf import settings
    from wagtail.models import Locale, Page

    from archive.core.roles import ensure_roles

    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(instance=Page(title="Root", slug="root"))
        ensure_roles()


def site_tree() -> tuple[HomePage, dict[str, CollectionPage]]:
    wagtail_root()
    home = ensure_home()
    collections = {}
    for slug, title in (
        ("embroidery", "刺绣纹样"),
        ("dialects", "方言录音"),
        ("folk-music", "民间音乐"),
    ):
        page = CollectionPage.objects.child_of(home).filter(slug=slug).first()
        if page is None:
            page = home.add_child(instance=CollectionPage(title=title, slug=slug, title_en=slug))
        collections[slug] = page
    return home, collections


def person(consent: str | None = "public_web", withdrawn: bool = False, **kw) -> Person:
    n = next(_seq)
    p = Person.objects.create(
        slug=kw.pop("slug", f"person-{n}"),
        name_zh=kw.pop("name_zh", f"歌师{n}"),
        name_en=kw.pop("name_en", f"Singer {n}"),
        **kw,
    )
    if consent:
        ConsentRecord.objects.create(
            person=p,
            scope=consent,
            granted_on=datetime.date(2024, 5, 1),
            withdrawn_on=datetime.date(2024, 6, 1) if withdrawn else None,
            recorded_by="fieldworker",
        )
    return p


def recording(
    parent: CollectionPage,
    *,
    speaker: Person | None = None,
    live: bool = True,
    access: str = "public",
    **kw,
) -> RecordingPage:
    n = next(_seq)
    page = RecordingPage(
        title=kw.pop("title", f"录音{n}"),
        title_en=kw.pop("title_en", f"Recording {n}"),
        identifier=kw.pop("identifier", f"MHA-DIA-T{n:04d}"),
        slug=f"rec-{n}",
        access_level=access,
        live=live,
        **kw,
    )
    if speaker is not None:
        page.people.add(ItemPerson(person=speaker, role="speaker"))
    parent.add_child(instance=page)
    return page


def user(username: str | None = None, *, groups: tuple[str, ...] = (), **kw):
    if groups:
        wagtail_root()  # the groups, should a live-server test have flushed them
    User = get_user_model()
    u = User.objects.create_user(username or f"user{next(_seq)}", password="pw-for-tests", **kw)
    for g in groups:
        u.groups.add(Group.objects.get(name=g))
    return u


def role_users(community, other_community) -> dict:
    """One user per role of the access matrix: registered, a member of ``community``, a
    member of ``other_community``, teacher, contributor and curator."""
    from archive.access.models import CommunityMembership

    users = {
        "registered": user(),
        "member": user(),
        "other-member": user(),
        "teacher": user(groups=("Teachers",), is_staff=True),
        "contributor": user(groups=("Contributors",), is_staff=True),
        "curator": user(groups=("Curators",), is_staff=True),
    }
    CommunityMembership.objects.create(user=users["member"], community=community)
    CommunityMembership.objects.create(user=users["other-member"], community=other_community)
    return users


def original(data: bytes, filename: str, content_type: str, kind: str):
    """An original holding ``data`` in the media storage, as an upload would leave it."""
    import hashlib

    from django.core.files.base import ContentFile

    from archive.assets.models import Original

    made = Original(
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        original_filename=filename,
        content_type=content_type,
        kind=kind,
    )
    made.file.save(filename, ContentFile(data), save=False)
    made.save()
    return made


def original_record(
    filename: str = "x.jpg", content_type: str = "image/jpeg", kind: str = "image", **fields
):
    """An original's record with no file behind it: what pages and the admin list, never
    opened (``factories.original`` holds real bytes). Each has a checksum of its own."""
    import uuid

    from archive.assets.models import Original

    return Original.objects.create(
        **{
            "sha256": uuid.uuid4().hex * 2,
            "file": f"originals/{filename}",
            "size": 1,
            "original_filename": filename,
            "content_type": content_type,
            "kind": kind,
            **fields,
        }
    )


def image_record():
    """An image original's record with no file behind it, with its size probed."""
    return original_record(probe={"width": 1600, "height": 1200})


def rich_item(collections: dict, original, n: int, tag: str):
    """A public embroidery item with ``n`` assets, transcript lines, people and related items
    (each person also in another item): what an item page's cost must not grow with."""
    from archive.assets.models import Derivative, MediaAsset
    from archive.items.models import EmbroideryPatternPage, TranscriptCue
    from archive.vocabularies.models import Motif, Place

    people = [person(slug=f"p-{tag}-{i}") for i in range(n)]
    page = EmbroideryPatternPage(
        title=f"富 {tag}",
        title_en=f"Rich {tag}",
        slug=f"rich-{tag}",
        identifier=f"RICH-{tag}",
        access_level="public",
        place=Place.objects.filter(kind="village").order_by("slug").first(),
    )
    for p in people:
        page.people.add(ItemPerson(person=p, role="artisan"))
    page.motifs = [Motif.objects.order_by("slug").first()]
    collections["embroidery"].add_child(instance=page)
    for i in range(n):
        asset = MediaAsset.objects.create(item=page, original=original, status="ready", position=i)
        for name in ("thumb", "web-webp", "web-jpeg"):
            Derivative.objects.create(
                asset=asset, name=name, file=f"d/{name}", content_type="x", width=1200, height=900
            )
        TranscriptCue.objects.create(item=page, start=i, end=i + 1, text_en=f"line {i}")
        other = EmbroideryPatternPage(
            title=f"邻 {tag} {i}",
            title_en=f"Near {tag} {i}",
            slug=f"near-{tag}-{i}",
            identifier=f"NEAR-{tag}-{i}",
            access_level="public",
        )
        other.people.add(ItemPerson(person=people[i], role="artisan"))
        collections["embroidery"].add_child(instance=other)
    return page


def withdraw_consent(who: Person, capture, scope: str = "public_web") -> ConsentRecord:
    """``who`` withdraws their consent today; ``capture`` is pytest-django's
    ``django_capture_on_commit_callbacks``, so the take-down runs as after a real commit."""
    from django.utils import timezone

    consent = ConsentRecord.objects.get(person=who, scope=scope)
    consent.withdrawn_on = timezone.localdate()
    with capture(execute=True):
        consent.save()
    return consent
