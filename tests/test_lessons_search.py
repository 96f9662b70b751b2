"""Finding lessons on every engine (the database engine, OpenSearch, Elasticsearch): public
lessons are documents in the item indexes with the facets subject, grade, collection, motif
and village, the last three taken only from sources everyone may see. A private, unlisted
or unreviewed lesson never shows in a hit or a facet count, for any role; making a lesson
private, taking down an item (unpublish, consent withdrawal) or deleting a lesson reaches
every engine in the committing process."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from archive.access import policy
from archive.lessons.models import Lesson, LessonSource
from archive.people.models import ConsentRecord, Person
from search import engines
from search import lessons as lesson_docs
from search.engines import SearchQuery
from tests import factories
from tests import search_support as support

pytestmark = pytest.mark.django_db
ENGINES = ["database", "opensearch", "elasticsearch"]
ROLES = ("anonymous", "registered", "member", "teacher", "contributor", "curator")


@pytest.fixture(params=ENGINES)
def engine(request, settings):
    engine = support.configure(settings, request.param)
    yield engine
    if engine.name != "database":
        engine.clear()
    engines._cached.cache_clear()


def _lesson(owner, title, visibility, items, subject="meishu", grade=5) -> Lesson:
    lesson = Lesson.objects.create(
        owner=owner,
        title=title,
        objectives="认识纹样 patterns",
        subject=subject,
        grade=grade,
        visibility=visibility,
    )
    for n, item in enumerate(items):
        LessonSource.objects.create(lesson=lesson, item=item, position=n)
    return lesson


@pytest.fixture
def world(engine):
    data = support.corpus()
    items = data["items"]
    other = Person.objects.create(slug="other-village", name_zh="别村", kind="community")
    users = factories.role_users(data["community"], other)
    teacher = users["teacher"]
    data["users"] = {"anonymous": AnonymousUser(), **users}
    data["lessons"] = {
        # The restricted pattern's tiger and the community pattern must never show.
        "public": _lesson(
            teacher,
            "蝴蝶妈妈一课 zephyrlesson",
            "public",
            [items["public"], items["restricted"], items["community"], items["song"]],
        ),
        "music": _lesson(teacher, "古歌一课 cantolesson", "public", [items["song"]], "yinyue", 8),
        "private": _lesson(teacher, "私人课 privlesson", "private", [items["public"]], "lishi", 3),
        "unlisted": _lesson(teacher, "链接课 unllesson", "unlisted", [items["public"]], "lishi"),
        "submitted": _lesson(teacher, "待审课 sublesson", "submitted", [items["public"]], "lishi"),
    }
    support.reindex(engine)
    return data


def _search(engine, user, **kw) -> engines.SearchResult:
    kw.setdefault("filters", {})
    kw["filters"] = {"type": ["lesson"], **kw["filters"]}
    return engine.search(SearchQuery(access=policy.audience(user), **kw))


def _ids(result) -> set[int]:
    return {lesson_docs.lesson_pk(h.id) for h in result.hits}


def _refresh(engine) -> None:
    if engine.name != "database":
        engine.refresh()


def test_a_public_lesson_is_found_by_subject_grade_collection_motif_and_village(engine, world):
    lesson = world["lessons"]["public"]
    anyone = world["users"]["anonymous"]
    for filters in (
        {"subject": ["meishu"]},
        {"grade": ["5"]},
        {"collection": ["embroidery"]},
        {"motif": ["butterfly-mother"]},
        {"motif": ["butterfly"]},  # the broader term of the source's motif
        {"village": ["xijiang"]},
    ):
        assert _ids(_search(engine, anyone, filters=filters)) == {lesson.pk}, filters
    both = {lesson.pk, world["lessons"]["music"].pk}
    assert _ids(_search(engine, anyone, filters={"collection": ["dialects"]})) == both
    assert _ids(_search(engine, anyone, raw="zephyrlesson")) == {lesson.pk}
    # Found by the words of its sources' items, too (in Chinese, English and pinyin).
    assert lesson.pk in _ids(_search(engine, anyone, raw="Butterfly Mother"))
    facets = _search(engine, anyone).facets
    assert dict(facets["subject"]) == {"meishu": 1, "yinyue": 1}
    assert dict(facets["grade"]) == {"5": 1, "8": 1}
    assert dict(facets["collection"]) == {"embroidery": 1, "dialects": 2}
    assert dict(facets["village"]) == {"xijiang": 1}


@pytest.mark.parametrize("role", ROLES)
def test_a_restricted_source_adds_nothing_to_a_lesson_for_any_role(engine, world, role):
    user = world["users"][role]
    # The tiger is only on the restricted pattern: no lesson is found by it, nor counted.
    assert _search(engine, user, filters={"motif": ["tiger"]}).total == 0
    assert _search(engine, user, raw="vexholm").total == 0 or role == "curator"
    assert "tiger" not in dict(_search(engine, user).facets.get("motif", []))
    lessons = [h for h in _search(engine, user, raw="vexholm").hits if h.doc["type"] == "lesson"]
    assert lessons == []  # the curator finds the restricted item, never a lesson by it


@pytest.mark.parametrize("role", ROLES)
def test_private_unlisted_and_unreviewed_lessons_never_show_in_hits_or_counts(engine, world, role):
    user = world["users"][role]
    public = {world["lessons"]["public"].pk, world["lessons"]["music"].pk}
    result = _search(engine, user)
    assert _ids(result) == public
    assert dict(result.facets["type"]) == {"lesson": 2}
    assert "lishi" not in dict(result.facets["subject"]) and "3" not in dict(result.facets["grade"])
    for word in ("privlesson", "unllesson", "sublesson", "私人课"):
        found = engine.search(SearchQuery(raw=word, access=policy.audience(user)))
        # (A typo correction may offer the public lessons; never a hidden one.)
        assert _ids(found) <= public | {None}
        assert word not in str([h.doc["title_zh"] for h in found.hits])
    # Nor in the whole search (every kind): the type facet counts public lessons only.
    everything = engine.search(SearchQuery(raw="lesson", access=policy.audience(user)))
    assert dict(everything.facets.get("type", [])).get("lesson", 0) <= 2


@pytest.mark.parametrize("role", ROLES)
def test_a_lesson_made_private_or_deleted_leaves_every_engine_at_once(
    engine, world, role, django_capture_on_commit_callbacks
):
    user = world["users"][role]
    lesson, music = world["lessons"]["public"], world["lessons"]["music"]
    assert lesson.pk in _ids(_search(engine, user))
    with django_capture_on_commit_callbacks(execute=True):
        lesson.visibility = "private"
        lesson.save()
    _refresh(engine)
    result = _search(engine, user)
    assert _ids(result) == {music.pk}
    assert dict(result.facets["subject"]) == {"yinyue": 1}
    assert _search(engine, user, raw="zephyrlesson").total == 0
    with django_capture_on_commit_callbacks(execute=True):
        music.delete()
    _refresh(engine)
    assert _search(engine, user).total == 0


@pytest.mark.parametrize("role", ROLES)
def test_an_unpublished_source_no_longer_makes_its_lesson_findable(
    engine, world, role, django_capture_on_commit_callbacks
):
    user = world["users"][role]
    lesson = world["lessons"]["public"]
    assert _ids(_search(engine, user, filters={"village": ["xijiang"]})) == {lesson.pk}
    with django_capture_on_commit_callbacks(execute=True):
        world["items"]["public"].unpublish()
    _refresh(engine)
    assert _search(engine, user, filters={"village": ["xijiang"]}).total == 0
    assert _search(engine, user, filters={"motif": ["butterfly-mother"]}).total == 0
    # The lesson itself stays findable (its placeholder says a source was withdrawn).
    assert lesson.pk in _ids(_search(engine, user, filters={"subject": ["meishu"]}))
    with django_capture_on_commit_callbacks(execute=True):
        world["items"]["public"].save_revision().publish()
    _refresh(engine)
    assert _ids(_search(engine, user, filters={"village": ["xijiang"]})) == {lesson.pk}


def test_a_withdrawn_consent_takes_the_recordings_collection_off_its_lessons(
    engine, world, django_capture_on_commit_callbacks
):
    music = world["lessons"]["music"]
    anyone = world["users"]["anonymous"]
    assert music.pk in _ids(_search(engine, anyone, filters={"collection": ["dialects"]}))
    speaker = world["items"]["song"].people.first().person
    consent = ConsentRecord.objects.get(person=speaker, scope="public_web")
    with django_capture_on_commit_callbacks(execute=True):
        consent.withdraw(datetime.date.today(), reason="asked")
    _refresh(engine)
    assert _search(engine, anyone, filters={"collection": ["dialects"]}).total == 0
    assert music.pk in _ids(_search(engine, anyone, filters={"subject": ["yinyue"]}))


@pytest.mark.parametrize("role", ROLES)
def test_the_lessons_page_finds_with_the_engine_and_counts_only_public_lessons(
    client, engine, world, role
):
    user = world["users"][role]
    if role != "anonymous":
        client.force_login(user)
    page = client.get("/en/lessons/", {"motif": "butterfly"}).content.decode()
    assert "zephyrlesson" in page and "cantolesson" not in page
    assert "privlesson" not in page and "unllesson" not in page and "sublesson" not in page
    everything = client.get("/en/lessons/").content.decode()
    assert "zephyrlesson" in everything and "cantolesson" in everything
    assert "privlesson" not in everything and "(3)" not in everything
    assert 'value="tiger"' not in everything
    assert "cantolesson" not in client.get("/en/lessons/", {"q": "zephyrlesson"}).content.decode()


def test_related_patterns_of_a_product_never_offer_a_lesson(engine, world):
    anyone = policy.audience(AnonymousUser())
    pattern = world["items"]["public"]
    found = engine.more_like_this(pattern.pk, products=False, access=anyone)
    assert all(h.doc["type"] != "lesson" for h in found)
