"""Dask integration: tag and score sentences lazily, partition by partition.

``import discourse.dask`` needs the ``dask`` extra (Dask, distributed and
pandas). Everything here builds a lazy Dask collection; nothing runs until
``.compute()``, ``.persist()`` or a ``to_parquet``. Each partition is handled by
the same code as the pandas functions of :mod:`discourse.frames`, so a computed
result equals the pandas result on the computed input, row for row.

The model travels to each worker once, and each worker process compiles its
scorer once. With ``model=None`` nothing is shipped at all: every worker
process loads the built-in model from its own installation. A model of your
own is sent to every worker as the collection is built when a distributed
``Client`` is active (``client.scatter(model, broadcast=True)``), or else is
one ``dask.delayed`` node of the task graph that every partition depends on.
"""

from __future__ import annotations

import numpy as np

try:
    import dask
    import dask.array as da
    import dask.bag as db
    import dask.dataframe as dd
    import pandas as pd
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        'discourse.dask needs Dask and pandas, an optional extra: pip install "discourse[dask]"'
    ) from exc

from .api import _check_chunk_options, _type_name, _worker_model, check_text, score
from .frames import (_BATCH, _check_cells, _check_column, _classify_column, _empty, _probability_frame,
                     _row_namer)
from .model import Model, load_model

__all__ = ["classify_frame", "score_bag", "score_series"]


def _active_client():
    """The distributed Client that computations go to by default, or None."""
    try:
        from distributed import default_client

        return default_client()
    except (ImportError, ValueError):
        return None


def _resolve(model):
    """The model to describe the result with (client side), and the graph argument to ship.

    ``None`` ships nothing: every worker loads the built-in model itself. A
    model of the user's is scattered to every worker when a distributed Client
    is active, else wrapped as one ``dask.delayed`` node of the graph.
    """
    if model is None:
        return load_model(), None
    if not isinstance(model, Model):
        raise TypeError(f"model must be a discourse.Model or None, got {_type_name(model)}")
    if model is load_model():
        return model, None  # every worker has it already
    client = _active_client()
    if client is not None:
        return model, client.scatter(model, broadcast=True)
    # one graph node per distinct model: the fingerprint covers every array,
    # so two models that share file metadata never share a node
    name = f"discourse-model-{model.fingerprint}"
    return model, dask.delayed(model, name=name, pure=True, traverse=False)


# -- what runs on the workers ---------------------------------------------------------

def _classify_partition(part, text, model, batch_size):
    return _classify_column(part[text], model, batch_size=batch_size)


def _score_partition(column, model):
    model = _worker_model(model)
    sentences = _check_cells(column, _row_namer(column))
    return _probability_frame(score(sentences, model=model), model.labels, column.index)


def _score_bag_partition(items, model, partition):
    model = _worker_model(model)
    sentences = list(items)
    for i, x in enumerate(sentences):
        if not isinstance(x, str):
            check_text(x, f"sentences (partition {partition}, item {i})")
    return score(sentences, model=model)


# -- public functions -----------------------------------------------------------

def classify_frame(ddf, text="text", *, model=None, batch_size=_BATCH):
    """Tag the texts of a Dask DataFrame column, lazily: one row per sentence.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        One text per row.
    text : hashable, default="text"
        The column holding the texts. Only this column is read.
    model : Model, optional
        Defaults to the built-in model (loaded by each worker, not shipped).
    batch_size : int, default=500
        Rows per chunk inside a partition. Results do not depend on it.

    Returns
    -------
    dask.dataframe.DataFrame
        Partition by partition, exactly what :func:`discourse.classify_frame`
        gives for that partition: columns ``doc`` (the input row's index label),
        ``sentence``, ``start``, ``end``, ``text``, one bool column per label
        and one float64 ``p_<label>`` column per label. The index repeats the
        input's index labels, so the input's divisions still hold. Its ``meta``
        is declared, never inferred by running the model.

    Raises
    ------
    TypeError
        If ``ddf`` is not a Dask DataFrame. A cell that is not text raises
        the contract's TypeError, naming the row's index label and the type,
        when the result is computed.
    KeyError
        If there is no column ``text``; the message lists the columns.

    Examples
    --------
    >>> import pandas as pd, dask.dataframe as dd
    >>> import discourse.dask
    >>> pdf = pd.DataFrame({"text": ["Astana balances Moscow and Beijing. It rained.", "", "Hi."]})
    >>> ddf = dd.from_pandas(pdf, npartitions=2)
    >>> out = discourse.dask.classify_frame(ddf)
    >>> out.npartitions, list(out.columns[:5])
    (2, ['doc', 'sentence', 'start', 'end', 'text'])
    >>> out.compute(scheduler="sync")[["doc", "sentence", "text"]].to_numpy().tolist()
    [[0, 0, 'Astana balances Moscow and Beijing.'], [0, 1, 'It rained.'], [2, 0, 'Hi.']]
    """
    if not isinstance(ddf, dd.DataFrame):
        hint = ("; use discourse.classify_frame for pandas, or dd.from_pandas(df, npartitions=...)"
                if isinstance(ddf, pd.DataFrame) else "")
        raise TypeError(f"classify_frame expects a Dask DataFrame, got {_type_name(ddf)}{hint}")
    _check_column(ddf, text, "Dask DataFrame")
    _check_chunk_options(batch_size, 1)
    described, shipped = _resolve(model)
    meta = _empty(described.labels, ddf._meta.index)
    # A one-column frame, not the Series ddf[text]: Dask (2026.8) pushes a
    # Series projection below ddf.fillna({text: ""}) and loses the fill.
    return ddf[[text]].map_partitions(_classify_partition, text, shipped, batch_size, meta=meta)


