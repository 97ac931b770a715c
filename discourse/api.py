"""The public API: input checks at the boundary, then segmentation, scorer, thresholds."""

from __future__ import annotations

import itertools
import math

import numpy as np

from .model import LABELS, Model, load_model

__all__ = ["Document", "Sentence", "classify", "classify_many", "score"]

_CHUNK = 500  # sentences per chunk for score: small chunks stay in cache


class Sentence:
    """One tagged sentence of a :class:`Document`.

    Attributes
    ----------
    text : str
        The sentence, exactly ``document.text[start:end]``.
    start, end : int
        Character offsets into the input text (end-exclusive).
    labels : tuple of str
        The frames it carries, in ``LABELS`` order; ``()`` means none.
    scores : dict of str to float
        Probability of every label.
    """

    __slots__ = ("text", "start", "end", "labels", "scores")

    def __init__(self, text, start, end, labels, scores):
        self.text, self.start, self.end, self.labels, self.scores = text, start, end, labels, scores

    def __repr__(self):
        short = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        return f"Sentence({self.start}:{self.end} {short!r} labels={self.labels})"

    def __eq__(self, other):
        if not isinstance(other, Sentence):
            return NotImplemented
        return all(getattr(self, a) == getattr(other, a) for a in self.__slots__)

    def to_dict(self):
        """A JSON-ready dict of the sentence."""
        return {"start": self.start, "end": self.end, "text": self.text,
                "labels": list(self.labels), "scores": dict(self.scores)}


class Document:
    """A text and its tagged sentences, in reading order.

    Attributes
    ----------
    text : str
        The input text, unchanged.
    sentences : list of Sentence
    """

    __slots__ = ("text", "sentences")

    def __init__(self, text, sentences):
        self.text, self.sentences = text, sentences

    def __repr__(self):
        tagged = sum(1 for s in self.sentences if s.labels)
        return f"<Document: {len(self.sentences)} sentences, {tagged} tagged, {len(self.text)} chars>"

    def __eq__(self, other):
        if not isinstance(other, Document):
            return NotImplemented
        return self.text == other.text and self.sentences == other.sentences

    def __len__(self):
        return len(self.sentences)

    def __iter__(self):
        return iter(self.sentences)

    def _repr_html_(self):
        from .display import document_html

        return document_html([self])


# -- input checks (shared by every entry point) ---------------------------------

def _type_name(x):
    if isinstance(x, float) and math.isnan(x):
        return "float (NaN)"
    return type(x).__name__


def check_text(x, where):
    """Return ``x`` if it is a str, else raise TypeError naming ``where``."""
    if not isinstance(x, str):
        raise TypeError(f"{where}: expected text (str), got {_type_name(x)}: {x!r:.60}")
    return x


def check_texts(texts, what="texts"):
    """Reject a bare string or bytes where an iterable of texts is expected."""
    if isinstance(texts, (str, bytes)):
        raise TypeError(
            f"Iterable over raw text documents expected for {what}, {type(texts).__name__} object "
            f"received; wrap a single text in a list, or use discourse.classify(text)"
        )
    try:
        return iter(texts)
    except TypeError:
        raise TypeError(f"{what} must be an iterable of str, got {_type_name(texts)}") from None


def _checked(iterator, what):
    for i, x in enumerate(iterator):
        yield check_text(x, f"{what}[{i}]")


def _chunks(iterable, size):
    it = iter(iterable)
    while True:
        chunk = list(itertools.islice(it, size))
        if not chunk:
            return
        yield chunk


def _model(model):
    if model is None:
        return load_model()
    if not isinstance(model, Model):
        raise TypeError(f"model must be a discourse.Model or None, got {_type_name(model)}")
    return model


def _check_chunk_options(batch_size, n_jobs):
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
        raise ValueError(f"n_jobs must be a positive int or -1 (all cores), got {n_jobs!r}")


# -- worker-side helpers ----------------------------------------------------------

_WORKER_MODELS = {}


def _worker_model(model):
    """Resolve a model shipped to a worker; compile each distinct model once per process.

    Models are told apart by :attr:`Model.fingerprint`, a digest of everything
    that decides their output, so two different models never share a scorer.
    """
    if model is None:
        return load_model()
    key = model.fingerprint
    cached = _WORKER_MODELS.get(key)
    if cached is None:
        if len(_WORKER_MODELS) > 4:
            _WORKER_MODELS.clear()
        cached = _WORKER_MODELS[key] = model
    return cached


def _score_chunk(sentences, model):
    return _worker_model(model).scorer.predict_proba(sentences)


def _classify_chunk(texts, model):
    from .segmentation import split_sentences  # nltk is slow to import: only when segmenting

    model = _worker_model(model)
    spans = [split_sentences(t) for t in texts]
    flat = [t[a:b] for t, sp in zip(texts, spans) for a, b in sp]
    # score in chunks, so that one huge text does not need memory in proportion
    probs = np.empty((len(flat), len(model.labels)))
    for k in range(0, len(flat), _CHUNK):
        probs[k:k + _CHUNK] = model.scorer.predict_proba(flat[k:k + _CHUNK])
    return _documents(texts, spans, flat, probs, model)


