"""Deterministic benchmark sentences made from the project's own corpus.

Every benchmark sentence is a recombination of two sentences of the same
language from ``training/corpus/*.jsonl`` (read with
:func:`discourse.corpus.read_corpus`): the first part of one sentence's words
spliced to the latter part of another's, cut at the same relative position
``f`` (drawn uniformly in [0.2, 0.8]) of each, so the length distribution
stays that of the real sentences. The language of each sentence is drawn in
proportion to the corpus' sentences per language. One ``random.Random(seed)``
(seed 0 by default) drives everything: the same ``n`` and ``seed`` give the
same sentences, in any process, and the first ``k`` sentences of a run do not
depend on ``n``.

    from _corpus import make_sentences, iter_sentences, corpus_sentences
    sents = make_sentences(200_000)            # a list
    for s in iter_sentences(1_000_000): ...    # a generator, O(1) memory
"""

from __future__ import annotations

import functools
import pathlib
import random
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from discourse.corpus import read_corpus  # noqa: E402

CORPUS = ROOT / "training" / "corpus"

__all__ = ["CORPUS", "ROOT", "corpus_sentences", "labelled_sentences", "iter_sentences",
           "make_sentences", "make_text"]


@functools.lru_cache(maxsize=1)
def _documents():
    return tuple(read_corpus(CORPUS))


def labelled_sentences():
    """``(lang, sentence, labels)`` of every corpus sentence, in corpus order."""
    return [(d.lang, s, labs) for d in _documents() for s, labs in zip(d.sentences, d.labels)]


def corpus_sentences():
    """Corpus sentences by language: ``{lang: [sentence, ...]}`` in corpus order."""
    by_lang = {}
    for lang, s, _ in labelled_sentences():
        by_lang.setdefault(lang, []).append(s)
    return by_lang


def iter_sentences(n, seed=0):
    """Yield ``n`` recombined sentences (a generator: nothing is kept)."""
    by_lang = corpus_sentences()
    langs = sorted(by_lang)
    words = {lang: [s.split() for s in by_lang[lang]] for lang in langs}
    weights = [len(words[lang]) for lang in langs]
    rng = random.Random(seed)
    for _ in range(n):
        pool = words[rng.choices(langs, weights)[0]]
        a, b = rng.choice(pool), rng.choice(pool)
        f = rng.uniform(0.2, 0.8)
        head = a[:max(1, round(f * len(a)))]
        tail = b[min(len(b) - 1, round(f * len(b))):]
        yield " ".join(head + tail)


def make_sentences(n, seed=0):
    """The first ``n`` sentences of :func:`iter_sentences` as a list."""
    return list(iter_sentences(n, seed))


def make_text(n_bytes, seed=0):
    """One text of about ``n_bytes`` UTF-8 bytes: recombined sentences joined by
    spaces, with a paragraph break ("\\n\\n") after every 8th sentence."""
    parts, size = [], 0
    for i, s in enumerate(iter_sentences(10 ** 9, seed)):
        if size >= n_bytes:
            break
        sep = "\n\n" if i % 8 == 7 else " "
        parts.append(s + sep)
        size += len(s.encode("utf-8")) + len(sep)
    return "".join(parts)
