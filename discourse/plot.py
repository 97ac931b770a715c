"""Plots of tagged documents (matplotlib is an extra: ``pip install "discourse[plot]"``).

matplotlib is imported only when a plot is drawn, so ``import discourse.plot``
works on the core install.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["profile"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            'discourse.plot needs matplotlib, which is not installed: pip install "discourse[plot]"'
        ) from None
    return plt


def _is_frame(x):
    return hasattr(x, "columns") and hasattr(x, "groupby")


def _shares_from_docs(docs, by):
    from .api import Document
    from .model import LABELS

    if isinstance(docs, Document):
        docs = [docs]
    docs = list(docs)
    for i, d in enumerate(docs):
        if not isinstance(d, Document):
            raise TypeError(f"docs[{i}]: expected a discourse.Document, got {type(d).__name__}")
    if by is None:
        keys = list(range(len(docs)))
    else:
        if isinstance(by, (str, bytes)) or not isinstance(by, Iterable):
            raise TypeError("with a list of Documents, by must be a sequence of group keys, one per "
                            f"document (e.g. names or dates), got {type(by).__name__}")
        keys = list(by)
        if len(keys) != len(docs):
            raise ValueError(f"by has {len(keys)} keys for {len(docs)} documents; give one key per document")
    labels = next((tuple(s.scores) for d in docs for s in d.sentences), LABELS)
    groups = {}  # key -> [n_sentences, count per label]
    for key, d in zip(keys, docs):
        g = groups.setdefault(key, [0, [0] * len(labels)])
        g[0] += len(d.sentences)
        for s in d.sentences:
            for j, lab in enumerate(labels):
                g[1][j] += lab in s.labels
    try:
        order = sorted(groups)
    except TypeError:
        order = list(groups)
    n = [groups[k][0] for k in order]
    shares = [[groups[k][1][j] / groups[k][0] if groups[k][0] else 0.0 for k in order]
              for j in range(len(labels))]
    return labels, order, n, shares


def _shares_from_frame(frame, by):
    labels = tuple(c for c in frame.columns if isinstance(c, str) and f"p_{c}" in frame.columns)
    if not labels:
        raise ValueError("the frame has no label columns: expected one bool column per label with a "
                         "p_<label> column beside it, as discourse.to_frame returns")
    key = "doc" if by is None else by
    if key not in frame.columns:
        raise ValueError(f"by={key!r} is not a column of the frame; columns: {list(frame.columns)}")
    grouped = frame.groupby(frame[key], sort=True, dropna=False)  # a Series: no index-name clash
    counts = grouped[list(labels)].sum()
    sizes = grouped.size()
    order = list(sizes.index)
    n = [int(x) for x in sizes.tolist()]
    shares = [[float(c) / m if m else 0.0 for c, m in zip(counts[lab].tolist(), n)] for lab in labels]
    return labels, order, n, shares


def _tick(key):
    if hasattr(key, "strftime"):
        try:
            if (key.hour, key.minute, key.second) == (0, 0, 0):
                return key.strftime("%Y-%m-%d")
        except AttributeError:
            return key.strftime("%Y-%m-%d")
    return str(key)


def profile(docs_or_frame, *, by=None, ax=None):
    """Bar chart of the share of sentences carrying each frame, per document or group.

    Parameters
    ----------
    docs_or_frame : list of Document, Document, or pandas.DataFrame
        Tagged documents, or sentence rows with the columns of
        :func:`discourse.to_frame` (``doc``, ..., one bool column per label,
        ``p_<label>``).
    by : str or sequence, optional
        For a frame, the column to group rows by (default ``"doc"``), e.g. a
        source or a date column joined onto the rows. For documents, one group
        key per document (e.g. names or dates); documents with equal keys are
        pooled. Default: one group per document, numbered from 0.
    ax : matplotlib.axes.Axes, optional
        Draw here; by default on a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        One bar per group and label (``ax.containers`` holds one
        ``BarContainer`` per label); each tick shows the group's sentence count.

    Raises
    ------
    ImportError
        If matplotlib is not installed (``pip install "discourse[plot]"``).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import discourse
    >>> from discourse.plot import profile
    >>> docs = discourse.classify_many(["We refuse to choose between Moscow and Beijing. It rained.",
    ...                                 "The loans come with no political strings attached."])
    >>> ax = profile(docs, by=["a", "b"])
    >>> len(ax.containers), len(ax.patches)
    (3, 6)
    """
    plt = _pyplot()
    from matplotlib.ticker import PercentFormatter

    from .display import label_colours

    if _is_frame(docs_or_frame):
        labels, keys, n, shares = _shares_from_frame(docs_or_frame, by)
    elif isinstance(docs_or_frame, (str, bytes)) or not isinstance(docs_or_frame, Iterable):
        raise TypeError("profile() expects a list of Documents or a pandas DataFrame of sentence rows, "
                        f"got {type(docs_or_frame).__name__}")
    else:
        labels, keys, n, shares = _shares_from_docs(docs_or_frame, by)
    if not keys:
        raise ValueError("nothing to plot: no documents or rows were given")

    if ax is None:
        width = min(14.0, max(5.0, 1.5 + 0.9 * len(keys)))
        _, ax = plt.subplots(figsize=(width, 3.6), layout="constrained")
    colours = label_colours(labels)
    k = max(len(labels), 1)
    bar = 0.8 / k
    xs = range(len(keys))
    for j, lab in enumerate(labels):
        ax.bar([x - 0.4 + bar * (j + 0.5) for x in xs], shares[j], width=bar * 0.92,
               color=colours[lab][0], label=lab.replace("_", "-"), zorder=2)
    ax.set_xticks(list(xs))
    ticks = [f"{_tick(key)}\nn={m}" for key, m in zip(keys, n)]
    long = len(keys) > 8 or max((len(_tick(key)) for key in keys), default=0) > 14
    ax.set_xticklabels(ticks, rotation=30 if long else 0, ha="right" if long else "center",
                       rotation_mode="anchor", fontsize=9)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylim(0, max(0.05, max((v for row in shares for v in row), default=0.0) * 1.15))
    ax.set_ylabel("share of sentences")
    ax.set_xlabel("" if by is None or not isinstance(by, str) else str(by))
    ax.grid(axis="y", color="#d8dee4", linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.legend(frameon=False, ncols=len(labels), loc="lower left", bbox_to_anchor=(0, 1.06), fontsize=9)
    return ax
