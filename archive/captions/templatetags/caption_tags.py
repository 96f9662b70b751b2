"""The caption tracks an item page's player offers: those its reader may read."""

from django import template

from archive.access import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def caption_tracks(context, page) -> list:
    """``page``'s caption tracks, if the reader may read its transcript (the same rule as the
    WebVTT door, ``policy.can_view_transcript``), else none. An item with no recording has
    no player to offer them in: nothing is asked."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not policy.transcribed_assets(page) or not policy.can_view_transcript(user, page):
        return []
    return list(page.caption_tracks.all())