def score_series(series, *, model=None):
    """Probabilities of every label for a Dask Series of sentences, lazily.

    Parameters
    ----------
    series : dask.dataframe.Series
        One sentence per row, e.g. ``ddf["sentence"]``. Texts are scored
        whole, not split into sentences (see :func:`classify_frame` for that).
    model : Model, optional
        Defaults to the built-in model (loaded by each worker, not shipped).

    Returns
    -------
    dask.dataframe.DataFrame
        One float64 column ``p_<label>`` per label, on the input's index and
        divisions, equal to :func:`discourse.score` of the computed series.

    Raises
    ------
    TypeError
        If ``series`` is not a Dask Series. A cell that is not text raises the
        contract's TypeError naming the row's index label, when computed.

    Examples
    --------
    >>> import pandas as pd, dask.dataframe as dd
    >>> import discourse, discourse.dask
    >>> s = dd.from_pandas(pd.Series(["Astana balances Moscow and Beijing.", "It rained."]),
    ...                    npartitions=2)
    >>> probs = discourse.dask.score_series(s).compute(scheduler="sync")
    >>> list(probs.columns)
    ['p_multi_vector', 'p_sovereignty', 'p_no_conditions']
    >>> bool((probs.to_numpy() == discourse.score(s.compute())).all())
    True
    """
    if not isinstance(series, dd.Series):
        hint = "; pass one column, ddf[column]" if isinstance(series, dd.DataFrame) else ""
        raise TypeError(f"score_series expects a Dask Series of sentences, got {_type_name(series)}{hint}")
    described, shipped = _resolve(model)
    meta = _probability_frame(np.empty((0, len(described.labels))), described.labels,
                              series._meta.index[:0])
    return series.map_partitions(_score_partition, shipped, meta=meta)


def score_bag(bag, *, model=None):
    """Probabilities of every label for a Dask Bag of sentences, as a Dask Array.

    Parameters
    ----------
    bag : dask.bag.Bag
        Sentence strings, e.g. ``db.read_text(...).map(str.strip)``.
    model : Model, optional
        Defaults to the built-in model (loaded by each worker, not shipped).

    Returns
    -------
    dask.array.Array of shape (n_sentences, n_labels)
        float64 probabilities, one block of rows per bag partition, in bag
        order: equal to :func:`discourse.score` of the computed bag. The
        number of rows per block is unknown until computed
        (``.compute_chunk_sizes()`` finds it).

    Raises
    ------
    TypeError
        If ``bag`` is not a Dask Bag. An item that is not text raises the
        contract's TypeError naming its partition and position, when computed.

    Examples
    --------
    >>> import dask.bag as db
    >>> import discourse, discourse.dask
    >>> sentences = ["Astana balances Moscow and Beijing.", "It rained.", "Hi."]
    >>> probs = discourse.dask.score_bag(db.from_sequence(sentences, npartitions=2))
    >>> probs.shape[1], probs.dtype.name
    (3, 'float64')
    >>> bool((probs.compute(scheduler="sync") == discourse.score(sentences)).all())
    True
    """
    if not isinstance(bag, db.Bag):
        raise TypeError(f"score_bag expects a Dask Bag of sentences, got {_type_name(bag)}")
    described, shipped = _resolve(model)
    n_labels = len(described.labels)
    score = dask.delayed(_score_bag_partition, pure=True)
    blocks = [da.from_delayed(score(part, shipped, i), shape=(np.nan, n_labels), dtype=np.float64,
                              meta=np.empty((0, n_labels), dtype=np.float64))
              for i, part in enumerate(bag.to_delayed())]
    if not blocks:
        return da.empty((0, n_labels), dtype=np.float64)
    return da.concatenate(blocks, axis=0)
