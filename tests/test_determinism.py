"""Determinism: the same corpus gives the same model bytes, the same input the same output.

- training ``small_corpus_dir`` twice, once here and once in a fresh process
  with another hash seed and two cross-validation workers, gives byte-identical
  model files (``discourse.training.train`` + ``Model.save``);
- ``classify_many`` and ``score`` give byte-identical results (JSON with every
  float written exactly) whatever the batch size and worker count, and in a
  fresh process with another hash seed;
- a call's result does not depend on what was called before.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import discourse
from discourse.model import Model
from discourse.segmentation import split_sentences

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _settings():
    from discourse.features import BlockSettings, FeatureSettings
    from discourse.training import TrainSettings

    return TrainSettings(features=FeatureSettings(word=BlockSettings((1, 2), min_df=1),
                                                  char=BlockSettings((2, 5), min_df=1)))


TRAIN_CHILD = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, sys.argv[1])
    from discourse.training import TrainSettings, train
    settings = TrainSettings.from_dict(json.loads(sys.argv[4]))
    train(sys.argv[2], settings=settings, n_splits=3, n_jobs=2).save(sys.argv[3])
""")


@pytest.fixture(scope="module")
def two_trainings(small_corpus_dir, tmp_path_factory):
    """(bytes trained here, bytes trained in a fresh process with another hash seed)."""
    from discourse.training import train

    out = tmp_path_factory.mktemp("determinism")
    here, there = out / "here.npz", out / "there.npz"
    settings = _settings()
    env = dict(os.environ, PYTHONHASHSEED="12345")
    child = subprocess.Popen(  # runs while this process trains too
        [sys.executable, "-c", TRAIN_CHILD, ROOT, os.fspath(small_corpus_dir), os.fspath(there),
         json.dumps(settings.to_dict())],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    train(small_corpus_dir, settings=settings, n_splits=3).save(here)
    _, err = child.communicate(timeout=300)
    assert child.returncode == 0, err[-2000:]
    return here, there


def test_training_twice_gives_byte_identical_models(two_trainings):
    here, there = two_trainings
    assert here.read_bytes() == there.read_bytes()


def test_retrained_models_score_identically(two_trainings, corpus_sentences):
    a, b = (discourse.load_model(p) for p in two_trainings)
    sents = corpus_sentences[:400]
    assert np.array_equal(discourse.score(sents, model=a), discourse.score(sents, model=b))


def test_saving_a_loaded_model_reproduces_its_bytes(two_trainings, tmp_path):
    here, _ = two_trainings
    again = discourse.load_model(here).save(tmp_path / "again.npz")
    assert open(again, "rb").read() == here.read_bytes()


# -- same input, same output --------------------------------------------------------

def _exact_json(docs):
    """Documents as JSON, each float as its exact repr: equal strings mean equal bits."""
    return json.dumps([[s.to_dict() for s in d.sentences] for d in docs], ensure_ascii=False)


@pytest.fixture(scope="module")
def texts(corpus_docs):
    docs = corpus_docs[:60]
    odd = ["", "   ", "One.\r\nTwo!\rThree?", "\ud800 lone. \x00 NUL.", "😀 🇰🇿 emoji. Done."]
    return [d.text for d in docs] + odd


@pytest.fixture(scope="module")
def serial(texts):
    return _exact_json(discourse.classify_many(texts))


@pytest.mark.parametrize("n_jobs", [1, 2])
@pytest.mark.parametrize("batch_size", [1, 7, 1000])
def test_classify_many_is_byte_identical_whatever_batch_size_and_workers(texts, serial, batch_size, n_jobs):
    assert _exact_json(discourse.classify_many(texts, batch_size=batch_size, n_jobs=n_jobs)) == serial


@pytest.mark.parametrize("n_jobs", [1, 2, -1])
@pytest.mark.parametrize("batch_size", [1, 13, 500, 100_000])
def test_score_is_bit_identical_whatever_batch_size_and_workers(corpus_sentences, batch_size, n_jobs):
    sents = corpus_sentences[:1500]
    reference = discourse.score(sents)
    got = discourse.score(iter(sents), batch_size=batch_size, n_jobs=n_jobs)
    assert got.tobytes() == reference.tobytes()


CLASSIFY_CHILD = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, sys.argv[1])
    import discourse
    texts = json.loads(sys.stdin.read())
    docs = discourse.classify_many(texts, batch_size=3)
    sys.stdout.write(json.dumps([[s.to_dict() for s in d.sentences] for d in docs], ensure_ascii=False))
""")


def test_a_fresh_process_with_another_hash_seed_gives_the_same_bytes(texts, serial):
    payload = json.dumps([t for t in texts if "\ud800" not in t])  # JSON via stdin: no lone surrogates
    env = dict(os.environ, PYTHONHASHSEED="987")
    proc = subprocess.run([sys.executable, "-c", CLASSIFY_CHILD, ROOT], input=payload, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    expected = _exact_json(discourse.classify_many(json.loads(payload)))
    assert proc.stdout == expected


def test_repeated_calls_give_the_same_result(texts, serial):
    discourse.classify("x" * 100_000)  # something big in between
    discourse.score(["Noise."] * 1000, batch_size=3)
    assert _exact_json(discourse.classify_many(texts)) == serial
    assert _exact_json(discourse.classify_many(texts)) == serial


def _variant(model, **changes):
    """A new Model sharing ``model``'s metadata (as a user tuning thresholds would build it)."""
    fields = dict(labels=model.labels, settings=model.settings, word_terms=model.word_terms_,
                  char_terms=model.char_terms_, word_idf=model.word_idf_, char_idf=model.char_idf_,
                  coef=model.coef_, intercept=model.intercept_, thresholds=model.thresholds_,
                  metadata=model.metadata)
    fields.update(changes)
    return Model(**fields)


# Regression (fixed): api._worker_model used to cache models by metadata['sha256'], so a
# Model built with another model's metadata (new thresholds or weights) was answered by
# whichever of the two had been used first, even with n_jobs=1.
def test_a_result_does_not_depend_on_which_model_was_used_before(two_trainings):
    loaded = discourse.load_model(two_trainings[0])
    lenient = _variant(loaded, thresholds=np.full(len(loaded.labels), 1e-6))
    flipped = _variant(loaded, coef=-loaded.coef_)
    text = "Kazakhstan keeps equal ties with Moscow, Beijing and Washington. The talks lasted two hours."

    def own(model):  # what the model itself says, computed without the API
        sents = [text[a:b] for a, b in split_sentences(text)]
        p = model.scorer.predict_proba(sents)
        return [tuple(lab for lab, v, t in zip(model.labels, row, model.thresholds_) if v >= t) for row in p], p

    got = {}
    for name, model in [("loaded", loaded), ("lenient", lenient), ("flipped", flipped), ("loaded2", loaded)]:
        doc = discourse.classify(text, model=model)
        got[name] = ([s.labels for s in doc.sentences], np.array([list(s.scores.values()) for s in doc.sentences]))
    for name, model in [("loaded", loaded), ("lenient", lenient), ("flipped", flipped), ("loaded2", loaded)]:
        labels, p = own(model)
        assert got[name][0] == labels, name
        assert np.array_equal(got[name][1], p), name
