"""Background work of lessons, through the django-tasks API: the offline pack is built by a
worker (queue ``media``: ffmpeg and libvips, like derivatives) while the teacher's page
polls its status, instead of holding a request open for the whole build."""

from __future__ import annotations

from django_tasks import task

from . import pack


@task(queue_name="media")
def build_pack(lesson_id: int, base_url: str) -> str:
    return pack.build_kept(lesson_id, base_url).state
