"""Page slugs made from the title by themselves: pinyin for Chinese, never a blocked save.

Curators type a Chinese title and nothing else; the slug (网址别名) is then the title's
pinyin (``蝴蝶纹背扇`` → ``hu-die-wen-bei-shan``), made unique among the page's siblings
with ``-2``, ``-3``… A slug the curator typed is kept as it is.

``PinyinSlugPageForm`` fills the slug before Wagtail's own form checks it (an empty slug is
otherwise "required", on the Promote tab); ``PinyinSlugMixin`` does the same for every
other path to ``full_clean`` (ingest, the loaders, the shell).
"""

from __future__ import annotations

from django.utils.text import slugify
from wagtail.admin.forms import WagtailAdminPageForm

#: Longest slug made from a title; Wagtail allows 255, a readable URL wants far fewer.
MAX_SLUG_LENGTH = 80


def pinyin_slug(title: str) -> str:
    """An ASCII slug for ``title``: Chinese as pinyin syllables, other text slugified."""
    from pypinyin import lazy_pinyin

    words = " ".join(lazy_pinyin(title or ""))
    slug = slugify(words)[:MAX_SLUG_LENGTH].strip("-")
    return slug


def unique_child_slug(base: str, parent, page=None) -> str:
    """``base``, or ``base-2``, ``base-3``… whichever is free under ``parent``."""
    from wagtail.models import Page

    base = base or "page"
    candidate, n = base, 1
    while not Page._slug_is_available(candidate, parent, page):
        n += 1
        candidate = f"{base}-{n}"
    return candidate


class PinyinSlugMixin:
    """A page whose empty slug is filled from its title in pinyin before validation."""

    def full_clean(self, *args, **kwargs):
        if not self.slug and self.title:
            parent = self.get_parent() if self.path else getattr(self, "_cached_parent_obj", None)
            if parent is not None:
                self.slug = unique_child_slug(pinyin_slug(self.title), parent, self)
        return super().full_clean(*args, **kwargs)


class PinyinSlugPageForm(WagtailAdminPageForm):
    """The admin form: an empty slug is not an error, it is made from the title."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False

    def clean(self):
        data = self.cleaned_data
        if "slug" in self.fields and not data.get("slug") and data.get("title"):
            parent = self.parent_page or (
                self.instance.get_parent() if self.instance.path else None
            )
            base = pinyin_slug(data["title"])
            data["slug"] = unique_child_slug(base, parent, self.instance) if parent else base
        return super().clean()
