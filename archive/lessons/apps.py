from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LessonsConfig(AppConfig):
    """Teachers' lessons: items, clips of recordings and details of images, put in order with
    notes and questions, shown on a projector, handed out on paper and taken offline. A lesson
    is a door like any other: every source in it is asked of the access policy each time it
    is shown, built into a manifest or packed. It sits beside the portal, above the items,
    assets and IIIF it uses; nothing below imports it."""

    name = "archive.lessons"
    label = "lessons"
    verbose_name = _("Lessons")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from archive.core.pagecache import invalidate

        from .models import Lesson, LessonSource

        # A public lesson's page may be in the page cache: any change leaves it behind.
        for model in (Lesson, LessonSource):
            name = model.__name__
            post_save.connect(invalidate, sender=model, dispatch_uid=f"lessons-pc-{name}")
            post_delete.connect(invalidate, sender=model, dispatch_uid=f"lessons-pc-{name}-del")
