"""Training: corpus folder -> fitted scikit-learn pipeline -> model file.

Used by ``discourse train`` and :func:`train`. Training needs scikit-learn;
scoring a trained model does not.
"""

from __future__ import annotations

import platform
from dataclasses import asdict, dataclass

import numpy as np

from . import __version__
from .corpus import corpus_digest, read_corpus
from .features import FeatureSettings, make_vectorizer
from .model import LABELS, Model

__all__ = ["TrainSettings", "fit_pipeline", "model_from_pipeline", "train"]


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
        ("word", make_vectorizer(settings.features.word, "word")),
        ("char", make_vectorizer(settings.features.char, "char_wb")),
    ])
    clf = OneVsRestClassifier(LogisticRegression(
        C=settings.C, class_weight=settings.class_weight, solver="liblinear",
        max_iter=1000, random_state=0))
    pipe = Pipeline([("features", features), ("clf", clf)])
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


def train(corpus_dir, *, settings=TrainSettings()):
    """Train a model on a corpus folder.

    Parameters
    ----------
    corpus_dir : str or os.PathLike
        A folder of ``*.jsonl`` corpus files (see the README for the format).
    settings : TrainSettings, optional

    Returns
    -------
    Model
        Deterministic: the same corpus and settings give the same arrays, and
        :meth:`Model.save` gives the same bytes.
    """
    docs = read_corpus(corpus_dir)
    sentences = [s for d in docs for s in d.sentences]
    Y = label_matrix([lab for d in docs for lab in d.labels])
    pipe = fit_pipeline(sentences, Y, settings)
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
        "library_versions": library_versions(),
    }
    return model_from_pipeline(pipe, settings, metadata=metadata)
