from django import template
from django.utils.html import format_html

from archive.core.i18n import localized

register = template.Library()


@register.filter
def loc(obj, field: str) -> str:
    """``{{ item|loc:"title" }}``: the field in the active language, with fallback."""
    return localized(obj, field)


@register.simple_tag
def term(t):
    """A vocabulary term in the active language with the Miao label beside it."""
    if t is None:
        return ""
    label = localized(t, "label")
    if t.label_hmn and t.label_hmn != label:
        return format_html('{} <span class="miao" lang="hmn">{}</span>', label, t.label_hmn)
    return label


@register.filter
def seconds(value) -> str:
    try:
        total = int(float(value))
    except (TypeError, ValueError):
        return ""
    return f"{total // 60}:{total % 60:02d}"


@register.filter
def asset_url(asset, name: str) -> str:
    return asset.url(name)


@register.filter
def term_text(t) -> str:
    """A term as plain text (for <option>): "蝴蝶妈妈 (Mais Bangx Mais Lief)"."""
    if t is None:
        return ""
    label = localized(t, "label")
    if t.label_hmn and t.label_hmn != label:
        return f"{label} ({t.label_hmn})"
    return label


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs) -> str:
    """The current query string with some parameters replaced (``None`` drops one)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.filter
def derivative(asset, name: str):
    """``{{ asset|derivative:"web-webp" }}``: the derivative (prefetched), or None."""
    return asset.derivative(name)
