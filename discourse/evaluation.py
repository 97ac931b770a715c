"""Grouped cross-validation, metrics, thresholds and calibration.

Everything here works on out-of-fold (OOF) predictions: each document's
sentences are scored by a model that never saw that document. Folds are
grouped by document and stratified per language, so every fold holds all
three languages and no document is split across folds.
"""

from __future__ import annotations

import numpy as np

from .model import LABELS

__all__ = [
    "grouped_folds", "oof_probabilities", "scores_at", "best_thresholds", "none_weights",
    "expected_calibration_error", "fit_platt", "apply_platt",
]


def grouped_folds(docs, n_splits=5, seed=0):
    """Fold index (0..n_splits-1) of every sentence, grouped by document.

    Documents are assigned per language, stratified by their most frequent
    label profile, with a seeded shuffle: deterministic.

    Parameters
    ----------
    docs : list of CorpusDocument
    n_splits : int, default=5
    seed : int, default=0

    Returns
    -------
    ndarray of int64, shape (n_sentences,)
    """
    rng = np.random.RandomState(seed)
    doc_fold = {}
    by_lang = {}
    for d in docs:
        by_lang.setdefault(d.lang, []).append(d)
    for lang in sorted(by_lang):
        group = by_lang[lang]
        # stratify on a coarse profile: which labels the document contains
        profiles = {}
        for d in group:
            key = tuple(sorted({lab for labs in d.labels for lab in labs}))
            profiles.setdefault(key, []).append(d)
        offset = 0
        for key in sorted(profiles):
            members = profiles[key]
            order = rng.permutation(len(members))
            for k, i in enumerate(order):
                doc_fold[members[i].doc_id] = (offset + k) % n_splits
            offset += len(members)
    return np.array([doc_fold[d.doc_id] for d in docs for _ in d.sentences], dtype=np.int64)


def _fit_predict(train_idx, test_idx, sentences, Y, settings):
    from .training import fit_pipeline

    from threadpoolctl import threadpool_limits

    pipe = fit_pipeline([sentences[i] for i in train_idx], Y[train_idx], settings)
    with threadpool_limits(limits=1):
        X = pipe.named_steps["features"].transform([sentences[i] for i in test_idx])
        logits = np.column_stack([e.decision_function(X) for e in pipe.named_steps["clf"].estimators_])
    return test_idx, logits, X.shape[1]


