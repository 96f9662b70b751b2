"""Template helpers of the lessons: the "add to lesson" box on item pages, details, lookups."""

from __future__ import annotations

from django import template

from archive.lessons import access
from archive.lessons.models import Lesson, detail_image_path

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def detail_src(source, width: int = 800) -> str:
    return detail_image_path(source, width)


@register.simple_tag(takes_context=True)
def lesson_tools(context, page, assets=None, cues=None) -> dict | None:
    """What the "add to lesson" box needs, or None for anyone who is not a teacher."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not access.is_teacher(user):
        return None
    ready = [a for a in (assets or []) if a.status == "ready"]
    return {
        "lessons": list(Lesson.objects.filter(owner=user).only("pk", "title")[:50]),
        "recordings": [a for a in ready if a.kind in ("audio", "video")],
        "images": [a for a in ready if a.kind == "image"],
        "cues": cues or [],
    }


@register.inclusion_tag("lessons/includes/featured.html", takes_context=True)
def featured_lessons(context, limit: int = 4) -> dict:
    return {
        "lessons": list(Lesson.objects.featured().order_by("-updated_at")[:limit]),
        "request": context.get("request"),
    }


@register.simple_tag(takes_context=True)
def my_lessons(context) -> list | None:
    """A teacher's lessons for the "add to lesson" buttons of search hits (once a request)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not access.is_teacher(user):
        return None
    cached = getattr(request, "_mha_my_lessons", None)
    if cached is None:
        cached = list(Lesson.objects.filter(owner=user).only("pk", "title")[:50])
        request._mha_my_lessons = cached
    return cached
