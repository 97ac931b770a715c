"""Sentence tables: tagged sentences as pandas DataFrames, one row per sentence.

Every table here, and every partition of the Dask tables in
:mod:`discourse.dask`, is built by one function from columnar numpy arrays, so
columns, their order and their dtypes are the same everywhere:

=============  ===========  ==================================================
column         dtype        content
=============  ===========  ==================================================
``doc``        int64 [1]_   the document: its position (:func:`to_frame`) or
                            the input row's index label (:func:`classify_frame`)
``sentence``   int64        0-based position of the sentence in its document
``start``      int64        character offset of the sentence in the text
``end``        int64        end offset (exclusive): ``text[start:end]``
``text``       string [2]_  the sentence
``<label>``    bool         one per label, in ``model.labels`` order
``p_<label>``  float64      one per label: the probability of that label
=============  ===========  ==================================================

.. [1] In :func:`classify_frame` ``doc`` has the dtype of the input's index.
.. [2] ``pandas.StringDtype``, stored by pyarrow when it is installed (as Dask
   stores text), else by Python; missing values cannot occur.

The index repeats each row's document label, as :meth:`pandas.DataFrame.explode`
does: ``doc`` positions for :func:`to_frame`, the input's index labels (with
their dtype and name) for :func:`classify_frame`. So ``result.join(df)`` lines
sentences up with their input rows, and the Dask version keeps the input's
divisions.
"""

from __future__ import annotations

import importlib.util
import itertools

import numpy as np

try:
    import pandas as pd
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        'discourse.to_frame and discourse.classify_frame need pandas, an optional extra: '
        'pip install "discourse[pandas]"'
    ) from exc

from .api import (Document, _check_chunk_options, _model, _run, _type_name, _worker_model,
                  check_text, score)
from .model import LABELS
from .segmentation import split_sentences

__all__ = ["classify_frame", "to_frame"]

_BATCH = 500  # input rows (texts) per chunk in classify_frame
_TEXT_DTYPE = pd.StringDtype("pyarrow" if importlib.util.find_spec("pyarrow") else "python")


# -- the one table builder ------------------------------------------------------

def _assemble(index, counts, starts, ends, texts, flags, probs, labels):
    """The sentence table; its columns, their order and dtypes are defined here only.

    ``index`` holds one entry per sentence (its document's label), ``counts``
    the number of sentences of every document, ``texts`` a sequence of
    sentences and ``flags``/``probs`` arrays of shape (n_sentences, n_labels).
    """
    n = len(texts)
    first = np.repeat(np.cumsum(counts, dtype=np.int64) - counts, counts)
    columns = {
        "doc": pd.Series(index.to_flat_index(), copy=False),
        "sentence": pd.Series(np.arange(n, dtype=np.int64) - first, dtype=np.int64),
        "start": pd.Series(starts, dtype=np.int64),
        "end": pd.Series(ends, dtype=np.int64),
        "text": pd.Series(texts, dtype=_TEXT_DTYPE),
    }
    for j, label in enumerate(labels):
        columns[label] = pd.Series(flags[:, j], dtype=bool)
    for j, label in enumerate(labels):
        columns[f"p_{label}"] = pd.Series(probs[:, j], dtype=np.float64)
    frame = pd.DataFrame(columns, copy=False)
    frame.index = index
    return frame


def _empty(labels, index):
    """The empty sentence table, e.g. the ``meta`` of a Dask table; ``index`` gives dtype and name."""
    none = np.empty(0, dtype=np.int64)
    return _assemble(index[:0], none, none, none, np.empty(0, dtype=object),
                     np.empty((0, len(labels)), dtype=bool),
                     np.empty((0, len(labels)), dtype=np.float64), labels)


def _probability_frame(probs, labels, index):
    """``p_<label>`` float64 columns, one row per sentence, on ``index``."""
    frame = pd.DataFrame(np.asarray(probs, dtype=np.float64).reshape(-1, len(labels)),
                         columns=[f"p_{label}" for label in labels], copy=False)
    frame.index = index
    return frame


# -- columnar pieces --------------------------------------------------------------

