"""Text analysis done in Python, so every engine sees the same tokens.

Elasticsearch's integration-test node ships without analysis-common (no ``cjk_bigram``, no
``asciifolding``) and the database engines have no Chinese segmentation at all, so the parts
of the analysis that matter for this archive are done here, at index time and at query time:

* Chinese: unigrams and bigrams of every run of CJK characters (a query of two or more
  characters must match its bigrams, which is the precision of ``cjk_bigram``);
* pinyin: ``hudie`` (or ``húdié``, ``hu2die2``) finds 蝴蝶, through joined syllable n-grams
  made with pypinyin, over every field that holds Chinese (titles, descriptions, transcripts);
* Latin script (English, Miao in Hmub orthography, pinyin names): lowercased, accents
  folded (``Mǎi`` → ``mai``);
* Miao tone letters: Hmub writes each syllable's tone as a final consonant letter
  (*bangx lief*); a toneless form lets a visitor who does not know the tones still find it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Longest query text we look at; the rest is ignored (bounded engine load).
MAX_QUERY_CHARS = 200
#: Most words or CJK runs a query is split into.
MAX_QUERY_TERMS = 12
#: Hmub (Qiandong Miao) tone letters, written at the end of each syllable.
HMUB_TONE_LETTERS = frozenset("bxdltskf")
_VOWELS = frozenset("aeiouwy")

_CJK = (
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df\U0002a700-\U0002ebef\u3040-\u30ff"
)
CJK_RUN = re.compile(f"[{_CJK}]+")
WORD = re.compile(rf"[^\W_]+(?:['’][^\W_]+)*|[{_CJK}]+", re.UNICODE)
LATIN_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lowercase and strip accents and tone marks from Latin letters."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFKC", stripped).lower()


def is_cjk(text: str) -> bool:
    return bool(CJK_RUN.fullmatch(text))


def toneless(word: str) -> str:
    """``bangx`` → ``bang``, ``lief`` → ``lie``: the Hmub syllable without its tone letter."""
    if len(word) > 2 and word[-1] in HMUB_TONE_LETTERS and word[-2] in _VOWELS | {"n", "g"}:
        return word[:-1]
    return word


@lru_cache(maxsize=4096)
def _pinyin(run: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin

    return tuple(s for s in lazy_pinyin(run) if LATIN_WORD.fullmatch(s))


@lru_cache(maxsize=4096)
def char_pinyin(run: str) -> tuple[str, ...]:
    """One toneless syllable per character of a CJK run ('' where a character has none), so
    a pinyin match can be mapped back onto the characters it stands for (highlighting)."""
    from pypinyin import lazy_pinyin

    out = lazy_pinyin(run, errors=lambda chars: [""] * len(chars))
    if len(out) != len(run):  # pypinyin grouped something unexpectedly: no mapping
        return ("",) * len(run)
    return tuple(s if LATIN_WORD.fullmatch(s) else "" for s in out)


def pinyin_tokens(text: str, longest: int = 3) -> list[str]:
    """Joined pinyin syllable n-grams of every CJK run: 蝴蝶 → hu, die, hudie."""
    out: list[str] = []
    for run in CJK_RUN.findall(text or ""):
        syllables = _pinyin(run)
        for n in range(1, longest + 1):
            for i in range(len(syllables) - n + 1):
                out.append("".join(syllables[i : i + n]))
    return out


def pinyin_text(text: str) -> str:
    return " ".join(pinyin_tokens(text))


def encoded(tokens: list[str]) -> str:
    """Distinct tokens, encoded, space-separated: what the engines' token fields hold."""
    return " ".join(encode_token(t) for t in dict.fromkeys(tokens))


def cjk_tokens(run: str) -> list[str]:
    """Unigrams and bigrams of a CJK run (what the database engine indexes)."""
    chars = list(run)
    return chars + [a + b for a, b in zip(chars, chars[1:], strict=False)]


def index_tokens(text: str, pinyin: bool = True) -> list[str]:
    """Every token indexed for ``text`` (pinyin n-grams only when ``pinyin``)."""
    out: list[str] = []
    for word in WORD.findall(fold(text or "")):
        if is_cjk(word):
            out.extend(cjk_tokens(word))
        else:
            out.append(word)
            t = toneless(word)
            if t != word:
                out.append(t)
    if pinyin:
        out.extend(pinyin_tokens(text))
    return out


class Term:
    """One unit of a parsed query: a Latin word or a run of CJK characters."""

    __slots__ = ("text", "cjk")

    def __init__(self, text: str, cjk: bool):
        self.text, self.cjk = text, cjk

    def __repr__(self) -> str:
        return f"Term({self.text!r})"

    def bigrams(self) -> list[str]:
        if len(self.text) == 1:
            return [self.text]
        return [a + b for a, b in zip(self.text, self.text[1:], strict=False)]


#: Pinyin typed with tone numbers (``hu2die2``, ``lu2sheng1``): every syllable ends in 1–5.
TONE_NUMBERED = re.compile(r"(?:[a-z]*[aeiouv][a-z]*[1-5])+")


def parse_query(raw: str | None) -> list[Term]:
    """A visitor's text as plain words. Every operator, quote, colon, wildcard, slash or
    bracket is just a separator: user text is never handed to an engine's query parser."""
    text = fold((raw or "")[:MAX_QUERY_CHARS])
    terms: list[Term] = []
    for word in WORD.findall(text):
        if is_cjk(word):
            terms.append(Term(word[:20], True))
        else:
            if TONE_NUMBERED.fullmatch(word):
                word = re.sub(r"[1-5]", "", word)
            terms.append(Term(word[:40], False))
        if len(terms) >= MAX_QUERY_TERMS:
            break
    return terms


def clean_query(raw: str | None) -> str:
    """The query as the engine sees it (and as the page echoes it)."""
    return " ".join(t.text for t in parse_query(raw))


@lru_cache(maxsize=65536)
def encode_token(token: str) -> str:
    """A token as plain ASCII, so SQLite's and PostgreSQL's tokenizers keep it whole
    whatever their locale: non-ASCII tokens become ``x`` + hex code points."""
    if LATIN_WORD.fullmatch(token):
        return token
    return "x" + "".join(f"{ord(c):x}" for c in token) + "q"
