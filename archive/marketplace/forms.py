"""The enquiry form: only what an artisan needs to answer, and two traps for bots.

No maintained spam library installs beside Django 5.2 here (django-honeypot's served
releases require Django < 5.2), so the traps are the two it and its peers use: a field
people never see (``website``) and a signed time stamp a form must be at least
``MHA_ENQUIRY_MIN_SECONDS`` old to count (scripts post at once). Django's CSRF check and
django-ratelimit stand in front of both.
"""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from .models import Enquiry

SALT = "mha.marketplace.enquiry"


class EnquiryForm(forms.ModelForm):
    #: Hidden from people by CSS and ``aria-hidden``; a bot fills it.
    website = forms.CharField(required=False, label=_("Leave this empty"))
    stamp = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = Enquiry
        fields = ["kind", "name", "contact", "message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 5, "maxlength": 3000})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_spam = False
        if not self.is_bound:
            self.initial["stamp"] = signing.dumps(time.time(), salt=SALT)

    def clean(self):
        data = super().clean()
        if data.get("website"):
            self.is_spam = True
            raise forms.ValidationError("spam")
        try:
            started = float(signing.loads(self.data.get("stamp", ""), salt=SALT, max_age=86400))
        except (signing.BadSignature, ValueError, TypeError):
            self.is_spam = True
            raise forms.ValidationError("spam") from None
        if time.time() - started < settings.MHA_ENQUIRY_MIN_SECONDS:
            self.is_spam = True
            raise forms.ValidationError("spam")
        return data
