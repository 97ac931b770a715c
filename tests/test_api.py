"""The public contract: classify, classify_many, score, load_model, LABELS."""

from __future__ import annotations

import math

import numpy as np
import pytest

import discourse

TEXT = "Kazakhstan refuses to choose between Moscow and Beijing. The summit ended at noon."


def test_public_names_match_all():
    import types

    public = {n for n in dir(discourse) if not n.startswith("_") or n == "__version__"}
    submodules = {n for n in public if isinstance(getattr(discourse, n, None), types.ModuleType)}
    assert sorted(public - submodules | {"plot"}) == discourse.__all__
    assert discourse.__all__ == sorted(discourse.__all__)


def test_import_discourse_loads_no_extra():
    import subprocess
    import sys

    code = ("import sys, discourse; bad = [m for m in ('pandas', 'matplotlib', 'dask', 'tqdm', 'sklearn') "
            "if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr


@pytest.mark.parametrize("labels", [("multi_vector", "sovereignty", "no_conditions")])
def test_labels_are_the_three_frames(labels):
    assert discourse.LABELS == labels


@pytest.mark.parametrize("text", [TEXT])
def test_classify_returns_sentences_with_offsets_labels_and_scores(text):
    doc = discourse.classify(text)
    assert isinstance(doc, discourse.Document)
    assert doc.text == text
    assert [s.text for s in doc.sentences] == [
        "Kazakhstan refuses to choose between Moscow and Beijing.", "The summit ended at noon."]
    for s in doc.sentences:
        assert text[s.start:s.end] == s.text
        assert set(s.scores) == set(discourse.LABELS)
        assert all(isinstance(v, float) and 0.0 <= v <= 1.0 for v in s.scores.values())
        assert isinstance(s.labels, tuple)
        assert list(s.labels) == [lab for lab in discourse.LABELS if lab in s.labels]


@pytest.mark.parametrize("text", ["", " ", "\n\n\t ", "\u3000"])
def test_blank_text_gives_no_sentences(text):
    assert discourse.classify(text).sentences == []
    assert [d.sentences for d in discourse.classify_many([text, text])] == [[], []]


def test_labels_follow_thresholds(model):
    doc = discourse.classify(TEXT, model=model)
    for s in doc.sentences:
        expected = tuple(lab for lab, t in zip(model.labels, model.thresholds_) if s.scores[lab] >= t)
        assert s.labels == expected


@pytest.mark.parametrize("texts", [[TEXT, "", "Второе предложение. Третье!", "Ein Satz."]])
def test_classify_many_equals_mapping_classify(texts):
    assert discourse.classify_many(texts) == [discourse.classify(t) for t in texts]
    assert discourse.classify_many(iter(texts)) == [discourse.classify(t) for t in texts]


@pytest.mark.parametrize("batch_size", [1, 2, 3, 1000])
def test_classify_many_does_not_depend_on_batch_size(batch_size):
    texts = [TEXT, "A. B. C.", "", "Nur ein Satz.", TEXT * 3]
    assert discourse.classify_many(texts, batch_size=batch_size) == discourse.classify_many(texts)


def test_score_equals_classify_scores():
    doc = discourse.classify(TEXT)
    p = discourse.score([s.text for s in doc.sentences])
    assert p.shape == (2, 3) and p.dtype == np.float64
    for row, s in zip(p, doc.sentences):
        assert row.tolist() == [s.scores[lab] for lab in discourse.LABELS]


@pytest.mark.parametrize("batch_size", [1, 7, 2000])
def test_score_does_not_depend_on_batch_size(batch_size, corpus_sentences):
    sents = corpus_sentences[:300]
    assert np.array_equal(discourse.score(sents, batch_size=batch_size), discourse.score(sents))


def test_score_accepts_any_iterable_and_empty_input():
    gen = (s for s in ["One sentence.", "Another one."])
    assert discourse.score(gen).shape == (2, 3)
    assert discourse.score([]).shape == (0, 3)


def test_parallel_results_equal_serial(corpus_sentences):
    sents = corpus_sentences[:500]
    assert np.array_equal(discourse.score(sents, n_jobs=2, batch_size=100), discourse.score(sents))
    texts = [" ".join(sents[i:i + 5]) for i in range(0, 200, 5)]
    assert discourse.classify_many(texts, n_jobs=2, batch_size=7) == discourse.classify_many(texts)


BAD_ITEMS = [None, b"bytes", 3, 2.5, math.nan, ["list"], {"a": 1}]


@pytest.mark.parametrize("bad", BAD_ITEMS, ids=lambda x: type(x).__name__)
def test_classify_rejects_non_text_naming_the_type(bad):
    with pytest.raises(TypeError, match=rf"text: expected text \(str\), got {type(bad).__name__}"):
        discourse.classify(bad)


@pytest.mark.parametrize("entry", ["classify_many", "score"])
@pytest.mark.parametrize("bad", BAD_ITEMS, ids=lambda x: type(x).__name__)
def test_batch_entry_points_reject_non_text_naming_position_and_type(entry, bad):
    func = getattr(discourse, entry)
    with pytest.raises(TypeError, match=rf"\[2\]: expected text \(str\), got {type(bad).__name__}"):
        func(["fine.", "also fine.", bad])


def test_nan_is_named_as_nan():
    with pytest.raises(TypeError, match=r"float \(NaN\)"):
        discourse.score(["x", math.nan])


@pytest.mark.parametrize("entry", ["classify_many", "score"])
@pytest.mark.parametrize("bare", ["a bare string", b"bare bytes"])
def test_batch_entry_points_reject_a_bare_string(entry, bare):
    with pytest.raises(TypeError, match="Iterable over raw text documents expected"):
        getattr(discourse, entry)(bare)


@pytest.mark.parametrize("entry", ["classify_many", "score"])
def test_batch_entry_points_reject_non_iterables(entry):
    with pytest.raises(TypeError, match="must be an iterable of str, got int"):
        getattr(discourse, entry)(42)


@pytest.mark.parametrize("entry", ["classify", "classify_many", "score"])
def test_model_argument_must_be_a_model(entry):
    arg = "text." if entry == "classify" else ["text."]
    with pytest.raises(TypeError, match="model must be a discourse.Model"):
        getattr(discourse, entry)(arg, model="default.npz")


@pytest.mark.parametrize("option,value", [("batch_size", 0), ("batch_size", "10"), ("n_jobs", 0), ("n_jobs", -3)])
def test_chunk_options_are_checked(option, value):
    with pytest.raises(ValueError, match=option):
        discourse.score(["x"], **{option: value})


def test_load_model_without_path_is_cached_default():
    assert discourse.load_model() is discourse.load_model()
    assert discourse.load_model().labels == discourse.LABELS


@pytest.mark.parametrize("bad", [3, b"model.npz"])
def test_load_model_rejects_non_paths(bad):
    with pytest.raises(TypeError, match="load_model"):
        discourse.load_model(bad)


def test_document_and_sentence_reprs_are_short():
    doc = discourse.classify(TEXT * 20)
    assert len(repr(doc)) < 120
    assert all(len(repr(s)) < 160 for s in doc.sentences)
