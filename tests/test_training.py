"""Training: grouped folds, thresholds, calibration, selection, evaluation report."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

import discourse
from discourse.corpus import read_corpus
from discourse.evaluation import (best_thresholds, evaluate, expected_calibration_error, format_report,
                                  grouped_folds, write_model_card)
from discourse.training import TrainSettings, load_settings, search, train, write_settings


def test_grouped_folds_never_split_a_document_and_hold_every_language(small_corpus_dir):
    docs = read_corpus(small_corpus_dir)
    folds = grouped_folds(docs, n_splits=4)
    k = 0
    for d in docs:
        assert len(set(folds[k:k + len(d.sentences)].tolist())) == 1
        k += len(d.sentences)
    langs = np.array([d.lang for d in docs for _ in d.sentences])
    for f in range(4):
        assert set(langs[folds == f]) == {"en", "de", "ru"}
    assert np.array_equal(folds, grouped_folds(docs, n_splits=4))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_best_thresholds_maximise_f1(seed):
    rng = np.random.RandomState(seed)
    Y = (rng.rand(400, 3) < 0.3).astype(int)
    P = np.clip(Y * 0.35 + rng.rand(400, 3) * 0.65, 0, 1)
    th = best_thresholds(Y, P)
    for j in range(3):
        def f1(t):
            pred = P[:, j] >= t
            tp = np.sum(pred & (Y[:, j] == 1))
            return 2 * tp / (pred.sum() + Y[:, j].sum())
        assert f1(th[j]) >= max(f1(t) for t in np.arange(0.05, 0.951, 0.01)) - 1e-12


@pytest.mark.parametrize("p,ece", [([0.1, 0.9], 0.1), ([0.5, 0.5], 0.5)])
def test_expected_calibration_error_on_known_cases(p, ece):
    assert expected_calibration_error(np.array([0, 1]) if p[0] != p[1] else np.array([0, 0]),
                                      np.array(p)) == pytest.approx(ece)


def test_model_stores_out_of_fold_thresholds_and_cv_scores(small_model):
    cv = small_model.metadata["cross_validation"]
    assert set(cv["per_language"]) == {"all", "en", "de", "ru"}
    assert small_model.thresholds_.shape == (3,)
    assert all(0.05 <= t <= 0.95 for t in small_model.thresholds_)


def test_classify_applies_the_stored_thresholds(small_model, corpus_sentences):
    text = " ".join(corpus_sentences[:40])
    doc = discourse.classify(text, model=small_model)
    probs = discourse.score([s.text for s in doc.sentences], model=small_model)
    for s, row in zip(doc.sentences, probs):
        assert s.labels == tuple(lab for lab, p, t in zip(small_model.labels, row, small_model.thresholds_) if p >= t)


def test_calibration_is_folded_into_the_weights_exactly(small_corpus_dir, small_settings, monkeypatch,
                                                       corpus_sentences):
    import discourse.training as training

    monkeypatch.setattr(training, "CALIBRATION_ECE", np.inf)  # calibrate no label
    plain = train(small_corpus_dir, settings=small_settings, n_splits=3)
    assert all(v is None for v in plain.metadata["calibration"].values())
    monkeypatch.setattr(training, "CALIBRATION_ECE", -1.0)  # calibrate every label
    calibrated = train(small_corpus_dir, settings=small_settings, n_splits=3)
    cal = calibrated.metadata["calibration"]
    assert all(cal[lab] is not None for lab in discourse.LABELS)
    sents = corpus_sentences[:300]
    raw = plain.scorer.decision_function(sents)
    for j, lab in enumerate(discourse.LABELS):
        a, b = cal[lab]
        assert np.allclose(calibrated.coef_[j], a * plain.coef_[j])
        expected = 1 / (1 + np.exp(-(a * raw[:, j] + b)))
        assert np.abs(calibrated.scorer.predict_proba(sents)[:, j] - expected).max() < 1e-9
    ref = calibrated.to_sklearn().predict_proba(sents)
    assert np.abs(calibrated.scorer.predict_proba(sents) - ref).max() <= 1e-9


def test_training_does_not_depend_on_n_jobs(small_corpus_dir, small_settings, tmp_path):
    a = train(small_corpus_dir, settings=small_settings, n_splits=3, n_jobs=1).save(tmp_path / "a.npz")
    b = train(small_corpus_dir, settings=small_settings, n_splits=3, n_jobs=2).save(tmp_path / "b.npz")
    assert open(a, "rb").read() == open(b, "rb").read()


def test_search_picks_the_best_candidate_and_settings_round_trip(small_corpus_dir, tmp_path):
    from discourse.features import BlockSettings, FeatureSettings

    grid = [TrainSettings(C=0.01), TrainSettings(C=10.0),
            TrainSettings(C=10.0, features=FeatureSettings(word=BlockSettings((1, 2), min_df=1),
                                                           char=BlockSettings((2, 5), min_df=1)))]
    best, results = search(small_corpus_dir, grid, n_splits=3)
    means = np.array([r["mean_macro_f1"] for r in results])
    top = int(np.argmax(means))
    bar = means[top] - results[top]["standard_error"]
    eligible = [i for i in range(len(grid)) if means[i] >= bar - 1e-12]
    chosen = [i for i, r in enumerate(results) if r["chosen"]]
    assert len(chosen) == 1 and best == grid[chosen[0]]
    assert chosen[0] in eligible  # as good as the best within one standard error ...
    assert results[chosen[0]]["n_features"] == min(results[i]["n_features"] for i in eligible)  # ... and smallest
    assert results[2]["n_features"] > results[1]["n_features"]  # min_df=1 keeps more features
    folder = tmp_path / "corpus"
    folder.mkdir()
    for f in small_corpus_dir.glob("*.jsonl"):
        (folder / f.name).write_bytes(f.read_bytes())
    assert load_settings(folder) == TrainSettings()
    write_settings(folder, best, results)
    assert load_settings(folder) == best
    assert json.loads((folder / "settings.json").read_text())["search"] == json.loads(json.dumps(results))


def test_evaluate_report_and_model_card(small_corpus_dir, small_settings, tmp_path):
    report = evaluate(small_corpus_dir, small_settings, n_splits=3, fractions=(0.5, 1.0), n_errors=5)
    for lang in ("en", "de", "ru", "all"):
        sc = report["scores"][lang]
        assert 0.0 <= sc["macro_f1"] <= 1.0 and 0.0 <= sc["none_fpr"] <= 1.0
    assert [p["fraction"] for p in report["learning_curve"]] == [0.5, 1.0]
    assert len(report["errors"]) <= 5
    text = format_report(report)
    assert "macro-F1" in text and "calibration" in text
    card = write_model_card(report, tmp_path / "MODEL_CARD.md", curve_png="curve.png")
    body = card.read_text() if hasattr(card, "read_text") else open(card).read()
    assert "| en | `multi_vector` |" in body and "![learning curve](curve.png)" in body


def test_shipped_model_records_its_cross_validation():
    cv = discourse.load_model().metadata["cross_validation"]
    for lang in ("en", "de", "ru"):
        assert 0.0 < cv["per_language"][lang]["macro_f1"] <= 1.0


def test_thresholds_weigh_none_sentences_to_a_realistic_share(small_corpus_dir, small_settings, monkeypatch):
    import discourse.training as training
    from discourse.evaluation import grouped_folds, none_weights, oof_probabilities, sigmoid
    from discourse.training import _corpus_arrays

    monkeypatch.setattr(training, "CALIBRATION_ECE", np.inf)  # thresholds on raw probabilities
    model = train(small_corpus_dir, settings=small_settings, n_splits=3)
    assert model.metadata["threshold_selection"]["none_share"] == training.THRESHOLD_NONE_SHARE
    docs, sentences, Y, _ = _corpus_arrays(small_corpus_dir)
    P = sigmoid(oof_probabilities(sentences, Y, grouped_folds(docs, 3), small_settings))
    expected = best_thresholds(Y, P, weights=none_weights(Y, training.THRESHOLD_NONE_SHARE))
    assert np.array_equal(model.thresholds_, expected)


def _row(mean, n_features, C=30.0, se=0.002):
    return {"mean_macro_f1": mean, "standard_error": se, "n_features": n_features, "settings": {"C": C}}


@pytest.mark.parametrize("rows, budget, expected", [
    # the best candidate is over budget: the rule runs over the rest
    ([_row(0.861, 550_000), _row(0.859, 190_000), _row(0.850, 150_000)], 300_000, 1),
    # within budget, the smallest model within one standard error wins
    ([_row(0.861, 250_000), _row(0.860, 190_000), _row(0.850, 150_000)], 300_000, 1),
    # ties in size go to the smaller C
    ([_row(0.860, 190_000, C=30.0), _row(0.860, 190_000, C=10.0)], 300_000, 1),
    # nothing within budget: plain one-standard-error rule over all
    ([_row(0.861, 550_000), _row(0.860, 500_000)], 300_000, 1),
])
def test_choose_applies_the_feature_budget_then_the_one_standard_error_rule(rows, budget, expected):
    from discourse.training import choose

    assert choose(rows, max_features=budget) == expected
    assert [r["chosen"] for r in rows] == [i == expected for i in range(len(rows))]
    assert [r["over_budget"] for r in rows] == [r["n_features"] > budget for r in rows]


def test_recorded_search_chose_the_shipped_settings():
    """settings.json's chosen row is what choose() picks from its own rows, and what the model uses."""
    from discourse.training import choose

    recorded = json.loads((pathlib.Path(discourse.__file__).parent.parent / "training" / "corpus"
                           / "settings.json").read_text())
    rows = json.loads(json.dumps(recorded["search"]))
    pick = choose(rows)
    assert rows[pick]["settings"] == recorded["settings"]
    assert [r["chosen"] for r in rows] == [r["chosen"] for r in recorded["search"]]
    assert discourse.load_model().metadata["training"]["settings"] == recorded["settings"]
