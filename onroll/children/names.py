"""Folding names into search keys: case, accents, spaces and punctuation do not matter."""

import unicodedata


def search_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name or "")
    letters = (c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in "".join(letters).casefold() if c.isalnum())
