"""Similarity of short French descriptions, with no model to download.

Words are folded (lower case, no accents), French stop words dropped, and each
word cut to a 5-letter prefix, a crude stem that joins "rénovation"/"rénover" or
"énergie"/"énergétique". Features are weighted by smoothed IDF learnt from the
corpus and vectors are L2-normalised, so the cosine is a plain sparse dot product.
Prefixes were preferred to character n-grams because 50k offers x ~15 features
stay small in memory while n-grams would need ~100 entries per text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping

TextVector = Mapping[int, float]

_STEM = 5
_WORD = re.compile(r"[a-z0-9]+")
_STOP_WORD_TEXT = """
a au aux avec ce ces cet cette dans de des du elle en et il ils je la le les leur leurs lui
mais me meme mes mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te
tes ton tu un une vos votre vous y est sont etre avoir fait faire plus tres comme tout tous
toute toutes d l s n c j m t cela ca entre sans sous chez afin besoin besoins aide aider
souhaite souhaitons cherche cherchons pret prete pretons commune communes collectivite
"""
_STOP_WORDS = frozenset(re.findall(r"\S+", _STOP_WORD_TEXT))


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def terms(text: str) -> list[str]:
    return [
        word[:_STEM]
        for word in _WORD.findall(fold(text))
        if len(word) > 1 and word not in _STOP_WORDS
    ]


class TextModel:
    """Vocabulary and IDF fitted on a corpus; unknown terms get the highest IDF."""

    def __init__(self, corpus: Iterable[str] = ()) -> None:
        document_frequency: Counter[str] = Counter()
        documents = 0
        for text in corpus:
            documents += 1
            document_frequency.update(set(terms(text)))
        self._ids: dict[str, int] = {}
        self._idf: dict[str, float] = {
            term: math.log((1 + documents) / (1 + count)) + 1.0
            for term, count in document_frequency.items()
        }
        self._unknown_idf = math.log(1 + documents) + 1.0

    def vectorize(self, text: str) -> dict[int, float]:
        counts = Counter(terms(text))
        weights: dict[int, float] = {}
        for term, count in counts.items():
            term_id = self._ids.setdefault(term, len(self._ids))
            weights[term_id] = (1.0 + math.log(count)) * self._idf.get(term, self._unknown_idf)
        norm = math.sqrt(sum(w * w for w in weights.values()))
        if norm == 0.0:
            return {}
        return {term_id: w / norm for term_id, w in weights.items()}


def cosine(a: TextVector, b: TextVector) -> float:
    if len(a) > len(b):
        a, b = b, a
    total = 0.0
    for term_id, weight in a.items():
        other = b.get(term_id)
        if other is not None:
            total += weight * other
    return min(1.0, total)