def oof_probabilities(sentences, Y, folds, settings, *, n_jobs=1, train_fraction=1.0, seed=0,
                      return_sizes=False):
    """Out-of-fold logits for every sentence.

    Parameters
    ----------
    sentences : list of str
    Y : ndarray of shape (n, n_labels)
    folds : ndarray of int, shape (n,)
    settings : TrainSettings
    n_jobs : int, default=1
        Folds fitted in parallel; the result does not depend on it.
    train_fraction : float, default=1.0
        Use only this share of each training split (for learning curves),
        chosen by a seeded draw of whole training sentences.

    return_sizes : bool, default=False
        Also return the number of features of each fold's model.

    Returns
    -------
    ndarray of shape (n, n_labels)
        Logits (apply a sigmoid for probabilities).
    """
    from joblib import Parallel, delayed

    rng = np.random.RandomState(seed)
    jobs = []
    for k in np.unique(folds):
        train_idx = np.flatnonzero(folds != k)
        if train_fraction < 1.0:
            keep = rng.permutation(train_idx.size)[: max(1, int(round(train_fraction * train_idx.size)))]
            train_idx = np.sort(train_idx[keep])
        jobs.append((train_idx, np.flatnonzero(folds == k)))
    out = np.zeros(Y.shape, dtype=np.float64)
    results = Parallel(n_jobs=n_jobs)(delayed(_fit_predict)(tr, te, sentences, Y, settings) for tr, te in jobs)
    for test_idx, logits, _ in results:
        out[test_idx] = logits
    if return_sizes:
        return out, [size for _, _, size in results]
    return out


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def scores_at(Y, P, thresholds, labels=LABELS):
    """Precision, recall, F1 per label, macro-F1 and the none false-positive rate.

    Parameters
    ----------
    Y : ndarray of shape (n, n_labels), 0/1 truth
    P : ndarray of shape (n, n_labels), probabilities
    thresholds : array-like of shape (n_labels,)

    Returns
    -------
    dict
        ``{"labels": {label: {"precision", "recall", "f1", "support"}},
        "macro_f1", "none_fpr", "n", "n_none"}``

    Examples
    --------
    >>> import numpy as np
    >>> Y = np.array([[1, 0, 0], [0, 0, 0], [0, 1, 0], [0, 0, 1]])
    >>> P = np.array([[.9, .1, .1], [.6, .1, .1], [.2, .8, .1], [.1, .1, .4]])
    >>> r = scores_at(Y, P, [.5, .5, .5])
    >>> r["labels"]["multi_vector"]["precision"], r["none_fpr"], round(r["macro_f1"], 3)
    (0.5, 1.0, 0.556)
    """
    pred = P >= np.asarray(thresholds)
    out = {"labels": {}, "n": int(len(Y))}
    f1s = []
    for j, lab in enumerate(labels):
        tp = int(np.sum(pred[:, j] & (Y[:, j] == 1)))
        fp = int(np.sum(pred[:, j] & (Y[:, j] == 0)))
        fn = int(np.sum(~pred[:, j] & (Y[:, j] == 1)))
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        out["labels"][lab] = {"precision": p, "recall": r, "f1": f, "support": int(Y[:, j].sum())}
        f1s.append(f)
    none = Y.sum(axis=1) == 0
    out["macro_f1"] = float(np.mean(f1s))
    out["n_none"] = int(none.sum())
    out["none_fpr"] = float(pred[none].any(axis=1).mean()) if none.any() else 0.0
    return out


def none_weights(Y, none_share):
    """Sentence weights that make ``none`` sentences count as ``none_share`` of the total.

    Real news carries far more sentences without a frame than a training
    corpus does; weighting them up when thresholds are chosen keeps the
    false-positive rate realistic.

    Examples
    --------
    >>> import numpy as np
    >>> Y = np.array([[1, 0, 0], [0, 0, 0], [0, 1, 0], [0, 0, 0]])
    >>> w = none_weights(Y, 0.75)
    >>> float(w[Y.sum(axis=1) == 0].sum() / w.sum())
    0.75
    """
    none = np.asarray(Y).sum(axis=1) == 0
    w = np.ones(len(none))
    if none.any() and (~none).any() and none_share is not None:
        w[none] = none_share / (1 - none_share) * (~none).sum() / none.sum()
    return w


def best_thresholds(Y, P, grid=None, weights=None):
    """Per-label threshold maximising (weighted) F1 on out-of-fold predictions.

    Parameters
    ----------
    Y : ndarray of shape (n, n_labels)
    P : ndarray of shape (n, n_labels)
    grid : array-like, optional
        Candidate thresholds; 0.05 to 0.95 in steps of 0.01 by default.
    weights : ndarray of shape (n,), optional
        Sentence weights for the true/false positive and negative counts
        (see :func:`none_weights`).

    Ties go to the threshold nearest 0.5, so the choice is stable.
    """
    if grid is None:
        grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    w = np.ones(len(Y)) if weights is None else np.asarray(weights, dtype=np.float64)
    out = []
    for j in range(Y.shape[1]):
        y = Y[:, j] == 1
        best = (-1.0, 0.0, 0.5)
        for t in grid:
            pred = P[:, j] >= t
            tp = w[pred & y].sum()
            denom = w[pred].sum() + w[y].sum()
            f1 = 2 * tp / denom if denom else 0.0
            cand = (round(float(f1), 12), -abs(t - 0.5), float(t))
            if cand[:2] > best[:2]:
                best = cand
        out.append(best[2])
    return np.array(out)


