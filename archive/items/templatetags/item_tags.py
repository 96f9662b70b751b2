from django import template

from archive.items.tags import tag_label as _tag_label

register = template.Library()


@register.filter
def tag_label(name: str) -> str:
    """A free tag in the active language: ``creation-myth`` → 创世神话."""
    return _tag_label(name)
