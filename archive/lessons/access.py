"""Who may open, edit and export a lesson, and which of its sources each reader sees.

The lesson's own rule (owner, link, review) is here; whether a *source* may be shown is
never decided here but asked of :mod:`archive.access.policy` every time, for the reader at
hand. A pack leaves the archive for a classroom, so it holds only what anyone may see and
what the people in it consented to for teaching (:func:`packable`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.http import Http404

from archive.access import policy
from archive.access.models import Licence, TKLabel
from archive.assets.models import Derivative
from archive.core.roles import TEACHERS
from archive.items.models import ItemPage, consent_problems
from archive.items.roles import ROLES_NEEDING_CONSENT
from archive.people.models import ConsentRecord

from .models import Lesson, LessonSource, Visibility

#: Licences that forbid copying the material into a classroom pack.
NOT_FOR_TEACHING_LICENCES = {Licence.IN_COPYRIGHT}
#: TK labels whose communities asked that the material not travel outside the archive.
NOT_FOR_TEACHING_LABELS = {TKLabel.SECRET_SACRED, TKLabel.COMMUNITY_USE_ONLY}


def is_teacher(user) -> bool:
    if not user or not user.is_authenticated or not user.is_active:
        return False
    cached = getattr(user, "_mha_is_teacher", None)
    if cached is None:
        cached = user.groups.filter(name=TEACHERS).exists()
        user._mha_is_teacher = cached
    return cached


def can_view_lesson(user, lesson: Lesson, token: str | None = None) -> bool:
    if user and user.is_authenticated and user.pk == lesson.owner_id:
        return True
    if policy.is_curator(user):
        return True
    if lesson.visibility == Visibility.PUBLIC:
        return True
    return (
        token is not None
        and lesson.visibility == Visibility.UNLISTED
        and secrets_equal(token, lesson.token)
    )


def secrets_equal(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


def can_edit_lesson(user, lesson: Lesson) -> bool:
    """The owner while a teacher, and curators; nobody else, whatever the lesson's visibility."""
    if policy.is_curator(user):
        return True
    return bool(user and user.is_authenticated and user.pk == lesson.owner_id and is_teacher(user))


def lesson_or_404(user, pk: int | None = None, token: str | None = None) -> Lesson:
    """The lesson ``user`` may open, else the same 404 as a lesson that does not exist."""
    qs = Lesson.objects.select_related("owner")
    lesson = qs.filter(token=token).first() if token else qs.filter(pk=pk).first()
    if lesson is None or not can_view_lesson(user, lesson, token):
        raise Http404
    return lesson


@dataclass
class Shown:
    """A source as one reader sees it: ``visible`` False is the withdrawn placeholder."""

    source: LessonSource
    visible: bool
    item: Any = None
    asset: Any = None

    @property
    def kind(self) -> str:
        return self.source.kind


def sources_for(lesson: Lesson, user) -> list[Shown]:
    """The lesson's sources in order, each asked of the policy for ``user``."""
    sources = list(
        lesson.sources.select_related("item", "asset", "asset__original").prefetch_related(
            Prefetch("asset__derivatives", queryset=Derivative.objects.all())
        )
    )
    items = {
        p.pk: p
        for p in ItemPage.objects.filter(pk__in={s.item_id for s in sources})
        .specific()
        .select_related("place")
        .prefetch_related("people__person", "assets__original", "assets__derivatives")
    }
    out = []
    for s in sources:
        item = items.get(s.item_id)
        visible = item is not None and policy.can_view_item(user, item)
        asset = None
        if visible and s.asset_id:
            asset = s.asset
            visible = policy.can_view_asset(user, asset) and asset.status == "ready"
        out.append(Shown(s, visible, item if visible else None, asset if visible else None))
    return out


def whole_item_assets(shown: Shown, user) -> list:
    """The ready assets of a whole-item source that ``user`` may see."""
    assets = [a for a in shown.item.assets.all() if a.status == "ready"]
    aud = policy.audience(user)
    return [a for a in assets if aud.admits(a.access_level, shown.item.community_id)]


def has_education_consent(item) -> bool:
    """Everyone shown in ``item`` (hands, voice, face) consented to its use in teaching."""
    people = [(ip.person, ip.role) for ip in item.people.all()]
    for person, role in people:
        if role not in ROLES_NEEDING_CONSENT:
            continue
        consents = (
            ConsentRecord.objects.filter(person=person, scope=ConsentRecord.Scope.EDUCATION)
            .active()
            .covering(item)
        )
        if not consents.exists():
            return False
    return not (item.access_level == "public" and consent_problems(item, people))


def packable(shown: Shown) -> bool:
    """May this source leave the archive in an offline pack for a classroom?"""
    if not shown.visible:
        return False
    item = shown.item
    if not policy.can_view_item(None, item):
        return False
    if shown.asset is not None and not policy.can_view_asset(None, shown.asset):
        return False
    if item.licence in NOT_FOR_TEACHING_LICENCES:
        return False
    if set(item.tk_labels or []) & NOT_FOR_TEACHING_LABELS:
        return False
    return has_education_consent(item)


def offline_ok(user, lesson: Lesson, shown: list[Shown]) -> bool:
    """May this reader's view of the lesson be kept by a phone (and the page cache)? Only a
    public lesson, for an anonymous reader, when every source is one everyone may see."""
    if user is not None and user.is_authenticated:
        return False
    return (
        lesson.visibility == Visibility.PUBLIC
        and bool(shown)
        and all(
            s.visible
            and policy.can_view_item(None, s.item)
            and (s.asset is None or policy.asset_shown_to_everyone(s.asset))
            for s in shown
        )
    )


def withdrawn_count(shown: list[Shown]) -> int:
    return sum(1 for s in shown if not s.visible)