def _documents(texts, spans, flat, probs, model):
    labels = model.labels
    above = probs >= model.thresholds_
    rows = probs.tolist()
    docs, k = [], 0
    for text, sp in zip(texts, spans):
        sents = []
        for a, b in sp:
            row = rows[k]
            sents.append(Sentence(flat[k], a, b,
                                  tuple(lab for lab, on in zip(labels, above[k]) if on),
                                  dict(zip(labels, row))))
            k += 1
        docs.append(Document(text, sents))
    return docs


def _run(func, chunks, model, n_jobs):
    """Apply ``func(chunk, model)`` to each chunk, in order, possibly in parallel."""
    if n_jobs == 1:
        for chunk in chunks:
            yield func(chunk, model)
        return
    from joblib import Parallel, delayed

    shipped = None if model is load_model() else model
    with Parallel(n_jobs=n_jobs, return_as="generator") as parallel:
        yield from parallel(delayed(func)(chunk, shipped) for chunk in chunks)


# -- public entry points ----------------------------------------------------------

def score(sentences, *, model=None, batch_size=_CHUNK, n_jobs=1):
    """Probabilities of every label for each sentence (the vectorised scorer).

    Parameters
    ----------
    sentences : iterable of str
        Sentences to score; any iterable, consumed in chunks of ``batch_size``.
    model : Model, optional
        Defaults to the built-in model.
    batch_size : int, default=500
        Sentences per chunk. Results do not depend on it.
    n_jobs : int, default=1
        Processes to spread chunks over (-1: all cores). Results do not depend on it.

    Returns
    -------
    ndarray of shape (n_sentences, n_labels)
        float64 probabilities, columns in ``model.labels`` order. They are raw
        probabilities: thresholds apply only in :func:`classify`.

    Raises
    ------
    TypeError
        If ``sentences`` is a bare string, or an item is not a str (the message
        names its position and type).

    Examples
    --------
    >>> import discourse
    >>> p = discourse.score(["Astana balances Moscow, Beijing and Washington.", "It rained."])
    >>> p.shape, p.dtype.name
    ((2, 3), 'float64')
    >>> bool(((p >= 0) & (p <= 1)).all())
    True
    """
    it = check_texts(sentences, "sentences")
    model = _model(model)
    _check_chunk_options(batch_size, n_jobs)
    parts = list(_run(_score_chunk, _chunks(_checked(it, "sentences"), batch_size), model, n_jobs))
    if not parts:
        return np.empty((0, len(model.labels)), dtype=np.float64)
    return np.concatenate(parts)


def classify(text, *, model=None):
    """Split a text into sentences and tag each with the frames it carries.

    Parameters
    ----------
    text : str
        Any text in English, German or Russian (the language is detected).
    model : Model, optional
        Defaults to the built-in model.

    Returns
    -------
    Document
        Its sentences carry offsets into ``text``, label tuples and scores.

    Raises
    ------
    TypeError
        If ``text`` is not a str.

    Examples
    --------
    >>> import discourse
    >>> doc = discourse.classify("Kazakhstan refuses to choose between Moscow and Beijing. "
    ...                          "The summit ended at noon.")
    >>> [(s.start, s.end) for s in doc.sentences]
    [(0, 56), (57, 82)]
    >>> sorted(doc.sentences[0].scores) == sorted(discourse.LABELS)
    True
    >>> discourse.classify("   ").sentences
    []
    """
    check_text(text, "text")
    return _classify_chunk([text], _model(model))[0]


def classify_many(texts, *, model=None, batch_size=200, n_jobs=1, progress=False):
    """:func:`classify` for many texts, in chunks, optionally in parallel.

    Parameters
    ----------
    texts : iterable of str
        Consumed lazily in chunks of ``batch_size`` texts.
    model : Model, optional
    batch_size : int, default=200
        Texts per chunk. Results do not depend on it.
    n_jobs : int, default=1
        Processes to spread chunks over (-1: all cores). Results do not depend on it.
    progress : bool, default=False
        Show a tqdm progress bar (needs the ``tqdm`` extra).

    Returns
    -------
    list of Document
        One per input text, in input order.

    Examples
    --------
    >>> import discourse
    >>> docs = discourse.classify_many(["One. Two.", "", "Three."])
    >>> [len(d.sentences) for d in docs]
    [2, 0, 1]
    """
    it = check_texts(texts, "texts")
    model = _model(model)
    _check_chunk_options(batch_size, n_jobs)
    checked = _checked(it, "texts")
    if progress:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            raise ImportError("progress=True needs tqdm: pip install 'discourse[progress]'") from None
        total = len(texts) if hasattr(texts, "__len__") else None
        checked = tqdm(checked, total=total, unit="text")
    out = []
    for docs in _run(_classify_chunk, _chunks(checked, batch_size), model, n_jobs):
        out.extend(docs)
    return out