def _segment_and_score(texts, model):
    """Sentences of a chunk of texts as arrays: counts, starts, ends, texts, probs.

    ``model`` may be ``None`` (the default model) or a model shipped to a worker.
    """
    model = _worker_model(model)
    spans = [split_sentences(t) for t in texts]
    counts = np.fromiter(map(len, spans), dtype=np.int64, count=len(spans))
    n = int(counts.sum())
    bounds = np.fromiter(itertools.chain.from_iterable(itertools.chain.from_iterable(spans)),
                         dtype=np.int64, count=2 * n).reshape(n, 2)
    sentences = [t[a:b] for t, sp in zip(texts, spans) for a, b in sp]
    probs = score(sentences, model=model)
    return counts, bounds, np.array(sentences, dtype=object), probs


def _check_cells(column, where):
    """The cells of a Series as an object ndarray of str; TypeError naming the first row that is not text.

    ``where(position)`` names a row for the message. (An ndarray, not a list:
    the garbage collector does not walk its items on every full collection.)
    """
    values = column.to_numpy(dtype=object)
    if not (isinstance(column.dtype, pd.StringDtype) and not column.hasnans):
        for i, value in enumerate(values):
            if not isinstance(value, str):
                check_text(value, where(i))
    return values


def _row_namer(column):
    name = column.name

    def where(i):
        return f"row {column.index[i]!r} of column {name!r}"
    return where


def _classify_column(column, model, *, batch_size=_BATCH, n_jobs=1):
    """The sentence table of a pandas Series of texts (the core of both classify_frames)."""
    texts = _check_cells(column, _row_namer(column))
    resolved = _worker_model(model)
    chunks = (texts[i:i + batch_size] for i in range(0, len(texts), batch_size))
    parts = list(_run(_segment_and_score, chunks, model, n_jobs))
    if not parts:
        return _empty(resolved.labels, column.index)
    counts, bounds, sentences, probs = parts[0] if len(parts) == 1 else map(np.concatenate, zip(*parts))
    return _assemble(column.index.repeat(counts), counts, bounds[:, 0], bounds[:, 1], sentences,
                     probs >= resolved.thresholds_, probs, resolved.labels)


def _check_column(frame, text, kind="DataFrame"):
    """Check that ``text`` labels one column of ``frame``; errors name it and list the columns."""
    try:
        hash(text)
    except TypeError:
        raise TypeError(f"text must be a column label (a hashable such as a str), "
                        f"got {_type_name(text)}") from None
    columns = list(frame.columns)
    if text not in columns:
        raise KeyError(f"text column {text!r} not found in the {kind}; available columns: {columns!r}")
    if columns.count(text) > 1:
        raise ValueError(f"text column {text!r} appears {columns.count(text)} times in the {kind}; "
                         f"column labels must be unique")


# -- public functions -----------------------------------------------------------

