"""An uploaded caption file, WebVTT or SubRip (SRT), read by webvtt-py and kept as WebVTT.

The file is decoded as UTF-8 (with or without a BOM), else GB 18030, which Chinese subtitle
tools still write. SRT is told from WebVTT by its content (a WebVTT file starts with
``WEBVTT``), whatever the file is called. A file with no cue, or one webvtt-py cannot read,
is refused with the reason."""

from __future__ import annotations

import io

import webvtt
from django.utils.translation import gettext as _
from webvtt.errors import MalformedFileError

#: A caption file is text; a larger upload is not one.
MAX_BYTES = 2 * 1024 * 1024


class CaptionFileError(ValueError):
    pass


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CaptionFileError(_("The file is not UTF-8 or GB 18030 text."))


def to_webvtt(data: bytes) -> str:
    """``data`` (a WebVTT or SRT file) as WebVTT text; :class:`CaptionFileError` if it is not
    a caption file with at least one cue."""
    if len(data) > MAX_BYTES:
        raise CaptionFileError(_("A caption file is at most 2 MB."))
    text = _decode(data).replace("\r\n", "\n").replace("\r", "\n")
    kind = "vtt" if text.lstrip().startswith("WEBVTT") else "srt"
    try:
        vtt = webvtt.from_buffer(io.StringIO(text), format=kind)
    except (MalformedFileError, ValueError, IndexError) as e:
        raise CaptionFileError(
            _("This is not a WebVTT or SRT file that can be read: %(error)s") % {"error": e}
        ) from e
    if not vtt.captions:
        raise CaptionFileError(_("The file has no timed line."))
    out = io.StringIO()
    vtt.write(out)
    return out.getvalue()


def _seconds(timestamp: str) -> float:
    hours, minutes, seconds = timestamp.split(":")
    return round(int(hours) * 3600 + int(minutes) * 60 + float(seconds), 3)


def cues(vtt_text: str) -> list[tuple[float, float, str]]:
    """The cues of a stored track: (start, end) in seconds (with milliseconds) and the text
    without markup."""
    vtt = webvtt.from_string(vtt_text)
    return [(_seconds(c.start), _seconds(c.end), c.text) for c in vtt.captions]
