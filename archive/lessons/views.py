"""The lesson doors. Each one opens the lesson through :func:`access.lesson_or_404` and shows
its sources through :func:`access.sources_for`, so the access policy is asked every time."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from archive.access import policy
from archive.assets.models import MediaAsset
from archive.core.http import share
from archive.core.roles import TEACHERS
from archive.items.models import ItemPage

from . import access, finding
from .forms import LessonForm, SourceTextForm, TeacherApplicationForm
from .models import (
    MAX_SOURCES,
    Lesson,
    LessonSource,
    SourceKind,
    TeacherApplication,
    check_bounds,
)


def _private(response: HttpResponse) -> HttpResponse:
    return share(response, False)


# --- teachers ------------------------------------------------------------------------------


def register(request: HttpRequest) -> HttpResponse:
    """Apply to teach: the account at once, lessons once a curator approves."""
    user = request.user
    existing = (
        TeacherApplication.objects.filter(user=user).first() if user.is_authenticated else None
    )
    if access.is_teacher(user):
        return redirect("lessons-mine")
    form = TeacherApplicationForm(request.POST or None, user=user)
    if existing is None and request.method == "POST" and form.is_valid():
        with transaction.atomic():
            if not user.is_authenticated:
                user = get_user_model().objects.create_user(
                    form.cleaned_data["username"],
                    email=form.cleaned_data.get("email", ""),
                    password=form.cleaned_data["password"],
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            application = form.save(commit=False)
            application.user = user
            application.save()
        return redirect("lessons-register")
    return _private(
        render(request, "lessons/register.html", {"form": form, "application": existing})
    )


def _curator_or_404(request) -> None:
    if not policy.is_curator(request.user):
        raise Http404


def applications(request: HttpRequest) -> HttpResponse:
    """Curators approve or refuse applications, and invite a user by name."""
    _curator_or_404(request)
    if request.method == "POST":
        teachers = Group.objects.get(name=TEACHERS)
        if request.POST.get("invite"):
            invited = get_user_model().objects.filter(username=request.POST["invite"]).first()
            if invited is None:
                messages.error(request, _("No user has that name."))
            else:
                TeacherApplication.objects.update_or_create(
                    user=invited,
                    defaults={
                        "school": request.POST.get("school") or "—",
                        "status": TeacherApplication.Status.APPROVED,
                        "decided_by": request.user,
                        "decided_at": timezone.now(),
                    },
                )
                invited.groups.add(teachers)
                messages.success(request, _("%(name)s is now a teacher.") % {"name": invited})
        else:
            app = get_object_or_404(TeacherApplication, pk=request.POST.get("application"))
            approve = request.POST.get("decision") == "approve"
            app.status = (
                TeacherApplication.Status.APPROVED if approve else TeacherApplication.Status.REFUSED
            )
            app.decided_by, app.decided_at = request.user, timezone.now()
            app.save()
            if approve:
                app.user.groups.add(teachers)
            else:
                app.user.groups.remove(teachers)
        return redirect("lessons-applications")
    context = {
        "pending": TeacherApplication.objects.filter(status="pending").select_related("user"),
        "decided": TeacherApplication.objects.exclude(status="pending").select_related("user")[:50],
        "to_review": Lesson.objects.filter(visibility="submitted").select_related("owner"),
    }
    return _private(render(request, "lessons/applications.html", context))


# --- finding and making lessons ------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    """Public lessons, narrowed by subject, grade, collection, motif and village."""
    found, filters = finding.find(request.GET, request.user)
    context = {
        "lessons": found,
        "filters": filters,
        "templates": Lesson.objects.filter(is_template=True).public(),
        "is_teacher": access.is_teacher(request.user),
    }
    return _private(render(request, "lessons/index.html", context))


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    if not access.is_teacher(request.user):
        return redirect("lessons-register")
    lessons = list(Lesson.objects.filter(owner=request.user))
    for lesson in lessons:
        lesson.withdrawn = access.withdrawn_count(access.sources_for(lesson, request.user))
    templates = Lesson.objects.filter(is_template=True).exclude(owner=request.user).public()
    return _private(
        render(request, "lessons/mine.html", {"lessons": lessons, "templates": templates})
    )


@login_required
def new(request: HttpRequest) -> HttpResponse:
    if not access.is_teacher(request.user):
        return redirect("lessons-register")
    template_id = request.GET.get("template") or request.POST.get("template")
    if template_id:
        template = access.lesson_or_404(request.user, pk=int(template_id))
        if not template.is_template:
            raise Http404
        lesson = template.copy_for(request.user)
        return redirect(lesson)
    form = LessonForm(request.POST or None, initial={"subject": "xiangtu", "grade": 4})
    if request.method == "POST" and form.is_valid():
        lesson = form.save(commit=False)
        lesson.owner = request.user
        lesson.save()
        return redirect(lesson)
    return _private(render(request, "lessons/lesson_form.html", {"form": form}))


def edit(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = access.lesson_or_404(request.user, pk=pk)
    if not access.can_edit_lesson(request.user, lesson):
        raise Http404
    curator = policy.is_curator(request.user)
    form = LessonForm(request.POST or None, instance=lesson, curator=curator)
    if request.method == "POST" and form.is_valid():
        lesson = form.save(commit=False)
        if curator and "featured" in request.POST:
            lesson.featured = request.POST["featured"] == "1"
        if request.POST.get("new_link"):
            lesson.token = Lesson._meta.get_field("token").default()
        lesson.save()
        return redirect(lesson)
    return _private(render(request, "lessons/lesson_form.html", {"form": form, "lesson": lesson}))


# --- sources ------------------------------------------------------------------------------


def _decimal(value: str | None) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(value).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Times are seconds, such as 12.5.")) from None


def _int(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = round(float(value))
    except ValueError:
        raise ValidationError(_("A region is whole numbers of pixels.")) from None
    if number < 0:
        raise ValidationError(_("A region cannot start before the picture."))
    return number


@login_required
@require_POST
def add_source(request: HttpRequest) -> HttpResponse:
    """Add an item, a clip or a detail (from an item page or a search hit) to a lesson."""
    if not access.is_teacher(request.user):
        raise Http404
    item = ItemPage.objects.filter(pk=request.POST.get("item")).first()
    if item is None or not policy.can_view_item(request.user, item.specific):
        raise Http404
    lesson_id = request.POST.get("lesson") or "new"
    if lesson_id == "new":
        lesson = Lesson(owner=request.user, title=item.title, subject="xiangtu", grade=4)
    else:
        lesson = Lesson.objects.filter(pk=lesson_id).first()
        if lesson is None or not access.can_edit_lesson(request.user, lesson):
            raise Http404
    kind = request.POST.get("kind", SourceKind.ITEM)
    if kind not in SourceKind.values:
        kind = SourceKind.ITEM
    source = LessonSource(kind=kind, item=item, note=request.POST.get("note", "")[:2000])
    try:
        if kind != SourceKind.ITEM:
            asset = MediaAsset.objects.filter(pk=request.POST.get("asset"), item=item).first()
            if asset is not None and not policy.can_view_asset(request.user, asset):
                asset = None
            source.asset = asset
        if kind == SourceKind.CLIP:
            source.start = _decimal(request.POST.get("start"))
            source.end = _decimal(request.POST.get("end"))
        elif kind == SourceKind.DETAIL:
            source.x, source.y, source.w, source.h = (
                _int(request.POST.get(k)) for k in ("x", "y", "w", "h")
            )
        check_bounds(source)
        if lesson.pk and lesson.sources.count() >= MAX_SOURCES:
            raise ValidationError(
                _("A lesson holds at most %(max)s sources. Remove some, or start a second lesson.")
                % {"max": MAX_SOURCES}
            )
    except ValidationError as e:
        return _private(
            render(
                request,
                "lessons/add_refused.html",
                {"reasons": e.messages, "item": item},
                status=400,
            )
        )
    with transaction.atomic():
        if lesson.pk is None:
            lesson.save()
        last = lesson.sources.aggregate(m=Max("position"))["m"]
        source.lesson = lesson
        source.position = 0 if last is None else last + 1
        source.save()
        lesson.save(update_fields=["updated_at"])
    messages.success(request, _("Added to “%(title)s”.") % {"title": lesson.title})
    return redirect(f"{lesson.get_absolute_url()}#source-{source.pk}")


@require_POST
def change_source(request: HttpRequest, pk: int, source_id: int) -> HttpResponse:
    lesson = access.lesson_or_404(request.user, pk=pk)
    if not access.can_edit_lesson(request.user, lesson):
        raise Http404
    source = get_object_or_404(LessonSource, pk=source_id, lesson=lesson)
    action = request.POST.get("action", "save")
    with transaction.atomic():
        if action == "delete":
            source.delete()
        elif action in ("up", "down"):
            siblings = list(lesson.sources.all())
            i = siblings.index(source)
            j = i - 1 if action == "up" else i + 1
            if 0 <= j < len(siblings):
                siblings[i], siblings[j] = siblings[j], siblings[i]
                for n, s in enumerate(siblings):
                    LessonSource.objects.filter(pk=s.pk).update(position=n)
        else:
            form = SourceTextForm(request.POST, instance=source)
            if form.is_valid():
                form.save()
        Lesson.objects.filter(pk=lesson.pk).update(updated_at=timezone.now())
    return redirect(f"{lesson.get_absolute_url()}#source-{source_id}")


@require_POST
def delete_lesson(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = access.lesson_or_404(request.user, pk=pk)
    if not access.can_edit_lesson(request.user, lesson):
        raise Http404
    from .pack import forget

    forget(lesson.pk)
    lesson.delete()
    return redirect("lessons-mine")


# --- showing a lesson ---------------------------------------------------------------------


def _context(request, lesson: Lesson, *, teacher: bool) -> dict:
    from .citations import all_styles, cite_source, lesson_csl

    shown = access.sources_for(lesson, request.user)
    base = request.build_absolute_uri("/")
    for s in shown:
        if not s.visible:
            continue
        s.citation = cite_source(s.source, s.item, base)
        if s.kind == SourceKind.ITEM:
            s.assets = access.whole_item_assets(s, request.user)
        elif s.kind == SourceKind.CLIP and policy.can_view_transcript(request.user, s.item):
            src = s.source
            s.cues = list(
                s.item.cues.filter(end__gt=src.start, start__lt=src.end).order_by("start")
            )
    withdrawn = access.withdrawn_count(shown)
    citations = all_styles(lesson_csl(lesson, base))
    return {
        "citations": citations,
        "citation": dict(citations)["GB/T 7714-2015"],
        "lesson": lesson,
        "shown": shown,
        "teacher": teacher,
        "withdrawn": withdrawn,
        "student_url": request.build_absolute_uri(lesson.student_path()),
    }


def lesson_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The teacher's view (notes, editing) for its owner; others see the student view."""
    lesson = access.lesson_or_404(request.user, pk=pk)
    teacher = access.can_edit_lesson(request.user, lesson)
    context = _context(request, lesson, teacher=teacher)
    if teacher:
        from .pack import estimate

        context["forms"] = {
            s.source.pk: SourceTextForm(instance=s.source) for s in context["shown"]
        }
        context["pack_estimate"] = estimate(context["shown"])
    return _student_response(request, lesson, context, teacher)


