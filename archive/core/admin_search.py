"""Words for the admin's own page search, so a part of a Chinese name finds the page.

Wagtail's page chooser, its page search and the explorer's filter all *autocomplete*: the
last word the curator types is matched as the start of an indexed word. The database
engine (SQLite FTS5, PostgreSQL) has no Chinese word breaking, so a whole title such as
排莫蜡染背扇心 is one "word" and only its beginning (排莫) ever matched: 蜡染, 背扇 or the
village 排莫村 found nothing, and pinyin found nothing at all.

``substring_words`` indexes, for each run of Chinese, every suffix of it (排莫蜡染…,
莫蜡染…, 蜡染…), and the same for its pinyin at syllable boundaries (paimolaran…,
molaran…): a prefix of one of them is any part of the name, typed in characters or in
pinyin. Latin words (English, Miao in Hmub, an identifier) are kept as they are. Titles and
labels are short, so the suffixes stay a few hundred characters per page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[0-9A-Za-z\u00c0-\u024f]+(?:-[0-9A-Za-z]+)*")
#: A Chinese run longer than this is cut: a suffix index of a paragraph is not wanted.
LONGEST_RUN = 40


def _pinyin(run: str) -> list[str]:
    from pypinyin import lazy_pinyin

    return [s.lower() for s in lazy_pinyin(run) if s.isascii() and s.isalpha()]


def substring_words(texts: Iterable[str | None]) -> str:
    """Space-separated words whose prefixes are the substrings of ``texts`` (see above)."""
    words: list[str] = []
    for text in texts:
        if not text:
            continue
        for run in _CJK_RUN.findall(text):
            run = run[:LONGEST_RUN]
            words.extend(run[i:] for i in range(len(run)))
            syllables = _pinyin(run)
            words.extend("".join(syllables[i:]) for i in range(len(syllables)))
        for word in _LATIN_WORD.findall(text):
            words.append(word)
            if "-" in word:  # MHA-EMB-0014 is found as mha-emb-0014, emb-0014 and 0014
                parts = word.split("-")
                words.extend("-".join(parts[i:]) for i in range(1, len(parts)))
    return " ".join(dict.fromkeys(words))
