"""Multi-file upload in the Wagtail admin: each file checked and reported on its own."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminPageChooser
from wagtail.permission_policies.pages import PagePermissionPolicy

from archive.access.models import AccessLevel
from archive.access.policy import is_curator
from archive.items.admin_scope import admin_items
from archive.items.models import ItemPage
from media_pipeline.errors import MediaError

from .ingest import ingest, safe_display_name
from .similar import look_alikes


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files; an empty one is not refused here but by ingest, on its own line."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


def items_for(user) -> QuerySet:
    """Items ``user`` may both edit and see in the admin."""
    editable = PagePermissionPolicy().instances_user_has_permission_for(user, "change")
    return admin_items(ItemPage.objects.filter(pk__in=editable.values("pk")), user)


class UploadForm(forms.Form):
    item = forms.ModelChoiceField(
        queryset=ItemPage.objects.none(),
        label=_("Item"),
        widget=AdminPageChooser(target_models=[ItemPage]),
        help_text=_("The item the files belong to."),
    )
    files = MultipleFileField(
        label=_("Files"),
        help_text=_(
            "Images (JPEG, PNG, TIFF, HEIC, WebP), audio (WAV, FLAC, MP3, M4A, Ogg) or video "
            "(MP4, MOV, MKV). Each file is checked; a bad file is refused with the reason and "
            "does not stop the others."
        ),
    )
    access_level = forms.ChoiceField(
        choices=AccessLevel.choices,
        # Like a new item: nothing is public until a curator says so.
        initial=AccessLevel.RESTRICTED,
        label=_("Access level"),
        help_text=_(
            "Seen only by those who may also see the item. A contributor's files "
            "on a published item are kept restricted until a curator widens them."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items_for(user).order_by("title")


def level_for(user, item: ItemPage, chosen: str) -> str:
    """What a contributor adds to a live item waits, restricted, for a curator's review."""
    if item.live and not is_curator(user):
        return AccessLevel.RESTRICTED
    return chosen


def upload(request):
    if not request.user.has_perm("assets.add_mediaasset"):
        raise PermissionDenied
    results = []
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            item = form.cleaned_data["item"]
            level = level_for(request.user, item, form.cleaned_data["access_level"])
            held = level != form.cleaned_data["access_level"]
            for upload in form.cleaned_data["files"]:
                name = safe_display_name(upload.name)
                try:
                    result = ingest(upload, item=item, filename=name, access_level=level)
                    results.append(
                        {
                            "name": name,
                            "ok": True,
                            "asset": result.asset,
                            "stored": result.stored,
                            "held": held,
                            "similar": look_alikes(
                                result.original, request.user, exclude_item=item
                            ),
                        }
                    )
                except MediaError as exc:
                    results.append({"name": name, "ok": False, "error": str(exc)})
            form = UploadForm(initial={"item": item}, user=request.user)
    else:
        form = UploadForm(initial={"item": request.GET.get("item")}, user=request.user)
    return render(request, "assets/admin/upload.html", {"form": form, "results": results})
