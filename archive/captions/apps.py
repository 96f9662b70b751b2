from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaptionsConfig(AppConfig):
    """Caption and subtitle tracks of a recording, in any language: each a WebVTT file tagged
    with its BCP 47 / ISO 639-3 language (Miao varieties such as ``hea``, ``hmd``) and its
    village variety, uploaded as WebVTT or SRT. A track takes the access of the recording it
    captions (``policy.can_view_transcript``). It sits above the items and below the IIIF
    doors that serve it."""

    name = "archive.captions"
    label = "captions"
    verbose_name = _("Captions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from archive.core import pagecache

        # A track added, replaced or removed changes the item page's player.
        post_save.connect(pagecache.invalidate, sender="captions.CaptionTrack")
        post_delete.connect(pagecache.invalidate, sender="captions.CaptionTrack")