def to_frame(docs):
    """A table of tagged sentences, one row per sentence of every document.

    Parameters
    ----------
    docs : iterable of Document
        For example the result of :func:`discourse.classify_many`.

    Returns
    -------
    pandas.DataFrame
        Columns ``doc`` (the document's position in ``docs``), ``sentence``,
        ``start``, ``end``, ``text``, one bool column per label and one float64
        column ``p_<label>`` per label (see :mod:`discourse.frames` for dtypes).
        The index repeats ``doc``. Documents without sentences give no rows; no
        documents give an empty table with the same columns and dtypes.

    Raises
    ------
    TypeError
        If ``docs`` is a single Document or an item is not a Document (the
        message names its position and type).

    Examples
    --------
    >>> import discourse
    >>> from discourse.frames import to_frame
    >>> docs = discourse.classify_many(["Kazakhstan refuses to choose between Moscow "
    ...                                 "and Beijing. The summit ended at noon.", "", "Hi."])
    >>> df = to_frame(docs)
    >>> list(df.columns)  # doctest: +NORMALIZE_WHITESPACE
    ['doc', 'sentence', 'start', 'end', 'text', 'multi_vector', 'sovereignty', 'no_conditions',
     'p_multi_vector', 'p_sovereignty', 'p_no_conditions']
    >>> df[["doc", "sentence", "start", "end"]].to_numpy().tolist()
    [[0, 0, 0, 56], [0, 1, 57, 82], [2, 0, 0, 3]]
    >>> df["text"].iloc[1]
    'The summit ended at noon.'
    >>> to_frame([]).dtypes.astype(str).tolist()[:6]
    ['int64', 'int64', 'int64', 'int64', 'string', 'bool']
    """
    if isinstance(docs, Document):
        raise TypeError("to_frame expects a list of Document, got a single Document; "
                        "wrap it in a list: to_frame([doc])")
    if isinstance(docs, (str, bytes)):
        raise TypeError(f"to_frame expects a list of Document, got {type(docs).__name__}; "
                        f"classify texts first, or use discourse.classify_frame on a DataFrame")
    try:
        docs = list(docs)
    except TypeError:
        raise TypeError(f"to_frame expects a list of Document, got {_type_name(docs)}") from None
    for i, d in enumerate(docs):
        if not isinstance(d, Document):
            raise TypeError(f"docs[{i}]: expected a discourse.Document, got {_type_name(d)}: {d!r:.60}")

    sentences = [s for d in docs for s in d.sentences]
    n = len(sentences)
    labels = tuple(sentences[0].scores) if sentences else LABELS
    counts = np.fromiter((len(d.sentences) for d in docs), dtype=np.int64, count=len(docs))
    starts = np.fromiter((s.start for s in sentences), dtype=np.int64, count=n)
    ends = np.fromiter((s.end for s in sentences), dtype=np.int64, count=n)
    texts = np.array([s.text for s in sentences], dtype=object)
    flags = np.empty((n, len(labels)), dtype=bool)
    probs = np.empty((n, len(labels)), dtype=np.float64)
    for j, label in enumerate(labels):
        flags[:, j] = np.fromiter((label in s.labels for s in sentences), dtype=bool, count=n)
        probs[:, j] = np.fromiter((s.scores[label] for s in sentences), dtype=np.float64, count=n)
    index = pd.Index(np.repeat(np.arange(len(docs), dtype=np.int64), counts))
    return _assemble(index, counts, starts, ends, texts, flags, probs, labels)


def classify_frame(df, text="text", *, model=None, batch_size=_BATCH, n_jobs=1):
    """Tag the texts of a DataFrame column: one row per sentence.

    Parameters
    ----------
    df : pandas.DataFrame
        One text per row.
    text : hashable, default="text"
        The column holding the texts.
    model : Model, optional
        Defaults to the built-in model.
    batch_size : int, default=500
        Rows per chunk. Results do not depend on it.
    n_jobs : int, default=1
        Processes to spread chunks over (-1: all cores). Results do not depend on it.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`to_frame`, with ``doc`` holding the input row's
        index label (and the index's dtype). The index repeats the input's
        index labels, so ``result.join(df)`` brings back the other columns.
        Rows with empty or whitespace-only text give no sentence rows.

    Raises
    ------
    TypeError
        If ``df`` is not a pandas DataFrame, or a cell is not text (None, NaN,
        a number, bytes): the message names the row's index label and the type.
    KeyError
        If there is no column ``text``; the message lists the columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse.frames import classify_frame
    >>> df = pd.DataFrame({"text": ["Astana balances Moscow and Beijing. It rained.", " "]},
    ...                   index=["a", "b"])
    >>> out = classify_frame(df)
    >>> out[["doc", "sentence", "start", "end", "text"]].to_numpy().tolist()
    [['a', 0, 0, 35, 'Astana balances Moscow and Beijing.'], ['a', 1, 36, 46, 'It rained.']]
    >>> out.index.tolist()
    ['a', 'a']
    >>> classify_frame(pd.DataFrame({"text": ["fine", None]}, dtype=object))
    Traceback (most recent call last):
    ...
    TypeError: row 1 of column 'text': expected text (str), got NoneType: None
    """
    if not isinstance(df, pd.DataFrame):
        hint = "; use series.to_frame()" if isinstance(df, pd.Series) else ""
        raise TypeError(f"classify_frame expects a pandas DataFrame, got {_type_name(df)}{hint}")
    _check_column(df, text)
    model = _model(model)
    _check_chunk_options(batch_size, n_jobs)
    return _classify_column(df[text], model, batch_size=batch_size, n_jobs=n_jobs)
