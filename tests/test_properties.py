"""Property tests (hypothesis) across the public API.

- ``classify``: offsets slice back to the text, sentences in order, disjoint,
  stripped and never empty, nothing but whitespace left out, spans equal to
  ``split_sentences``, labels exactly the scores at or above the thresholds,
  scores equal to ``score`` on the same sentence texts;
- ``classify_many`` equals mapping ``classify``, whatever the batch size and
  worker count; ``score`` is the same whatever the batch size and worker count
  and each row depends only on its own sentence;
- segmentation is local: leading blanks shift the offsets, and a line break
  separates two texts' sentences exactly.

The cheap properties run 1,000 examples; ``n_jobs=2`` runs only a few (the
worker pool is slow to start, and reused afterwards). A last test runs
``benchmarks/fuzz.py`` for DISCOURSE_FUZZ_SECONDS (default 10, 0 = off).
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import discourse
from discourse.segmentation import LANGUAGES, split_sentences

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# -- strategies ----------------------------------------------------------------

NEWS_PIECES = [
    # words and phrases in the three languages
    "Kazakhstan", "Moscow", "Beijing", "Washington", "sovereignty", "without conditions",
    "balances", "the minister said", "Souveränität", "Peking", "ohne Auflagen", "wir entscheiden",
    "Москва", "Пекин", "без условий", "суверенитет", "многовекторный", "北京", "سيادة",
    # abbreviations, numbers, ordinals
    "Dr.", "U.S.", "z. B.", "т. е.", "Prof.", "No. 5", "am 3. Oktober", "1.5", "12 000", "2023 г.",
    # sentence ends, quotes, brackets, dashes
    ". ", "! ", "? ", "… ", "...", "?!", ".\"", "“", "”", "„", "«", "»", "(", ")", " — ", "-",
    # blanks and line ends
    " ", "  ", "\t", "\n", "\r\n", "\r", "\n\n", "\u2028", "\x0b", "\x0c", "\x1c", "\x85", "\u00a0", "\u3000",
    # awkward characters
    "\x00", "\x07", "\x1b", "\ud800", "\udfff", "\u200b", "\u200d", "\u200e", "\u202e", "\ufeff",
    "\u0301", "e\u0301", "😀", "🇰🇿", "👩\u200d👧", "\U0010ffff", "\ufffd",
]

news_text = st.lists(
    st.one_of(st.sampled_from(NEWS_PIECES), st.text(max_size=4)), max_size=40).map("".join)
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=120)
texts = st.one_of(news_text, any_text)
sentence_lists = st.lists(texts, max_size=12)

CHEAP = settings(max_examples=1000, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MEDIUM = settings(max_examples=300, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FEW = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module", autouse=True)
def warm(model):
    """Compile the scorer and load the segmenters once, outside any example."""
    discourse.classify("Warm up. Aufwärmen. Разминка.")
    return model


def assert_aligned(text, doc):
    model = discourse.load_model()
    assert doc.text == text
    prev = 0
    for s in doc.sentences:
        assert prev <= s.start < s.end <= len(text)
        assert s.text == text[s.start:s.end]
        assert s.text and s.text.strip() == s.text
        prev = s.end
    covered = "".join(s.text for s in doc.sentences)
    assert "".join(covered.split()) == "".join(text.split())
    assert [(s.start, s.end) for s in doc.sentences] == split_sentences(text)
    for s in doc.sentences:
        assert tuple(s.scores) == model.labels
        assert s.labels == tuple(lab for lab, t in zip(model.labels, model.thresholds_) if s.scores[lab] >= t)
    p = discourse.score([s.text for s in doc.sentences])
    assert p.tolist() == [[s.scores[lab] for lab in model.labels] for s in doc.sentences]


# -- classify ---------------------------------------------------------------------

@CHEAP
@given(texts)
def test_classify_offsets_order_coverage_and_scores(text):
    doc = discourse.classify(text)
    assert_aligned(text, doc)
    if not text.strip():
        assert doc.sentences == []


@CHEAP
@given(news_text, st.sampled_from(LANGUAGES))
def test_split_sentences_spans_are_valid_for_each_language(text, lang):
    spans = split_sentences(text, lang)
    prev = 0
    for a, b in spans:
        assert prev <= a < b <= len(text)
        assert text[a:b].strip() == text[a:b] != ""
        prev = b
    covered = "".join(text[a:b] for a, b in spans)
    assert "".join(covered.split()) == "".join(text.split())


@CHEAP
@given(st.text(" \t\u00a0\u3000\u2000", max_size=5), news_text, st.sampled_from(LANGUAGES))
def test_leading_blanks_only_shift_offsets(blank, text, lang):
    # blanks that are not line breaks, so the first line keeps its content
    shifted = split_sentences(blank + text, lang)
    assert shifted == [(a + len(blank), b + len(blank)) for a, b in split_sentences(text, lang)]


@CHEAP
@given(news_text, st.sampled_from(["\n", "\r\n", "\u2028", "\n\n"]), news_text, st.sampled_from(LANGUAGES))
def test_a_line_break_separates_two_texts_exactly(a, sep, b, lang):
    # "\r" + "\n" would merge into one line break, which changes nothing either
    joined = split_sentences(a + sep + b, lang)
    shift = len(a) + len(sep)
    assert joined == split_sentences(a, lang) + [(x + shift, y + shift) for x, y in split_sentences(b, lang)]


# -- classify_many, score: batching and workers --------------------------------------

@settings(max_examples=500, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sentence_lists, st.integers(1, 6))
def test_classify_many_equals_mapping_classify_whatever_the_batch_size(items, batch_size):
    docs = discourse.classify_many(items, batch_size=batch_size)
    assert len(docs) == len(items)
    assert docs == [discourse.classify(t) for t in items]
    assert discourse.classify_many(iter(items), batch_size=batch_size + 3) == docs


@CHEAP
@given(sentence_lists, st.integers(1, 6))
def test_score_rows_depend_only_on_their_own_sentence(items, batch_size):
    p = discourse.score(items, batch_size=batch_size)
    assert p.shape == (len(items), 3) and p.dtype == np.float64
    assert np.isfinite(p).all() and ((p >= 0) & (p <= 1)).all()
    assert np.array_equal(p, discourse.score(iter(items)))
    for i in range(0, len(items), 5):  # a row alone is the same row
        assert np.array_equal(p[i], discourse.score([items[i]])[0])


@MEDIUM
@given(sentence_lists, st.integers(1, 4))
def test_score_equals_the_compiled_scorer_and_classify_on_the_same_sentences(items, batch_size):
    model = discourse.load_model()
    p = discourse.score(items, batch_size=batch_size)
    assert np.array_equal(p, model.scorer.predict_proba(items) if items else np.empty((0, 3)))
    docs = discourse.classify_many(items)
    flat = [s for d in docs for s in d.sentences]
    assert discourse.score([s.text for s in flat]).tolist() == [
        [s.scores[lab] for lab in model.labels] for s in flat]


@FEW
@given(st.lists(texts, min_size=1, max_size=25), st.integers(1, 5))
def test_results_do_not_depend_on_n_jobs(items, batch_size):
    serial = discourse.classify_many(items)
    assert discourse.classify_many(items, n_jobs=2, batch_size=batch_size) == serial
    sents = [s.text for d in serial for s in d.sentences] + items
    assert np.array_equal(discourse.score(sents, n_jobs=2, batch_size=batch_size), discourse.score(sents))


@pytest.fixture(scope="module")
def loaded_small_model(small_model, tmp_path_factory):
    """A custom model as users have one: saved, then loaded (it is shipped to the workers)."""
    path = tmp_path_factory.mktemp("properties") / "small.npz"
    small_model.save(path)
    return discourse.load_model(path)


@FEW
@given(st.lists(texts, min_size=1, max_size=25), st.integers(2, 6))
def test_results_with_a_custom_model_do_not_depend_on_n_jobs(loaded_small_model, items, batch_size):
    model = loaded_small_model
    serial = discourse.classify_many(items, model=model)
    assert discourse.classify_many(items, model=model, n_jobs=2, batch_size=batch_size) == serial
    assert np.array_equal(discourse.score(items, model=model, n_jobs=-1, batch_size=batch_size),
                          discourse.score(items, model=model))


# -- a short fuzz run (benchmarks/fuzz.py) ---------------------------------------------

FUZZ_SECONDS = float(os.environ.get("DISCOURSE_FUZZ_SECONDS", "10"))


@pytest.mark.skipif(FUZZ_SECONDS <= 0, reason="DISCOURSE_FUZZ_SECONDS=0 turns the fuzz run off")
def test_short_fuzz_run_of_splitter_and_scorer():
    """benchmarks/fuzz.py for DISCOURSE_FUZZ_SECONDS (default 10) with hypothesis, in this process.

    DISCOURSE_FUZZ_ENGINE=atheris runs the coverage-guided atheris engine in a
    child process instead (needs ``pip install atheris``; slower to start).
    """
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    try:
        import fuzz
    finally:
        sys.path.remove(os.path.join(ROOT, "benchmarks"))
    if os.environ.get("DISCOURSE_FUZZ_ENGINE") == "atheris":
        pytest.importorskip("atheris")
        import tempfile

        assert fuzz.run_atheris_child(FUZZ_SECONDS, ["split", "scorer"], tempfile.mkdtemp()) == 0
    else:
        assert fuzz.run_hypothesis(FUZZ_SECONDS, ["split", "scorer"]) > 50
