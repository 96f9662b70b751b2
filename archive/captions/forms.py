"""The admin form of a caption track: a WebVTT or SRT file per track, kept as WebVTT."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .conversion import CaptionFileError, to_webvtt


class CaptionTrackForm(WagtailAdminModelForm):
    upload = forms.FileField(
        label=_("Caption file (WebVTT or SRT)"),
        required=False,
        help_text=_("An SRT file is converted to WebVTT. Leave empty to keep the current file."),
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload is not None:
            try:
                self.instance.vtt = to_webvtt(upload.read())
            except CaptionFileError as e:
                self.add_error("upload", str(e))
        elif not self.instance.vtt:
            self.add_error("upload", _("Choose the track's WebVTT or SRT file."))
        return cleaned
