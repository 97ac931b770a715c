"""The compiled scorer reproduces Model.to_sklearn().predict_proba exactly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import discourse

TOL = 1e-9

ODD_TEXTS = [
    "", " ", "a", "ab", "x\ty\n\nz", "émigré  naïve", "a b c d e",
    "\u0301a combining first", "e\u0301 composed vs decomposed é",
    "😀 emoji 🇩🇪 flag 👩‍👩‍👧", "İstanbul ΟΔΟΣ ΣΟΦΟΣ σ", "Straße STRASSE ß ẞ",
    "ё Ёлка ёж", "word_with_underscore 123 4,5 1.000.000", "a\u00a0b\u2003c\u2028d",
    "\x1c\x1d\x1e\x1f x", "\ud800 lone surrogate \udfff", "\x00 NUL \x07 bell",
    "x" * 5000, "Moscow " * 400, "Россия и Китай — стратегические партнёры.",
    "„Wir entscheiden selbst“, sagte er.", "«Без условий», — заявил министр.",
    "\u200b\u200c\u200d zero width \u200e\u200f\u202a bidi \u202c",
]


@pytest.fixture(scope="module")
def both(model, reference):
    return model.scorer, reference


def _check(both, texts):
    scorer, ref = both
    ours = scorer.predict_proba(texts)
    theirs = ref.predict_proba(texts)
    assert ours.shape == theirs.shape == (len(texts), 3)
    assert np.abs(ours - theirs).max(initial=0.0) <= TOL


def test_scorer_matches_sklearn_on_whole_corpus(both, corpus_sentences):
    _check(both, corpus_sentences)


def test_scorer_matches_sklearn_on_fixture_sentences(both, samples):
    texts = [s.text[a:b] for s in samples for a, b, _ in s.expected] + [s.text for s in samples]
    _check(both, texts)


@pytest.mark.parametrize("text", ODD_TEXTS, ids=range(len(ODD_TEXTS)))
def test_scorer_matches_sklearn_on_odd_text(both, text):
    _check(both, [text])


def test_scorer_matches_sklearn_on_a_very_long_token(both):
    _check(both, ["prefix " + "a" * 200_000 + " suffix", "ordinary sentence."])


unicode_text = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "M", "N", "P", "S", "Z", "Cc")),
    max_size=200)
mixed_text = st.lists(
    st.one_of(unicode_text, st.sampled_from(ODD_TEXTS), st.sampled_from(
        ["Moscow", "Beijing", "без условий", "Souveränität", " ", "\t", "\n", "sovereignty"])),
    max_size=8).map(" ".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(unicode_text, mixed_text), min_size=1, max_size=12))
def test_scorer_matches_sklearn_on_generated_unicode(both, texts):
    _check(both, texts)


@settings(max_examples=50, deadline=None)
@given(st.lists(mixed_text, min_size=1, max_size=30), st.integers(1, 7))
def test_scores_are_bitwise_identical_whatever_the_chunk_size(texts, chunk):
    assert np.array_equal(discourse.score(texts, batch_size=chunk), discourse.score(texts))


def test_small_model_scorer_matches_its_sklearn_pipeline(small_model, corpus_sentences):
    _check((small_model.scorer, small_model.to_sklearn()), corpus_sentences[:500] + ODD_TEXTS)


def test_decision_function_is_the_logit_of_the_probability(model, corpus_sentences):
    logits = model.scorer.decision_function(corpus_sentences[:100])
    assert np.allclose(1 / (1 + np.exp(-logits)), model.scorer.predict_proba(corpus_sentences[:100]))


@pytest.mark.parametrize("char_lookup", ["dense", "hashed"])
def test_both_char_lookups_match_sklearn(small_model, char_lookup, corpus_sentences):
    from discourse.scorer import CompiledScorer

    scorer = CompiledScorer.from_model(small_model, char_lookup=char_lookup)
    assert scorer.char_lookup == char_lookup
    _check((scorer, small_model.to_sklearn()), corpus_sentences[:300] + ODD_TEXTS)


def test_folded_spelling_model_matches_sklearn(small_corpus_dir, corpus_sentences):
    from dataclasses import replace

    from discourse.training import TrainSettings, train

    base = TrainSettings()
    settings = replace(base, features=replace(base.features, normalize="fold"))
    model = train(small_corpus_dir, settings=settings, n_splits=3)
    texts = corpus_sentences[:300] + ODD_TEXTS + ["Ёлка и ёж", "Die Straße, STRASSE und ẞ"]
    _check((model.scorer, model.to_sklearn()), texts)
    assert np.allclose(model.scorer.predict_proba(["ёлка"]), model.scorer.predict_proba(["елка"]))
