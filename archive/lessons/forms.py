"""Forms of the lessons app: applying to teach, a lesson's description, a source's text."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from .models import Lesson, LessonSource, TeacherApplication, Visibility


class TeacherApplicationForm(forms.ModelForm):
    """Applying to teach. A visitor who is not signed in also chooses a name and password."""

    username = forms.CharField(label=_("user name"), max_length=150, required=False)
    email = forms.EmailField(label=_("email"), required=False)
    password = forms.CharField(label=_("password"), widget=forms.PasswordInput, required=False)

    class Meta:
        model = TeacherApplication
        fields = ["school", "note"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user is not None and user.is_authenticated:
            for name in ("username", "email", "password"):
                del self.fields[name]
        else:
            for name in ("username", "password"):
                self.fields[name].required = True
            self.order_fields(["username", "email", "password", "school", "note"])

    def clean_username(self):
        name = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=name).exists():
            raise forms.ValidationError(_("This user name is taken."))
        return name

    def clean(self):
        data = super().clean()
        if "password" in self.fields and data.get("password"):
            candidate = get_user_model()(username=data.get("username", ""))
            try:
                password_validation.validate_password(data["password"], candidate)
            except forms.ValidationError as e:
                self.add_error("password", e)
        return data


class LessonForm(forms.ModelForm):
    class Meta:
        model = Lesson
        fields = [
            "title",
            "objectives",
            "subject",
            "grade",
            "language",
            "duration_minutes",
            "visibility",
            "is_template",
        ]
        widgets = {"objectives": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, curator: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not curator:
            # Only a curator makes a lesson public (after review); a teacher asks for it.
            choices = [c for c in Visibility.choices if c[0] != Visibility.PUBLIC]
            if self.instance.visibility == Visibility.PUBLIC:
                choices.append((Visibility.PUBLIC, Visibility.PUBLIC.label))
            self.fields["visibility"].choices = choices
        self.fields["duration_minutes"].min_value = 5
        self.fields["duration_minutes"].max_value = 600


class SourceTextForm(forms.ModelForm):
    class Meta:
        model = LessonSource
        fields = ["note", "questions"]
        widgets = {
            "note": forms.Textarea(attrs={"rows": 2}),
            "questions": forms.Textarea(attrs={"rows": 2}),
        }
