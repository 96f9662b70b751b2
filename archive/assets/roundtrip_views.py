"""The admin screen of the metadata round-trip (``roundtrip``): export, then preview, then apply."""

from __future__ import annotations

import base64

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archive.access.policy import is_curator
from archive.items.models import CollectionPage

from . import roundtrip

MAX_BYTES = 20 * 1024 * 1024


class SheetForm(forms.Form):
    collection = forms.ModelChoiceField(
        queryset=CollectionPage.objects.order_by("path"), label=gettext_lazy("Collection")
    )
    sheet = forms.FileField(label=gettext_lazy("Edited sheet (CSV or XLSX)"), required=False)


def metadata(request):
    if not is_curator(request.user):
        raise PermissionDenied
    form = SheetForm(request.POST or request.GET or None, request.FILES or None)
    context = {"form": form}
    if not form.is_valid():
        return render(request, "assets/admin/metadata.html", context)
    collection = form.cleaned_data["collection"]
    kind = request.GET.get("export")
    if request.method == "GET" and kind in ("csv", "xlsx"):
        data = roundtrip.to_xlsx(collection) if kind == "xlsx" else roundtrip.to_csv(collection)
        response = HttpResponse(
            data,
            content_type=(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                if kind == "xlsx"
                else "text/csv; charset=utf-8"
            ),
        )
        response["Content-Disposition"] = f'attachment; filename="{collection.slug}.{kind}"'
        return response
    if request.method != "POST":
        return render(request, "assets/admin/metadata.html", context)
    # The preview carries the sheet back in the page, so "apply" writes exactly what was shown.
    if upload := form.cleaned_data.get("sheet"):
        if upload.size > MAX_BYTES:
            messages.error(request, _("The file is larger than this archive accepts."))
            return render(request, "assets/admin/metadata.html", context)
        name, data = upload.name, upload.read()
    else:
        name = request.POST.get("sheet_name", "")
        data = base64.b64decode(request.POST.get("sheet_data", "") or b"")
    try:
        result = roundtrip.preview(collection, name, data)
        if "apply" in request.POST:
            written = roundtrip.apply(result, request.user)
            messages.success(request, _("%(n)s items updated.") % {"n": written})
            return redirect("media_metadata")
    except roundtrip.SheetError as exc:
        context["sheet_error"] = str(exc)
        return render(request, "assets/admin/metadata.html", context)
    context.update(
        preview=result,
        sheet_name=name,
        sheet_data=base64.b64encode(data).decode(),
        collection=collection,
    )
    return render(request, "assets/admin/metadata.html", context)
