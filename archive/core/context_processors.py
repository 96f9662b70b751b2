"""What every public template needs: the language alternates and the low-bandwidth flag."""

from __future__ import annotations

from django.conf import settings
from django.urls import translate_url

from .pagecache import low_bandwidth

#: What the switcher shows: each language named in itself, short enough for a phone.
SHORT_NAMES = {"zh-hans": "中文", "en": "English"}


def site(request) -> dict:
    path = request.get_full_path()
    alternates = []
    for code, name in settings.LANGUAGES:
        url = translate_url(path, code)
        alternates.append(
            {
                "code": code,
                "hreflang": "zh-Hans" if code == "zh-hans" else code,
                "name": SHORT_NAMES.get(code, name),
                "url": url,
                "absolute": request.build_absolute_uri(url),
            }
        )
    default = next((a for a in alternates if a["code"] == settings.LANGUAGE_CODE), None)
    return {
        "lowbw": low_bandwidth(request),
        "alternates": alternates,
        "x_default_url": default["absolute"] if default else "",
        "canonical_url": request.build_absolute_uri(request.path),
    }