def expected_calibration_error(y, p, n_bins=10):
    """Expected calibration error of probabilities ``p`` for 0/1 truth ``y``.

    Equal-width bins over [0, 1]; the weighted mean of |accuracy - confidence|.

    Examples
    --------
    >>> import numpy as np
    >>> expected_calibration_error(np.array([0, 1]), np.array([0.0, 1.0]))
    0.0
    """
    y = np.asarray(y, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    bins = np.minimum((p * n_bins).astype(np.int64), n_bins - 1)
    ece = 0.0
    for b in range(n_bins):
        m = bins == b
        if m.any():
            ece += m.mean() * abs(y[m].mean() - p[m].mean())
    return float(ece)


def fit_platt(logits, y):
    """Platt scaling: ``(a, b)`` so that ``sigmoid(a * logit + b)`` is calibrated.

    Fitted by an (essentially unregularised) logistic regression on one
    feature; deterministic.
    """
    from sklearn.linear_model import LogisticRegression

    from threadpoolctl import threadpool_limits

    lr = LogisticRegression(C=1e6, solver="lbfgs", max_iter=1000)
    with threadpool_limits(limits=1):
        lr.fit(np.asarray(logits).reshape(-1, 1), np.asarray(y))
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def apply_platt(logits, a, b):
    return sigmoid(a * np.asarray(logits) + b)


# -- the evaluation report --------------------------------------------------------

LEARNING_FRACTIONS = (0.2, 0.4, 0.6, 0.8, 1.0)


def evaluate(corpus_dir, settings=None, *, n_jobs=1, n_splits=5, fractions=LEARNING_FRACTIONS,
             n_errors=40):
    """Grouped cross-validation report for a corpus folder.

    Parameters
    ----------
    corpus_dir : str or os.PathLike
    settings : TrainSettings, optional
        Defaults to the corpus's ``settings.json``, else the defaults.
    n_jobs : int, default=1
    n_splits : int, default=5
    fractions : sequence of float
        Training-set shares for the learning curve (empty: no curve).
    n_errors : int, default=40
        How many of the worst out-of-fold mistakes to list.

    Returns
    -------
    dict
        ``settings``, ``scores`` (per language and overall: per-label
        precision/recall/F1, macro-F1, none false-positive rate), ``ece``,
        ``thresholds``, ``calibration``, ``learning_curve`` and ``errors``.
    """
    from .training import THRESHOLD_NONE_SHARE, _corpus_arrays, cross_validate, load_settings

    if settings is None:
        settings = load_settings(corpus_dir)
    docs, sentences, Y, langs = _corpus_arrays(corpus_dir)
    cv = cross_validate(docs, sentences, Y, langs, settings, n_splits=n_splits, n_jobs=n_jobs)
    P = cv["probabilities"]
    curve = []
    for frac in fractions:
        if frac >= 1.0:
            logits = cv["logits"]
        else:
            logits = oof_probabilities(sentences, Y, cv["folds"], settings, n_jobs=n_jobs,
                                       train_fraction=frac)
        Pf = sigmoid(logits)
        th = best_thresholds(Y, Pf, weights=none_weights(Y, THRESHOLD_NONE_SHARE))
        point = {"fraction": frac, "sentences": int(round(frac * len(sentences) * (n_splits - 1) / n_splits))}
        for lang in sorted(set(langs.tolist())):
            m = langs == lang
            point[lang] = scores_at(Y[m], Pf[m], th)["macro_f1"]
        curve.append(point)
    # worst mistakes: the largest gap between truth and probability
    doc_of = [d.doc_id for d in docs for _ in d.sentences]
    gaps = np.abs(Y - P)
    wrong = (P >= cv["thresholds"]) != (Y == 1)
    errors = []
    for i in np.argsort(-(gaps * wrong).max(axis=1), kind="stable")[:n_errors]:
        if not wrong[i].any():
            break
        errors.append({
            "doc_id": doc_of[i], "lang": str(langs[i]), "text": sentences[i],
            "truth": [lab for j, lab in enumerate(LABELS) if Y[i, j]],
            "predicted": [lab for j, lab in enumerate(LABELS) if P[i, j] >= cv["thresholds"][j]],
            "scores": {lab: round(float(P[i, j]), 3) for j, lab in enumerate(LABELS)},
        })
    return {"settings": settings.to_dict(), "scores": cv["scores"], "ece": cv["ece"],
            "thresholds": [float(t) for t in cv["thresholds"]], "calibration": cv["calibration"],
            "learning_curve": curve, "errors": errors, "n_splits": n_splits,
            "sentences": len(sentences), "documents": len(docs)}


def heldout_scores(model, corpus_dir):
    """Scores of a trained ``model`` on a held-out corpus folder, at its thresholds.

    The held-out folder has the corpus format but was never trained on.

    Returns
    -------
    dict
        Per language and ``"all"``: the :func:`scores_at` result.
    """
    from .corpus import read_corpus
    from .training import label_matrix

    docs = read_corpus(corpus_dir, labels=model.labels)
    sentences = [s for d in docs for s in d.sentences]
    Y = label_matrix([lab for d in docs for lab in d.labels], model.labels)
    langs = np.array([d.lang for d in docs for _ in d.sentences])
    P = model.scorer.predict_proba(sentences)
    out = {"all": scores_at(Y, P, model.thresholds_, model.labels)}
    for lang in sorted(set(langs.tolist())):
        m = langs == lang
        out[lang] = scores_at(Y[m], P[m], model.thresholds_, model.labels)
    return out


def plot_learning_curve(report, path):
    """Save the learning curve (macro-F1 against training-set size) as a PNG."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("the learning-curve plot needs matplotlib: pip install 'discourse[plot]'") from None
    curve = report["learning_curve"]
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    langs = [k for k in curve[0] if k not in ("fraction", "sentences")]
    for lang in langs:
        ax.plot([p["sentences"] for p in curve], [p[lang] for p in curve], marker="o", label=lang)
    ax.axhline(0.85, color="grey", linestyle="--", linewidth=1, label="target 0.85")
    ax.set_xlabel("training sentences (all languages, per fold)")
    ax.set_ylabel("out-of-fold macro-F1")
    ax.set_title("Learning curve, grouped 5-fold cross-validation")
    ax.set_ylim(0.4, 1.0)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def format_report(report):
    """Plain-text tables of an :func:`evaluate` report."""
    lines = [f"grouped {report['n_splits']}-fold cross-validation on {report['sentences']} sentences "
             f"({report['documents']} documents); thresholds "
             + ", ".join(f"{lab} {t:.2f}" for lab, t in zip(LABELS, report["thresholds"]))]
    lines.append(f"{'lang':<5}{'label':<15}{'precision':>10}{'recall':>8}{'F1':>8}{'support':>9}")
    for key in [k for k in report["scores"] if k != "all"] + ["all"]:
        sc = report["scores"][key]
        for lab, v in sc["labels"].items():
            lines.append(f"{key:<5}{lab:<15}{v['precision']:>10.3f}{v['recall']:>8.3f}{v['f1']:>8.3f}{v['support']:>9}")
        lines.append(f"{key:<5}{'macro-F1':<15}{'':>10}{'':>8}{sc['macro_f1']:>8.3f}"
                     f"   none wrongly tagged: {sc['none_fpr']:.1%} of {sc['n_none']}")
    lines.append("expected calibration error (out of fold): " + ", ".join(
        f"{lab} {r:.3f}" + (f" -> {c:.3f} after Platt scaling" if cal else "")
        for lab, r, c, cal in zip(LABELS, report["ece"]["raw"], report["ece"]["calibrated"], report["calibration"])))
    if report["learning_curve"]:
        lines.append("learning curve (macro-F1 by training sentences): " + "; ".join(
            f"{p['sentences']}: " + " ".join(f"{k} {v:.3f}" for k, v in p.items() if k not in ("fraction", "sentences"))
            for p in report["learning_curve"]))
    return "\n".join(lines)


def write_model_card(report, path, *, curve_png=None, model=None, heldout=None):
    """Write ``MODEL_CARD.md`` from an :func:`evaluate` report (and held-out scores)."""
    sc = report["scores"]
    langs = [k for k in sc if k != "all"]
    out = ["# Model card: the built-in `discourse` model", "",
           "Generated by `discourse evaluate training/corpus --card training/MODEL_CARD.md`; "
           "do not edit by hand.", "",
           "## Model", "",
           "TF-IDF word n-grams and char_wb n-grams (each block L2-normalised), one logistic "
           "regression per label (one-vs-rest), per-label thresholds chosen on out-of-fold "
           "predictions, Platt calibration folded into the weights where a label's out-of-fold "
           "expected calibration error exceeds 0.05.", "",
           "Settings: `" + json_dumps(report["settings"]) + "`", ""]
    if model is not None:
        out += [f"Features: {model.coef_.shape[1]} ({len(model.word_terms_)} word, "
                f"{len(model.char_terms_)} char). Thresholds: "
                + ", ".join(f"`{lab}` {t:.2f}" for lab, t in zip(model.labels, model.thresholds_)) + ".", ""]
    out += ["## Data", "",
            f"{report['sentences']} original sentences in {report['documents']} documents "
            "(`training/corpus`, written by the project; see `training/CODEBOOK.md`).", "",
            f"## Out-of-fold results (grouped by document, {report['n_splits']} folds)", "",
            "| language | label | precision | recall | F1 | support |", "|---|---|---:|---:|---:|---:|"]
    for key in langs + ["all"]:
        for lab, v in sc[key]["labels"].items():
            out.append(f"| {key} | `{lab}` | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |")
    out += ["", "| language | macro-F1 | `none` sentences given any label |", "|---|---:|---:|"]
    for key in langs + ["all"]:
        out.append(f"| {key} | {sc[key]['macro_f1']:.3f} | {sc[key]['none_fpr']:.1%} of {sc[key]['n_none']} |")
    if heldout:
        out += ["", "## Held-out set (never trained on)", "",
                "`training/heldout`: documents written separately, in published-text registers and on "
                "other stories, never used for training or for choosing settings; scored by the "
                "shipped model at its thresholds.", "",
                "| language | multi_vector F1 | sovereignty F1 | no_conditions F1 | macro-F1 | "
                "`none` wrongly tagged | sentences |", "|---|---:|---:|---:|---:|---:|---:|"]
        for key in [k for k in heldout if k != "all"] + ["all"]:
            h = heldout[key]
            f1 = " | ".join(f"{h['labels'][lab]['f1']:.3f}" for lab in LABELS)
            out.append(f"| {key} | {f1} | {h['macro_f1']:.3f} | {h['none_fpr']:.1%} of {h['n_none']} | {h['n']} |")
    out += ["", "## Calibration (expected calibration error, out of fold)", "",
            "| label | raw | used |", "|---|---:|---:|"]
    for lab, r, c in zip(LABELS, report["ece"]["raw"], report["ece"]["calibrated"]):
        out.append(f"| `{lab}` | {r:.3f} | {c:.3f} |")
    if report["learning_curve"]:
        out += ["", "## Learning curve", ""]
        if curve_png:
            out += [f"![learning curve]({curve_png})", ""]
        out += ["| training sentences | " + " | ".join(langs) + " |", "|---:|" + "---:|" * len(langs)]
        for p in report["learning_curve"]:
            out.append(f"| {p['sentences']} | " + " | ".join(f"{p[k]:.3f}" for k in langs) + " |")
    out += ["", "## Limits", "",
            "These are cross-validation figures on the project's own corpus: documents are held out, "
            "but the writers, registers and topics are shared with the training folds, so figures on "
            "unseen real-world text will be lower. The model is linear over n-grams: it sees cue "
            "words, not argument structure, and struggles with frames carried only by context from "
            "neighbouring sentences, with irony, and with negated or disputed frames phrased unusually.", ""]
    if report["errors"]:
        out += ["## Worst out-of-fold mistakes (steer corpus work)", "",
                "| doc | truth | predicted | sentence |", "|---|---|---|---|"]
        for e in report["errors"]:
            text = e["text"].replace("|", "\\|")
            out.append(f"| {e['doc_id']} | {', '.join(e['truth']) or 'none'} | "
                       f"{', '.join(e['predicted']) or 'none'} | {text} |")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    return path


def json_dumps(x):
    import json

    return json.dumps(x, sort_keys=True)
