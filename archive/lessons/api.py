"""``/api/v1/lessons``: the lessons everyone may open (public ones), as a student sees them.

Mounted by ``archive.api.urls`` (any app's ``api.py`` router). Each source is asked of the
access policy for the caller, as on the lesson's pages: one that was restricted, unpublished,
expired or lost its consent is a placeholder (``withdrawn``: its kind and place only, no
title, no link). The teacher's notes stay on the teacher's page; private and unlisted lessons
are the same 404 as a missing one.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Router, Schema

from archive.api.schemas import Problem
from archive.api.support import NOT_MODIFIED, conditional_json, cursor_page

from .access import sources_for
from .models import Grade, Lesson, Subject

router = Router(tags=["lessons"])
prefix = "/lessons"


class LessonSourceOut(Schema):
    position: int
    kind: str
    withdrawn: bool
    item: str | None = None
    title: str | None = None
    url: str | None = None
    #: W3C media fragment of a clip, ``t=start,end``.
    fragment: str | None = None
    #: IIIF region ``x,y,w,h`` of a detail.
    region: str | None = None
    questions: list[str] = []


class LessonOut(Schema):
    id: int
    title: str
    subject: str
    grade: int
    language: str
    duration_minutes: int
    url: str
    manifest: str
    objectives: list[str] = []
    sources: list[LessonSourceOut] | None = None


class LessonList(Schema):
    results: list[LessonOut]
    next: str | None = None


def _lesson(request: HttpRequest, lesson: Lesson, with_sources: bool = False) -> dict:
    out = {
        "id": lesson.pk,
        "title": lesson.title,
        "subject": lesson.subject,
        "grade": lesson.grade,
        "language": lesson.language,
        "duration_minutes": lesson.duration_minutes,
        "url": request.build_absolute_uri(lesson.get_absolute_url()),
        "manifest": request.build_absolute_uri(reverse("lesson-manifest", args=[lesson.pk])),
        "objectives": lesson.objective_lines(),
    }
    if with_sources:
        out["sources"] = [
            _source(request, position, shown)
            for position, shown in enumerate(sources_for(lesson, request.user), start=1)
        ]
    return out


def _source(request: HttpRequest, position: int, shown) -> dict:
    source = shown.source
    if not shown.visible:
        return {"position": position, "kind": source.kind, "withdrawn": True}
    return {
        "position": position,
        "kind": source.kind,
        "withdrawn": False,
        "item": shown.item.identifier,
        "title": shown.item.title,
        "url": request.build_absolute_uri(shown.item.url),
        "fragment": source.fragment if source.kind == "clip" else None,
        "region": source.region if source.kind == "detail" else None,
        "questions": source.question_lines(),
    }


@router.get(
    "",
    response={200: LessonList, **NOT_MODIFIED, 400: Problem},
    summary="Public lessons",
)
def lessons(
    request: HttpRequest,
    subject: Subject | None = None,
    grade: Grade | None = None,
    cursor: str | None = None,
    limit: int = 20,
):
    """Lessons a curator made public, newest last, by subject and grade."""
    found = Lesson.objects.public()
    if subject:
        found = found.filter(subject=subject)
    if grade:
        found = found.filter(grade=grade)
    page, next_url = cursor_page(request, found, cursor, max(1, min(limit, 100)))
    return conditional_json(
        request, {"results": [_lesson(request, x) for x in page], "next": next_url}
    )


@router.get(
    "/{lesson_id}",
    response={200: LessonOut, **NOT_MODIFIED, 404: Problem},
    summary="One public lesson and its sources",
)
def lesson(request: HttpRequest, lesson_id: int):
    found = Lesson.objects.public().filter(pk=lesson_id).first()
    if found is None:
        raise Http404
    return conditional_json(request, _lesson(request, found, with_sources=True))
