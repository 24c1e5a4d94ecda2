"""Vietnamese text as people type it: without diacritics, in any case, with đ written as d."""

import unicodedata


def fold(text: str) -> str:
    """'Vải thiều Đông Triều' -> 'vai thieu dong trieu'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
