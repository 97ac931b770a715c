"""Training: corpus folder -> fitted scikit-learn pipeline -> model file.

Used by ``discourse train`` and :func:`train`. Training needs scikit-learn;
scoring a trained model does not.
"""

from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from . import __version__
from .corpus import corpus_digest, read_corpus
from .features import BlockSettings, FeatureSettings, make_vectorizer
from .model import LABELS, Model

__all__ = ["TrainSettings", "choose", "fit_pipeline", "load_settings", "model_from_pipeline", "search", "train"]

SETTINGS_FILE = "settings.json"
CALIBRATION_ECE = 0.05  # calibrate a label whose out-of-fold ECE is above this
# Thresholds are chosen as if `none` sentences were this share of the text.
# The corpus holds about 56% none; real news and commentary far more ("most
# real sentences carry none"), so this keeps false positives realistic. It is
# fixed a priori, not tuned on any evaluation set.
THRESHOLD_NONE_SHARE = 0.75
# Largest model (features, mean over folds) that ``search`` may choose: the
# compiled scorer's dense tries and its speed goal hold up to about this size
# (a 557k-feature candidate fell back to hashed lookups at 28k sentences/s,
# against 62k/s at 195k features; see benchmarks/README.md).
FEATURE_BUDGET = 300_000


@dataclass(frozen=True)
class TrainSettings:
    """Everything that decides what ``train`` learns.

    Parameters
    ----------
    features : FeatureSettings
    C : float, default=10.0
        Inverse regularisation strength of the logistic regressions.
    class_weight : {"balanced", None}, default="balanced"
    """

    features: FeatureSettings = FeatureSettings()
    C: float = 10.0
    class_weight: str | None = "balanced"

    def to_dict(self):
        return {"features": self.features.to_dict(), "C": self.C, "class_weight": self.class_weight}

    @classmethod
    def from_dict(cls, d):
        unknown = set(d) - {"features", "C", "class_weight"}
        if unknown:
            raise ValueError(f"unknown training settings {sorted(unknown)}")
        base = cls()
        return cls(features=FeatureSettings.from_dict(d["features"]) if "features" in d else base.features,
                   C=float(d.get("C", base.C)), class_weight=d.get("class_weight", base.class_weight))


