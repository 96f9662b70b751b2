"""The curator's form for an artisan's or cooperative's profile: beside the photo upload, a
way to remove the photo altogether (the model's fields cannot say "none", only "another")."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm


class PartyForm(WagtailAdminModelForm):
    remove_photo = forms.BooleanField(
        label=_("Remove the photo"),
        required=False,
        help_text=_(
            "The photo and its renditions are deleted, and the site stops showing it at once."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("remove_photo") and cleaned.get("photo_upload"):
            self.add_error("remove_photo", _("Upload a new photo or remove the photo, not both."))
        return cleaned

    def save(self, commit: bool = True):
        party = super().save(commit=commit)
        if commit and self.cleaned_data.get("remove_photo"):
            party.remove_photo()
        return party
