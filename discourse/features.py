"""Feature settings: the TF-IDF analyzers a model uses, and their sklearn form.

Two blocks, each L2-normalised on its own and then concatenated, as in
``FeatureUnion([TfidfVectorizer(word), TfidfVectorizer(char_wb)])``:

- ``word``: lowercased tokens of two or more word characters
  (``(?u)\\b\\w\\w+\\b``) and their n-grams;
- ``char``: ``char_wb`` character n-grams of each whitespace-separated word
  padded with one space on either side.

Only the settings that change what a model learns are free (n-gram ranges,
``min_df``, ``max_df``, sublinear TF); the rest is fixed so that the compiled
scorer can reproduce the analyzers exactly.
"""

from __future__ import annotations

import numpy as np
from dataclasses import asdict, dataclass, field

__all__ = ["BlockSettings", "FeatureSettings", "TOKEN_PATTERN", "fold_text", "make_vectorizer", "normalizer"]

TOKEN_PATTERN = r"(?u)\b\w\w+\b"

# Spelling variants folded by ``normalize="fold"``: Russian ё/е, German ß/ss.
_FOLD = str.maketrans({"ё": "е", "ß": "ss", "ẞ": "ss"})


def fold_text(text):
    """Lowercase and fold spelling variants (ё -> е, ß -> ss).

    The preprocessor of models trained with ``normalize="fold"``; the compiled
    scorer applies the same function.

    Examples
    --------
    >>> fold_text("Ёлка an der Straße")
    'елка an der strasse'
    """
    return text.lower().translate(_FOLD)


def normalizer(name):
    """The str -> str function a ``normalize`` setting names."""
    if name == "lower":
        return str.lower
    if name == "fold":
        return fold_text
    raise ValueError(f"normalize must be 'lower' or 'fold', got {name!r}")


@dataclass(frozen=True)
class BlockSettings:
    """Settings of one TF-IDF block.

    Parameters
    ----------
    ngram_range : tuple of (int, int)
        Smallest and largest n.
    min_df : int, default=2
        Keep n-grams seen in at least this many training sentences.
    max_df : float, default=1.0
        Drop n-grams seen in more than this share of training sentences.
    sublinear_tf : bool, default=True
        Use ``1 + log(tf)`` instead of raw counts.
    """

    ngram_range: tuple = (1, 2)
    min_df: int = 2
    max_df: float = 1.0
    sublinear_tf: bool = True

    def __post_init__(self):
        lo, hi = self.ngram_range
        object.__setattr__(self, "ngram_range", (int(lo), int(hi)))
        if not 1 <= lo <= hi:
            raise ValueError(f"ngram_range must satisfy 1 <= min_n <= max_n, got {self.ngram_range}")


@dataclass(frozen=True)
class FeatureSettings:
    """Word and char_wb block settings of a model.

    Examples
    --------
    >>> s = FeatureSettings()
    >>> s.word.ngram_range, s.char.ngram_range
    ((1, 2), (2, 5))
    >>> FeatureSettings.from_dict(s.to_dict()) == s
    True
    """

    word: BlockSettings = field(default_factory=lambda: BlockSettings((1, 2)))
    char: BlockSettings = field(default_factory=lambda: BlockSettings((2, 5)))
    normalize: str = "lower"

    def __post_init__(self):
        normalizer(self.normalize)  # validates

    def to_dict(self):
        d = asdict(self)
        for key in ("word", "char"):
            d[key]["ngram_range"] = list(d[key]["ngram_range"])
        return d

    @classmethod
    def from_dict(cls, d):
        return cls(word=BlockSettings(**{**d["word"], "ngram_range": tuple(d["word"]["ngram_range"])}),
                   char=BlockSettings(**{**d["char"], "ngram_range": tuple(d["char"]["ngram_range"])}),
                   normalize=d.get("normalize", "lower"))


def make_vectorizer(block, analyzer, vocabulary=None, normalize="lower"):
    """An unfitted sklearn ``TfidfVectorizer`` for one block.

    Parameters
    ----------
    block : BlockSettings
    analyzer : {"word", "char_wb"}
    vocabulary : dict of str to int, optional
        A fixed vocabulary (used by :meth:`discourse.Model.to_sklearn`).
    normalize : {"lower", "fold"}, default="lower"
        "fold" installs :func:`fold_text` as the preprocessor.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer=analyzer,
        ngram_range=block.ngram_range,
        min_df=block.min_df,
        max_df=block.max_df,
        sublinear_tf=block.sublinear_tf,
        lowercase=True,
        token_pattern=TOKEN_PATTERN if analyzer == "word" else None,
        norm="l2",
        use_idf=True,
        smooth_idf=True,
        dtype=np.float64,
        vocabulary=vocabulary,
        preprocessor=None if normalize == "lower" else normalizer(normalize),
    )
