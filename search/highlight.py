"""Highlighting done in Python on a document the visitor may already see.

Used by the database engine, and by the Elasticsearch/OpenSearch engine for the transcript
cue when the engine's own highlight does not cover it. Output is HTML-escaped text with the
matched words wrapped in ``<mark>``.
"""

from __future__ import annotations

import re

from django.utils.html import escape

from . import text


def _needles(terms: list[text.Term]) -> list[str]:
    out: list[str] = []
    for term in terms:
        out.append(term.text)
        if not term.cjk:
            t = text.toneless(term.text)
            if t != term.text:
                out.append(t)
    return sorted({n for n in out if n}, key=len, reverse=True)


def _spans(value: str, needles: list[str]) -> list[tuple[int, int]]:
    """Where the needles occur in ``value`` (compared folded, char for char)."""
    folded = text.fold(value)
    if len(folded) != len(value):  # folding changed lengths: match on the raw text
        folded = value.lower()
    spans: list[tuple[int, int]] = []
    for needle in needles:
        pattern = re.escape(needle) if text.is_cjk(needle) else rf"\b{re.escape(needle)}\w*"
        for m in re.finditer(pattern, folded):
            spans.append((m.start(), m.end()))
    spans += _pinyin_spans(value, needles)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def _pinyin_spans(value: str, needles: list[str]) -> list[tuple[int, int]]:
    """Chinese characters whose pinyin is a Latin needle: ``hudie`` marks 蝴蝶."""
    latin = {n for n in needles if n.isascii() and n.isalpha()}
    if not latin:
        return []
    spans: list[tuple[int, int]] = []
    for m in text.CJK_RUN.finditer(value):
        syllables = text.char_pinyin(m.group())
        for i in range(len(syllables)):
            joined = ""
            for j in range(i, len(syllables)):
                if not syllables[j]:
                    break
                joined += syllables[j]
                if joined in latin:
                    spans.append((m.start() + i, m.start() + j + 1))
                if not any(n.startswith(joined) for n in latin):
                    break
    return spans


def mark(value: str, terms: list[text.Term], width: int | None = None) -> str | None:
    """``value`` with matches marked, cut to ``width`` characters around the first match;
    None when nothing matches."""
    if not value or not terms:
        return None
    spans = _spans(value, _needles(terms))
    if not spans:
        return None
    start, end = 0, len(value)
    if width and len(value) > width:
        start = max(0, spans[0][0] - width // 3)
        end = min(len(value), start + width)
    out, pos = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(escape(value[pos:s]))
        out.append(f"<mark>{escape(value[s:e])}</mark>")
        pos = e
    out.append(escape(value[pos:end]))
    html = "".join(out)
    return ("…" if start else "") + html + ("…" if end < len(value) else "")


FIELDS = (
    "title_zh",
    "title_en",
    "title_hmn",
    "description_zh",
    "description_en",
    "description_hmn",
)


def highlight_doc(doc: dict, terms: list[text.Term]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in FIELDS:
        marked = mark(doc.get(name) or "", terms, None if name.startswith("title") else 160)
        if marked:
            out[name] = marked
    return out


def matching_cue(doc: dict, terms: list[text.Term]) -> dict | None:
    """The first transcript cue that matches every term (or, failing that, any term)."""
    if not terms:
        return None
    needles = _needles(terms)
    best = None
    for cue in doc.get("cues") or []:
        for lang in ("hmn", "zh", "en"):
            value = cue.get(f"text_{lang}") or ""
            spans = _spans(value, needles)
            if not spans:
                continue
            folded = text.fold(value)
            everything = all(t.text in folded for t in terms)
            entry = {"start": cue["start"], "text": mark(value, terms, 160), "lang": lang}
            if everything:
                return entry
            if best is None:
                best = entry
    return best
