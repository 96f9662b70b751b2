"""Multi-file upload in the Wagtail admin: each file checked and reported on its own."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from archive.access.models import AccessLevel
from archive.items.models import ItemPage
from media_pipeline.errors import MediaError

from .ingest import ingest, safe_display_name


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    item = forms.ModelChoiceField(
        queryset=ItemPage.objects.order_by("title"), label=_("Item"),
        help_text=_("The item the files belong to."),
    )  # fmt: skip
    files = MultipleFileField(label=_("Files"), help_text=_(
        "Images (JPEG, PNG, TIFF, HEIC, WebP), audio (WAV, FLAC, MP3, M4A, Ogg) or video "
        "(MP4, MOV, MKV). Each file is checked; a bad file is refused with the reason and "
        "does not stop the others."))  # fmt: skip
    access_level = forms.ChoiceField(
        choices=AccessLevel.choices, initial=AccessLevel.PUBLIC, label=_("Access level"),
        help_text=_("Seen only by those who may also see the item."),
    )  # fmt: skip


def upload(request):
    if not request.user.has_perm("assets.add_mediaasset"):
        raise PermissionDenied
    results = []
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            item = form.cleaned_data["item"]
            for upload in form.cleaned_data["files"]:
                name = safe_display_name(upload.name)
                try:
                    result = ingest(upload, item=item, filename=name,
                                    access_level=form.cleaned_data["access_level"])  # fmt: skip
                    results.append({"name": name, "ok": True, "asset": result.asset,
                                    "stored": result.stored})  # fmt: skip
                except MediaError as exc:
                    results.append({"name": name, "ok": False, "error": str(exc)})
            form = UploadForm(initial={"item": item})
    else:
        form = UploadForm(initial={"item": request.GET.get("item")})
    return render(request, "assets/admin/upload.html", {"form": form, "results": results})