def student(request: HttpRequest, token: str) -> HttpResponse:
    """What the class opens from the QR code: no teacher's notes."""
    lesson = access.lesson_or_404(request.user, token=token)
    context = _context(request, lesson, teacher=False)
    context["token"] = token
    return _student_response(request, lesson, context, False)


def _student_response(request, lesson: Lesson, context: dict, teacher: bool) -> HttpResponse:
    """The student view of a public (reviewed) lesson whose every source everyone may see,
    shown to an anonymous visitor, says ``public`` (the page cache and the phone's offline
    copy, ``static/js/sw.js``, may keep it, asking again before each use); anything else
    says ``private, no-store``. A withdrawn source makes the page private again and a lesson
    taken back is a 404: either deletes the phone's kept copy the next time it is online."""
    response = render(request, "lessons/lesson.html", context)
    if not teacher and access.offline_ok(request.user, lesson, context["shown"]):
        from archive.core.pagecache import mark_cacheable

        mark_cacheable(request)
        return response
    return _private(response)


def handout(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable handout (the print stylesheet does the rest): no notes, with citations."""
    lesson = access.lesson_or_404(request.user, pk=pk)
    context = _context(request, lesson, teacher=False)
    context["handout"] = True
    return _private(render(request, "lessons/lesson.html", context))


def handout_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The handout as a PDF (WeasyPrint, Noto CJK fonts), for printing or sending on."""
    from .pdf import render as render_pdf

    lesson = access.lesson_or_404(request.user, pk=pk)
    context = _context(request, lesson, teacher=False)
    response = HttpResponse(render_pdf(context), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="lesson-{lesson.pk}.pdf"'
    return _private(response)


def qr_code(request: HttpRequest, pk: int) -> HttpResponse:
    """The student link as an SVG QR code for the projector (made here: no outside service)."""
    import io

    import segno

    lesson = access.lesson_or_404(request.user, pk=pk)
    if not access.can_edit_lesson(request.user, lesson):
        raise Http404
    out = io.BytesIO()
    segno.make(request.build_absolute_uri(lesson.student_path()), error="m").save(
        out, kind="svg", scale=8, border=2, title=lesson.title
    )
    return _private(HttpResponse(out.getvalue(), content_type="image/svg+xml"))


def manifest(request: HttpRequest, pk: int | None = None, token: str | None = None):
    """The lesson as a IIIF Presentation 3 manifest, holding only what the reader may see."""
    from archive.iiif.presentation import to_json

    from .manifest import build

    lesson = access.lesson_or_404(request.user, pk=pk, token=token)
    shown = access.sources_for(lesson, request.user)
    doc = build(request, lesson, shown, request.build_absolute_uri(request.path))
    if not doc.items:
        raise Http404  # a manifest needs a canvas: nothing here a viewer could open
    response = HttpResponse(
        to_json(doc),
        content_type='application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"',
    )
    if lesson.visibility == "public":
        response["Access-Control-Allow-Origin"] = "*"  # Mirador on another host may open it
    return _private(response)


def pack(request: HttpRequest, pk: int | None = None, token: str | None = None):
    """The offline pack (ZIP): served when the pack of the lesson as it is now is built,
    else queued for a worker with a page that refreshes until it is (202); refused with a
    reason when it would be too big. Every source is asked of the policy on each request
    (the fingerprint), so a pack built before a source changed is never served."""
    from django.core.files.storage import default_storage
    from django.http import FileResponse

    from . import pack as packing

    lesson = access.lesson_or_404(request.user, pk=pk, token=token)
    base_url = request.build_absolute_uri("/")
    st = _pack_state(lesson, base_url)
    if st.state == "ready":
        response = FileResponse(
            default_storage.open(st.name, "rb"),
            as_attachment=True,
            filename=f"lesson-{lesson.pk}.zip",
            content_type="application/zip",
        )
        return _private(response)
    if st.state == "too_big":
        context = {
            "lesson": lesson,
            "size": st.size,
            "limit": packing.settings.MHA_LESSON_PACK_MAX_BYTES,
        }
        return _private(render(request, "lessons/pack_refused.html", context, status=413))
    context = {"lesson": lesson, "failed": st.state == "failed", "token": token}
    status = 503 if st.state == "failed" else 202
    return _private(render(request, "lessons/pack_building.html", context, status=status))


def _pack_state(lesson: Lesson, base_url: str):
    """The kept pack's state, queuing a build (once) when there is none for this state."""
    from django.core.cache import cache

    from . import pack as packing
    from .tasks import build_pack

    fp = packing.fingerprint(lesson, base_url)
    st = packing.state_of(lesson, fp)
    key = f"lesson-pack-queued:{lesson.pk}:{fp}"
    if st.state == "failed":
        packing.forget(lesson.pk)  # the next request tries again
        cache.delete(key)
    elif st.state == "building" and cache.add(key, 1, timeout=600):
        packing.forget(lesson.pk)  # a pack of an earlier state may hold a withdrawn source
        build_pack.enqueue(lesson.pk, base_url)
        st = packing.state_of(lesson, fp)  # an immediate backend has built it already
    return st


def pack_status(request: HttpRequest, pk: int | None = None, token: str | None = None):
    """What a waiting page polls: ``{"state": "building"|"ready"|"too_big"|"failed", ...}``."""
    from django.http import JsonResponse

    lesson = access.lesson_or_404(request.user, pk=pk, token=token)
    st = _pack_state(lesson, request.build_absolute_uri("/"))
    return _private(JsonResponse({"state": st.state, "size": st.size}))
