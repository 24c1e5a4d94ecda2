"""Vietnamese text as buyers type it (folded: without diacritics, in any case, đ written as d), the
synonyms file, and the words a query searches for."""

import functools
import re
from pathlib import Path

from ground.text import fold

SYNONYMS_FILE = Path(__file__).parent / "data" / "synonyms.txt"
MAX_QUERY_LENGTH = 200  # longer queries are cut (the results page says so)
MAX_TERMS = 8
_WORD = re.compile(r"\w+")


# Both search backends fold the same way (the engine with Lucene's ``asciifolding``), so "vai thieu",
# "vải thiều" and "VẢI THIỀU" are the same words everywhere.
def words(text: str) -> list[str]:
    """The folded words of a query, at most MAX_TERMS of them."""
    return _WORD.findall(fold(text[:MAX_QUERY_LENGTH]))[:MAX_TERMS]


@functools.cache
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    """Each line of the synonyms file, as written (with diacritics)."""
    groups = []
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            groups.append(tuple(word.strip() for word in line.split(",") if word.strip()))
    return tuple(groups)


@functools.cache
def folded_synonym_rules() -> tuple[str, ...]:
    """The groups folded, for the engine's search-time synonym filter (it runs after asciifolding)."""
    return tuple(", ".join(dict.fromkeys(fold(word) for word in group)) for group in synonym_groups())


@functools.cache
def _synonyms_by_word() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for group in synonym_groups():
        folded = tuple(dict.fromkeys(fold(word) for word in group))
        for word in folded:
            table[word] = folded
    return table


def units(words: list[str]) -> list[str]:
    """Words, with the synonym file's phrases kept together: ['vai thieu', 'luc'] for 'vai thieu luc'."""
    table = _synonyms_by_word()
    result, index = [], 0
    while index < len(words):
        for size in (3, 2, 1):
            phrase = " ".join(words[index : index + size])
            if size == 1 or (index + size <= len(words) and phrase in table):
                result.append(phrase)
                index += size
                break
    return result


def synonyms_of(word: str) -> tuple[str, ...]:
    """A folded word and its synonyms (phrases included): 'vai' -> ('vai', 'vai thieu', 'lychee', ...)."""
    return _synonyms_by_word().get(word, (word,))


# A Vietnamese syllable as typed without diacritics (đ as d): an onset, a vowel group, a final consonant.
# Loose (it accepts a few syllables the language does not have), but a doubled or stray letter
# ("thieuu", "buoii") fails it. Used to leave correctly typed words alone ("sanh" is not "san").
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(?:ieu|yeu|oai|oay|oeo|uay|uoi|uou|uya|uye|uyu"
    r"|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue|ui|uo|uu|uy|ye|[aeiouy])"
    r"(?:ch|ng|nh|[cmnpt])?"
)


def is_syllable(word: str) -> bool:
    """Whether a folded word reads as one Vietnamese syllable ("sanh", "thieu"; not "thieuu")."""
    return _SYLLABLE.fullmatch(word) is not None


def starts_words(candidate: str, prefix_words: list[str]) -> bool:
    """Every word typed starts a word of the candidate (the last may be half-typed)."""
    candidate_words = re.findall(r"\w+", fold(candidate))
    return all(any(word.startswith(typed) for word in candidate_words) for typed in prefix_words)
