"""The demo's sample lessons (``collections/demo/lessons.yaml``), public and featured on the
home page, owned by a demo teacher. Idempotent: a lesson with the same title and owner is
left as it is."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from archive.assets.models import MediaAsset
from archive.core.roles import TEACHERS
from archive.items.models import ItemPage
from archive.lessons.models import Lesson, LessonSource, TeacherApplication, check_bounds
from archive.vocabularies.loader import DATA_DIR, read_yaml

#: The demo teacher's documented password (development settings only, like the demo admin).
DEMO_TEACHER_PASSWORD = "miao-demo-teacher"  # noqa: S105
DEMO_TEACHER = {"username": "laoshi", "first_name": "杨", "last_name": "老师"}
DEMO_SCHOOL = "西江苗寨小学"


def _first(item, kinds) -> MediaAsset | None:
    return (
        MediaAsset.objects.filter(item=item, original__kind__in=kinds, status="ready")
        .select_related("original")
        .order_by("position", "pk")
        .first()
    )


def _source(lesson: Lesson, position: int, entry: dict) -> LessonSource | None:
    identifier = entry.get("item") or entry.get("clip") or entry.get("detail")
    item = ItemPage.objects.filter(identifier=identifier).first()
    if item is None:
        return None
    source = LessonSource(
        lesson=lesson,
        position=position,
        item=item,
        note=entry.get("note", ""),
        questions=entry.get("questions", ""),
    )
    if "clip" in entry:
        kinds = ("video",) if entry.get("video") else ("audio", "video")
        source.kind, source.asset = "clip", _first(item, kinds)
        source.start, source.end = Decimal(str(entry["start"])), Decimal(str(entry["end"]))
    elif "detail" in entry:
        source.kind, source.asset = "detail", _first(item, ("image",))
        source.x, source.y, source.w, source.h = entry["region"]
    try:
        check_bounds(source)
    except ValidationError:
        # Without media (load_demo --no-media) or with shorter media: the whole item.
        source.kind, source.asset = "item", None
    source.save()
    return source


def load_demo_lessons() -> int:
    entries = read_yaml(DATA_DIR / "demo" / "lessons.yaml")
    teacher, created = get_user_model().objects.get_or_create(
        username=DEMO_TEACHER["username"], defaults=DEMO_TEACHER
    )
    if created:
        teacher.set_password(DEMO_TEACHER_PASSWORD)
        teacher.save()
    teacher.groups.add(Group.objects.get(name=TEACHERS))
    TeacherApplication.objects.get_or_create(
        user=teacher, defaults={"school": DEMO_SCHOOL, "status": "approved"}
    )
    made = 0
    for entry in entries:
        if Lesson.objects.filter(owner=teacher, title=entry["title"]).exists():
            continue
        lesson = Lesson.objects.create(
            owner=teacher,
            title=entry["title"],
            subject=entry["subject"],
            grade=entry["grade"],
            duration_minutes=entry["duration_minutes"],
            objectives=entry.get("objectives", ""),
            is_template=entry.get("is_template", False),
            visibility="public",
            featured=True,
        )
        for n, source in enumerate(entry["sources"]):
            _source(lesson, n, source)
        made += 1
    return made
