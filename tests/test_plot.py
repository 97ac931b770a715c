"""discourse.plot.profile: share of sentences per frame, per document or group."""

from __future__ import annotations

import sys

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import discourse  # noqa: E402
from discourse.plot import profile  # noqa: E402

TEXTS = [
    "Kazakhstan refuses to choose between Moscow and Beijing. The summit ended at noon.",
    "Beijing says its loans come with no political demands attached. It rained.",
    "Nobody will dictate our foreign policy, the minister said.",
]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def docs():
    return discourse.classify_many(TEXTS)


def _frame(docs):
    pd = pytest.importorskip("pandas")
    try:
        from discourse.frames import to_frame
    except ImportError:  # pragma: no cover - frames is optional here
        to_frame = None
    if to_frame is not None:
        return to_frame(docs)
    rows = []
    for i, d in enumerate(docs):
        for k, s in enumerate(d.sentences):
            rows.append({"doc": i, "sentence": k, "start": s.start, "end": s.end, "text": s.text,
                         **{lab: lab in s.labels for lab in discourse.LABELS},
                         **{f"p_{lab}": s.scores[lab] for lab in discourse.LABELS}})
    return pd.DataFrame(rows)


def _expected_shares(docs):
    return [[sum(lab in s.labels for s in d.sentences) / len(d.sentences) for d in docs]
            for lab in discourse.LABELS]


@pytest.mark.parametrize("kind", ["docs", "frame"])
def test_profile_draws_one_bar_per_document_and_label(kind, docs):
    data = docs if kind == "docs" else _frame(docs)
    ax = profile(data)
    assert isinstance(ax, matplotlib.axes.Axes)
    assert len(ax.containers) == len(discourse.LABELS)
    assert len(ax.patches) == len(docs) * len(discourse.LABELS)
    heights = [bar.get_height() for c in ax.containers for bar in c]
    assert heights == pytest.approx([x for row in _expected_shares(docs) for x in row])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [lab.replace("_", "-") for lab in discourse.LABELS]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == [f"{i}\nn={len(d.sentences)}" for i, d in enumerate(docs)]


@pytest.mark.parametrize("groups", [["b", "a", "b"]])
def test_profile_pools_documents_by_key(groups, docs):
    ax = profile(docs, by=groups)
    assert len(ax.patches) == 2 * len(discourse.LABELS)
    n_b = len(docs[0].sentences) + len(docs[2].sentences)
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"a\nn={len(docs[1].sentences)}", f"b\nn={n_b}"]


@pytest.mark.parametrize("column", ["source", "date"])
def test_profile_groups_a_frame_by_a_column(column, docs):
    pd = pytest.importorskip("pandas")
    frame = _frame(docs)
    values = {"source": ["x", "y", "x"], "date": pd.to_datetime(["2025-01-02", "2025-01-01", "2025-01-02"])}
    frame[column] = [values[column][d] for d in frame["doc"]]
    ax = profile(frame, by=column)
    assert len(ax.patches) == 2 * len(discourse.LABELS)
    ticks = [t.get_text().split("\n")[0] for t in ax.get_xticklabels()]
    assert ticks == (["x", "y"] if column == "source" else ["2025-01-01", "2025-01-02"])
    assert ax.get_xlabel() == column


@pytest.mark.parametrize("n", [1])
def test_profile_uses_the_given_axes(n, docs):
    fig, axes = plt.subplots(1, 2)
    assert profile(docs[:n], ax=axes[1]) is axes[1]
    assert len(axes[0].patches) == 0 and len(axes[1].patches) == 3


@pytest.mark.parametrize("text", ["", "  "])
def test_profile_counts_empty_documents_as_zero(text, docs):
    ax = profile([*docs, discourse.classify(text)])
    assert len(ax.patches) == (len(docs) + 1) * 3
    assert [c[-1].get_height() for c in ax.containers] == [0, 0, 0]


@pytest.mark.parametrize("bad, exc, match", [
    ("text", TypeError, "list of Documents"),
    (42, TypeError, "int"),
    (["text"], TypeError, r"docs\[0\]"),
    ([], ValueError, "nothing to plot"),
])
def test_profile_rejects_bad_input(bad, exc, match):
    with pytest.raises(exc, match=match):
        profile(bad)


@pytest.mark.parametrize("by, exc, match", [("nope", ValueError, "nope"), ("doc", TypeError, "one per document"),
                                            (["only one"], ValueError, "one key per document")])
def test_profile_checks_by(by, exc, match, docs):
    data = _frame(docs) if by == "nope" else docs
    with pytest.raises(exc, match=match):
        profile(data, by=by)


@pytest.mark.parametrize("module", ["matplotlib.pyplot"])
def test_profile_without_matplotlib_names_the_extra(module, monkeypatch, docs):
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ImportError, match=r'pip install "discourse\[plot\]"'):
        profile(docs)
