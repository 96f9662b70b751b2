"""The curator's "Withdraw" action: a withdrawal is a new, kept event, never a field edit."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ConsentRecord

WITHDRAW_PERM = "people.add_consentwithdrawal"


class WithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(
        label=gettext_lazy("Withdrawn on"),
        initial=timezone.localdate,
        help_text=gettext_lazy("The day the withdrawal takes effect."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason or how it was given"),
        required=False,
        widget=forms.Textarea,
        help_text=gettext_lazy("e.g. asked by phone to the fieldworker; a signed letter."),
    )


def withdraw(request, pk):
    if not request.user.has_perm(WITHDRAW_PERM):
        raise PermissionDenied
    consent = get_object_or_404(ConsentRecord.objects.select_related("person"), pk=pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and consent.withdrawn_on is None and form.is_valid():
        try:
            consent.withdraw(
                form.cleaned_data["withdrawn_on"],
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("Consent withdrawn: %(consent)s") % {"consent": consent})
            return redirect("wagtailsnippets_people_person:edit", consent.person_id)
    return render(request, "people/admin/withdraw.html", {"consent": consent, "form": form})
