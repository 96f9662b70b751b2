"""Lessons, the sources in them, and the teachers who make them.

A lesson holds *references*: an item, a span of one of its recordings, a rectangle of one of
its pictures. Nothing is copied, so a source whose item is later restricted, unpublished,
expired or loses its consent simply stops being shown (a placeholder takes its place), and
every export made afterwards leaves it out.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: A lesson is for one class period or a few, not a catalogue: more sources than this are
#: refused with a message (the pack, the PDF and the projector all stay usable).
MAX_SOURCES = 200


class Subject(models.TextChoices):
    """Subjects of the Chinese school curriculum a lesson on Miao heritage serves."""

    CHINESE = "yuwen", _("Chinese (语文)")
    ART = "meishu", _("Art (美术)")
    MUSIC = "yinyue", _("Music (音乐)")
    HISTORY = "lishi", _("History (历史)")
    LOCAL = "xiangtu", _("Local curriculum (地方课程/乡土)")


class Grade(models.IntegerChoices):
    """Grades of the Chinese school system: primary 1–6, junior middle 7–9, senior 10–12."""

    P1 = 1, _("Primary grade 1 (小学一年级)")
    P2 = 2, _("Primary grade 2 (小学二年级)")
    P3 = 3, _("Primary grade 3 (小学三年级)")
    P4 = 4, _("Primary grade 4 (小学四年级)")
    P5 = 5, _("Primary grade 5 (小学五年级)")
    P6 = 6, _("Primary grade 6 (小学六年级)")
    J7 = 7, _("Junior middle grade 7 (初中一年级)")
    J8 = 8, _("Junior middle grade 8 (初中二年级)")
    J9 = 9, _("Junior middle grade 9 (初中三年级)")
    S10 = 10, _("Senior middle grade 10 (高中一年级)")
    S11 = 11, _("Senior middle grade 11 (高中二年级)")
    S12 = 12, _("Senior middle grade 12 (高中三年级)")

    @classmethod
    def stage(cls, grade: int) -> str:
        return "primary" if grade <= 6 else "junior" if grade <= 9 else "senior"


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Private: only me")
    UNLISTED = "unlisted", _("Unlisted: anyone with the link")
    SUBMITTED = "submitted", _("Public, once a curator has reviewed it")
    PUBLIC = "public", _("Public (reviewed)")


class TeacherApplication(models.Model):
    """A request to become a teacher: the account exists at once, the Teachers group (and
    with it lessons) only once a curator approves. Invitations are applications a curator
    makes and approves in one step."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a curator")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="teacher_application"
    )
    #: The school and place, so a curator can tell a village teacher from a stranger.
    school = models.CharField(_("school"), max_length=200)
    note = models.TextField(_("note to the curators"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("teacher application")

    def __str__(self) -> str:
        return f"{self.user} · {self.school}"


def new_token() -> str:
    return secrets.token_urlsafe(12)


class LessonQuerySet(models.QuerySet):
    def public(self) -> LessonQuerySet:
        return self.filter(visibility=Visibility.PUBLIC)

    def featured(self) -> LessonQuerySet:
        return self.public().filter(featured=True)


class Lesson(models.Model):
    """A teacher's lesson: objectives, a subject and grade, and sources in order."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.CASCADE,
        related_name="lessons",
    )
    title = models.CharField(_("title"), max_length=200)
    #: What the pupils should know or be able to do afterwards, one per line.
    objectives = models.TextField(_("learning objectives"), blank=True)
    subject = models.CharField(_("subject"), max_length=10, choices=Subject.choices)
    grade = models.PositiveSmallIntegerField(_("grade"), choices=Grade.choices)
    language = models.CharField(
        _("language of teaching"),
        max_length=10,
        choices=[("zh", "中文"), ("hmn", "Hmub (苗语)"), ("en", "English")],
        default="zh",
    )
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=40)
    visibility = models.CharField(
        _("who may open it"), max_length=10, choices=Visibility.choices, default="private"
    )
    #: The secret of an unlisted lesson's link; a new one closes the old link.
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    #: A template: other teachers start new lessons from a copy of it.
    is_template = models.BooleanField(_("offer as a template"), default=False)
    #: Shown on the home page (curators only).
    featured = models.BooleanField(_("featured on the home page"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("lesson")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("lesson", args=[self.pk])

    def student_path(self) -> str:
        """The link given to the class: the token's, which works for unlisted lessons too."""
        from django.urls import reverse

        return reverse("lesson-student", args=[self.token])

    def objective_lines(self) -> list[str]:
        return [line.strip() for line in self.objectives.splitlines() if line.strip()]

    def copy_for(self, owner) -> Lesson:
        """A new private lesson for ``owner`` with this one's text and sources."""
        copy = Lesson.objects.create(
            owner=owner,
            title=self.title,
            objectives=self.objectives,
            subject=self.subject,
            grade=self.grade,
            language=self.language,
            duration_minutes=self.duration_minutes,
        )
        for s in self.sources.all():
            s.pk = None
            s.lesson = copy
            s.save()
        return copy


class SourceKind(models.TextChoices):
    ITEM = "item", _("Whole item")
    CLIP = "clip", _("Clip of a recording")
    DETAIL = "detail", _("Detail of a picture")


class LessonSource(models.Model):
    """One source of a lesson, in order: an item, a clip (start–end seconds of one recording,
    the media fragment ``#t=start,end``) or a detail (a IIIF region ``x,y,w,h`` of one
    picture, in the pixels of the picture as shown)."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="sources")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=SourceKind.choices, default=SourceKind.ITEM)
    item = models.ForeignKey("items.ItemPage", on_delete=models.CASCADE, related_name="+")
    asset = models.ForeignKey(
        "assets.MediaAsset", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    start = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    end = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    x = models.PositiveIntegerField(null=True, blank=True)
    y = models.PositiveIntegerField(null=True, blank=True)
    w = models.PositiveIntegerField(null=True, blank=True)
    h = models.PositiveIntegerField(null=True, blank=True)
    #: For the teacher only: never shown to pupils, never in the pack's student pages.
    note = models.TextField(_("teacher's note"), blank=True)
    #: Discussion questions, one per line; pupils see them.
    questions = models.TextField(_("discussion questions"), blank=True)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["lesson", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.lesson} · {self.position} · {self.kind}"

    @property
    def fragment(self) -> str:
        """``t=start,end`` (W3C Media Fragments) for a clip, ``xywh=…`` for a detail."""
        if self.kind == SourceKind.CLIP:
            return f"t={_num(self.start)},{_num(self.end)}"
        if self.kind == SourceKind.DETAIL:
            return f"xywh={self.x},{self.y},{self.w},{self.h}"
        return ""

    @property
    def region(self) -> str:
        return f"{self.x},{self.y},{self.w},{self.h}"

    @property
    def clip_seconds(self) -> float:
        return float(self.end - self.start) if self.kind == SourceKind.CLIP else 0.0

    def question_lines(self) -> list[str]:
        return [line.strip() for line in self.questions.splitlines() if line.strip()]

    def clean(self) -> None:
        check_bounds(self)


def _num(value: Decimal | None) -> str:
    text = format(Decimal(value or 0).normalize(), "f")
    return text


def _duration(asset) -> float | None:
    try:
        value = float(asset.original.probe.get("duration"))
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def image_size(asset) -> tuple[int, int] | None:
    """The picture's size as shown (orientation applied): the pyramid the pipeline made."""
    pyramid = asset.derivative("pyramid")
    if pyramid is not None and pyramid.width and pyramid.height:
        return pyramid.width, pyramid.height
    probe = asset.original.probe
    w, h = int(probe.get("width") or 0), int(probe.get("height") or 0)
    return (w, h) if w and h else None


def check_bounds(source: LessonSource) -> None:
    """Refuse, with a reason a teacher understands, a clip or detail outside its media."""
    asset = source.asset
    if source.kind == SourceKind.ITEM:
        return
    if asset is None or asset.item_id != source.item_id:
        raise ValidationError(_("Choose a recording or picture of this item."))
    if source.kind == SourceKind.CLIP:
        if asset.kind not in ("audio", "video"):
            raise ValidationError(_("A clip can only be cut from a recording or a video."))
        if source.start is None or source.end is None:
            raise ValidationError(_("A clip needs a start and an end."))
        duration = _duration(asset)
        if source.start < 0 or source.end <= source.start:
            raise ValidationError(_("The clip must end after it starts."))
        if duration is not None and float(source.end) > duration + 0.05:
            raise ValidationError(
                _("The clip ends at %(end)s s, after the recording (%(duration)s s).")
                % {"end": _num(source.end), "duration": f"{duration:.1f}"}
            )
    elif source.kind == SourceKind.DETAIL:
        if asset.kind != "image":
            raise ValidationError(_("A detail can only be taken from a picture."))
        if None in (source.x, source.y, source.w, source.h) or not (source.w and source.h):
            raise ValidationError(_("A detail needs a region: x, y, width and height."))
        size = image_size(asset)
        if size is not None and (source.x + source.w > size[0] or source.y + source.h > size[1]):
            raise ValidationError(
                _("The detail goes outside the picture (%(w)s × %(h)s pixels).")
                % {"w": size[0], "h": size[1]}
            )


def detail_image_path(source: LessonSource, width: int = 800) -> str:
    """The IIIF Image API URL path of a detail, at most ``width`` pixels wide (never enlarged)."""
    shown = min(int(source.w or 0), width) or width
    return f"/iiif/3/{source.asset_id}/{source.region}/{shown},/0/default.jpg"
