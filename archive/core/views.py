"""Small public doors that are not pages: the low-bandwidth switch and transcripts as WebVTT."""

from __future__ import annotations

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from archive.access import policy

from .pagecache import LOW_BANDWIDTH_COOKIE

_VTT_FIELDS = {"hmn": "text_hmn", "zh": "text_zh", "zh-hans": "text_zh", "en": "text_en"}


def low_bandwidth(request):
    """``?on=1`` or ``?on=0``: remember the choice in a cookie for a year, go back."""
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if request.GET.get("on") == "1":
        response.set_cookie(
            LOW_BANDWIDTH_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
    else:
        response.delete_cookie(LOW_BANDWIDTH_COOKIE, samesite="Lax")
    return response


def _timestamp(seconds) -> str:
    ms = int(round(float(seconds) * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def transcript_vtt(request, page_id: int, lang: str):
    """The item's transcript in one language as WebVTT (captions for its audio or video)."""
    from archive.items.models import ItemPage

    field = _VTT_FIELDS.get(lang.lower())
    item = ItemPage.objects.filter(pk=page_id).first()
    if field is None or item is None or not policy.can_view_item(request.user, item):
        raise Http404
    lines = ["WEBVTT", ""]
    for n, cue in enumerate(item.cues.all().order_by("start", "sort_order"), start=1):
        text = (getattr(cue, field) or "").replace("-->", "→").strip()
        if not text:
            continue
        lines += [str(n), f"{_timestamp(cue.start)} --> {_timestamp(cue.end)}", text, ""]
    response = HttpResponse("\n".join(lines), content_type="text/vtt; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response