def load_settings(corpus_dir):
    """Training settings for a corpus: its ``settings.json`` if present, else the defaults.

    ``discourse train --search`` writes that file after the model selection, so
    that a plain ``discourse train`` of the same folder reproduces the model.
    """
    path = Path(corpus_dir) / SETTINGS_FILE
    if not path.exists():
        return TrainSettings()
    try:
        return TrainSettings.from_dict(json.loads(path.read_text(encoding="utf-8"))["settings"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{os.fspath(path)}: invalid training settings ({exc})") from None


def label_matrix(label_tuples, labels=LABELS):
    """Indicator matrix of shape (n_sentences, n_labels) from label tuples."""
    Y = np.zeros((len(label_tuples), len(labels)), dtype=np.int64)
    col = {lab: j for j, lab in enumerate(labels)}
    for i, labs in enumerate(label_tuples):
        for lab in labs:
            Y[i, col[lab]] = 1
    return Y


def fit_pipeline(sentences, Y, settings=TrainSettings()):
    """Fit the reference pipeline: FeatureUnion of TF-IDF blocks + one-vs-rest LR."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion([
        ("word", make_vectorizer(settings.features.word, "word", normalize=settings.features.normalize)),
        ("char", make_vectorizer(settings.features.char, "char_wb", normalize=settings.features.normalize)),
    ])
    clf = OneVsRestClassifier(LogisticRegression(
        C=settings.C, class_weight=settings.class_weight, solver="liblinear",
        max_iter=1000, random_state=0))
    pipe = Pipeline([("features", features), ("clf", clf)])
    # liblinear's solver calls BLAS; a multi-threaded BLAS sums in an order
    # that depends on the thread count, so fit single-threaded: the same model
    # in the main process and in worker processes, on any number of cores.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        pipe.fit(list(sentences), Y)
    return pipe


def model_from_pipeline(pipe, settings, *, labels=LABELS, thresholds=None, metadata=None):
    """Export a fitted pipeline's arrays into a :class:`Model`."""
    word = pipe.named_steps["features"].transformer_list[0][1]
    char = pipe.named_steps["features"].transformer_list[1][1]
    clf = pipe.named_steps["clf"]

    def terms(vec):
        vocab = vec.vocabulary_
        out = [None] * len(vocab)
        for t, i in vocab.items():
            out[i] = t
        return out

    coef = np.vstack([e.coef_.ravel() for e in clf.estimators_])
    intercept = np.array([float(e.intercept_.ravel()[0]) for e in clf.estimators_])
    if thresholds is None:
        thresholds = np.full(len(labels), 0.5)
    return Model(labels=labels, settings=settings.features, word_terms=terms(word), char_terms=terms(char),
                 word_idf=word.idf_, char_idf=char.idf_, coef=coef, intercept=intercept,
                 thresholds=thresholds, metadata=metadata)


def library_versions():
    import sklearn
    import scipy

    return {"discourse": __version__, "numpy": np.__version__, "scipy": scipy.__version__,
            "scikit-learn": sklearn.__version__, "python": platform.python_version()}


def _corpus_arrays(corpus_dir):
    docs = read_corpus(corpus_dir)
    sentences = [s for d in docs for s in d.sentences]
    Y = label_matrix([lab for d in docs for lab in d.labels])
    langs = np.array([d.lang for d in docs for _ in d.sentences])
    return docs, sentences, Y, langs


def score_out_of_fold(Y, P, langs, folds):
    """Thresholds chosen on out-of-fold probabilities, and the scores at them.

    Thresholds maximise F1 per label with ``none`` sentences weighted to
    :data:`THRESHOLD_NONE_SHARE`.

    Returns
    -------
    thresholds : ndarray of shape (n_labels,)
    scores : dict
        ``"all"`` and each language -> :func:`discourse.evaluation.scores_at`.
    per_fold : list of float
        Each fold's macro-F1 (mean over languages), for the standard error.
    """
    from .evaluation import best_thresholds, none_weights, scores_at

    thresholds = best_thresholds(Y, P, weights=none_weights(Y, THRESHOLD_NONE_SHARE))
    languages = sorted(set(langs.tolist()))
    scores = {"all": scores_at(Y, P, thresholds)}
    for lang in languages:
        m = langs == lang
        scores[lang] = scores_at(Y[m], P[m], thresholds)
    per_fold = []
    for k in np.unique(folds):
        f = folds == k
        per_fold.append(float(np.mean([scores_at(Y[f & (langs == lang)], P[f & (langs == lang)],
                                                 thresholds)["macro_f1"] for lang in languages])))
    return thresholds, scores, per_fold


def cross_validate(docs, sentences, Y, langs, settings, *, n_splits=5, n_jobs=1):
    """Out-of-fold logits, calibration, thresholds and scores for ``settings``.

    Returns
    -------
    dict
        ``logits``, ``probabilities`` (calibrated where needed), ``calibration``
        (per label ``[a, b]`` or None), ``ece`` (before/after), ``thresholds``,
        ``scores`` (overall and per language, at those thresholds), ``folds``.
    """
    from .evaluation import (apply_platt, expected_calibration_error, fit_platt, grouped_folds,
                             oof_probabilities, sigmoid)

    folds = grouped_folds(docs, n_splits=n_splits)
    logits, sizes = oof_probabilities(sentences, Y, folds, settings, n_jobs=n_jobs, return_sizes=True)
    P = sigmoid(logits)
    ece_raw = [expected_calibration_error(Y[:, j], P[:, j]) for j in range(Y.shape[1])]
    calibration = []
    for j in range(Y.shape[1]):
        if ece_raw[j] > CALIBRATION_ECE:
            a, b = fit_platt(logits[:, j], Y[:, j])
            P[:, j] = apply_platt(logits[:, j], a, b)
            calibration.append([a, b])
        else:
            calibration.append(None)
    ece = [expected_calibration_error(Y[:, j], P[:, j]) for j in range(Y.shape[1])]
    thresholds, scores, per_fold = score_out_of_fold(Y, P, langs, folds)
    return {"logits": logits, "probabilities": P, "calibration": calibration,
            "ece": {"raw": ece_raw, "calibrated": ece}, "thresholds": thresholds,
            "scores": scores, "folds": folds, "fold_macro_f1": per_fold,
            "n_features": int(np.mean(sizes))}


def _summary(cv, labels=LABELS):
    """The JSON-ready part of a cross-validation result, for model metadata."""
    def rnd(x):
        return round(float(x), 6)

    out = {"folds": int(cv["folds"].max()) + 1, "per_language": {}}
    for key, sc in cv["scores"].items():
        out["per_language"][key] = {
            "macro_f1": rnd(sc["macro_f1"]), "none_fpr": rnd(sc["none_fpr"]),
            "f1": {lab: rnd(v["f1"]) for lab, v in sc["labels"].items()},
        }
    out["ece_raw"] = {lab: rnd(v) for lab, v in zip(labels, cv["ece"]["raw"])}
    out["ece_calibrated"] = {lab: rnd(v) for lab, v in zip(labels, cv["ece"]["calibrated"])}
    return out


def train(corpus_dir, *, settings=None, n_jobs=1, n_splits=5):
    """Train a model on a corpus folder.

    Steps: grouped cross-validation (by document, stratified per language) to
    get out-of-fold probabilities; Platt calibration of any label whose
    out-of-fold expected calibration error exceeds 0.05; per-label thresholds
    maximising out-of-fold F1; then the final fit on the whole corpus, with the
    calibration folded into the logistic-regression weights (so the scorer and
    ``to_sklearn()`` need no extra step).

    Parameters
    ----------
    corpus_dir : str or os.PathLike
        A folder of ``*.jsonl`` corpus files (see the README for the format).
    settings : TrainSettings, optional
        Defaults to the folder's ``settings.json`` (written by the model
        selection), else ``TrainSettings()``.
    n_jobs : int, default=1
        Processes for the cross-validation folds; the model does not depend on it.
    n_splits : int, default=5

    Returns
    -------
    Model
        Deterministic: the same corpus and settings give the same arrays, and
        :meth:`Model.save` gives the same bytes.
    """
    if settings is None:
        settings = load_settings(corpus_dir)
    docs, sentences, Y, langs = _corpus_arrays(corpus_dir)
    cv = cross_validate(docs, sentences, Y, langs, settings, n_splits=n_splits, n_jobs=n_jobs)
    pipe = fit_pipeline(sentences, Y, settings)
    for est, cal in zip(pipe.named_steps["clf"].estimators_, cv["calibration"]):
        if cal is not None:  # sigmoid(a * (w.x + c) + b) == sigmoid((a w).x + (a c + b))
            a, b = cal
            est.coef_ = est.coef_ * a
            est.intercept_ = est.intercept_ * a + b
    per_lang = {}
    for d in docs:
        per_lang[d.lang] = per_lang.get(d.lang, 0) + len(d.sentences)
    metadata = {
        "training": {
            "settings": settings.to_dict(),
            "corpus_sha256": corpus_digest(corpus_dir),
            "documents": len(docs),
            "sentences": len(sentences),
            "sentences_per_language": dict(sorted(per_lang.items())),
            "positives": {lab: int(Y[:, j].sum()) for j, lab in enumerate(LABELS)},
        },
        "calibration": {lab: cal for lab, cal in zip(LABELS, cv["calibration"])},
        "threshold_selection": {"method": "maximise out-of-fold F1 with none sentences weighted to a share of "
                                 f"{THRESHOLD_NONE_SHARE}", "none_share": THRESHOLD_NONE_SHARE},
        "cross_validation": _summary(cv),
        "library_versions": library_versions(),
    }
    return model_from_pipeline(pipe, settings, thresholds=cv["thresholds"], metadata=metadata)


def default_grid():
    """The settings searched by ``discourse train --search``.

    The core grid crosses regularisation, char n-gram range and ``min_df``;
    a few single changes then test word unigrams only, raw term counts and
    unweighted classes.
    """
    def make(C=30.0, word=(1, 2), char=(2, 5), min_df=2, sublinear=True, class_weight="balanced"):
        return TrainSettings(
            features=FeatureSettings(word=BlockSettings(word, min_df=min_df, sublinear_tf=sublinear),
                                     char=BlockSettings(char, min_df=min_df, sublinear_tf=sublinear)),
            C=C, class_weight=class_weight)

    grid = [make(C=C, char=char, min_df=min_df)
            for C in (10.0, 30.0) for char in ((2, 5), (2, 6)) for min_df in (1, 2)]
    grid += [make(word=(1, 1)), make(sublinear=False), make(class_weight=None), make(C=100.0)]
    return grid


def search(corpus_dir, grid=None, *, n_jobs=1, n_splits=5, log=None):
    """Pick settings by grouped cross-validation, with the one-standard-error rule.

    Every candidate is scored by its out-of-fold macro-F1 (the mean over
    languages). The best mean sets a bar one standard error (of its per-fold
    scores) below it; of the candidates above the bar, the one with the fewest
    features wins: the smallest model that is as good as the best within
    noise, which tends to carry over better to unseen text and scores faster.
    Candidates over :data:`FEATURE_BUDGET` features are measured and recorded
    but not chosen (see :func:`choose`).

    Returns
    -------
    best : TrainSettings
    results : list of dict
        One per candidate: settings, per-language macro-F1 and none FPR, the
        mean, its standard error, the number of features, and which won.
    """
    docs, sentences, Y, langs = _corpus_arrays(corpus_dir)
    results = []
    candidates = list(grid or default_grid())
    for settings in candidates:
        cv = cross_validate(docs, sentences, Y, langs, settings, n_splits=n_splits, n_jobs=n_jobs)
        per = {k: v["macro_f1"] for k, v in cv["scores"].items() if k != "all"}
        fpr = {k: v["none_fpr"] for k, v in cv["scores"].items() if k != "all"}
        folds = np.array(cv["fold_macro_f1"])
        row = {"settings": settings.to_dict(), "macro_f1": per, "none_fpr": fpr,
               "mean_macro_f1": float(np.mean(list(per.values()))),
               "standard_error": float(folds.std(ddof=1) / np.sqrt(folds.size)) if folds.size > 1 else 0.0,
               "n_features": cv["n_features"]}
        results.append(row)
        if log is not None:
            log(row)
    return candidates[choose(results)], results


def choose(results, max_features=FEATURE_BUDGET):
    """Index of the candidate the one-standard-error rule picks (see :func:`search`).

    Candidates with more than ``max_features`` features (averaged over the
    folds) are not eligible: beyond that size the compiled scorer's char trie
    outgrows its dense table and falls back to hashed lookups, several times
    slower, and the model file grows past what users should download with the
    package. Among the eligible candidates within one standard error of the
    best eligible mean, the simplest wins: fewest features, then the strongest
    regularisation (smallest C), then the higher mean. If no candidate is within
    the budget, the rule runs over all of them. Marks ``chosen``,
    ``best_mean`` (the best eligible mean) and ``over_budget`` in the rows.

    Examples
    --------
    >>> rows = [{"mean_macro_f1": 0.861, "standard_error": 0.002, "n_features": 550_000, "settings": {"C": 30}},
    ...         {"mean_macro_f1": 0.859, "standard_error": 0.002, "n_features": 190_000, "settings": {"C": 30}},
    ...         {"mean_macro_f1": 0.852, "standard_error": 0.002, "n_features": 150_000, "settings": {"C": 10}}]
    >>> choose(rows)
    1
    >>> [r["over_budget"] for r in rows]
    [True, False, False]
    """
    within = [i for i, r in enumerate(results) if r["n_features"] <= max_features] or list(range(len(results)))
    top = max(within, key=lambda i: (results[i]["mean_macro_f1"], -i))
    bar = results[top]["mean_macro_f1"] - results[top]["standard_error"]
    eligible = [i for i in within if results[i]["mean_macro_f1"] >= bar - 1e-12]
    pick = min(eligible, key=lambda i: (results[i]["n_features"], results[i]["settings"]["C"],
                                        -results[i]["mean_macro_f1"], i))
    for i, r in enumerate(results):
        r["chosen"] = i == pick
        r["best_mean"] = i == top
        r["over_budget"] = r["n_features"] > max_features
    return pick


def write_settings(corpus_dir, settings, results=None):
    """Record the chosen settings in ``CORPUS_DIR/settings.json``."""
    path = Path(corpus_dir) / SETTINGS_FILE
    payload = {"settings": settings.to_dict()}
    if results is not None:
        payload["search"] = results
    path.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path
