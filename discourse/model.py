"""The trained model: arrays, metadata, the sklearn reference and file I/O."""

from __future__ import annotations

import functools
import importlib.resources
import os

import numpy as np

from .features import FeatureSettings, make_vectorizer
from .modelfile import ModelFileError, decode_terms, encode_terms, read_model_file, write_model_file

__all__ = ["LABELS", "Model", "load_model", "default_model_path"]

LABELS = ("multi_vector", "sovereignty", "no_conditions")


class Model:
    """A trained multi-label TF-IDF + logistic-regression model.

    Build one with :func:`discourse.load_model` or :func:`discourse.train`;
    the constructor only stores what it is given.

    Attributes
    ----------
    labels : tuple of str
    settings : FeatureSettings
    word_terms_, char_terms_ : list of str
        Vocabulary terms in feature-index order.
    word_idf_, char_idf_ : ndarray of shape (n_terms,)
    coef_ : ndarray of shape (n_labels, n_word_terms + n_char_terms)
    intercept_ : ndarray of shape (n_labels,)
    thresholds_ : ndarray of shape (n_labels,)
        Probability at or above which :func:`discourse.classify` assigns a label.
    metadata : dict
        Everything else recorded with the model (provenance, calibration, ...).
    """

    def __init__(self, *, labels, settings, word_terms, char_terms, word_idf, char_idf,
                 coef, intercept, thresholds, metadata=None):
        self.labels = tuple(labels)
        self.settings = settings
        self.word_terms_ = list(word_terms)
        self.char_terms_ = list(char_terms)
        self.word_idf_ = np.asarray(word_idf, dtype=np.float64)
        self.char_idf_ = np.asarray(char_idf, dtype=np.float64)
        self.coef_ = np.asarray(coef, dtype=np.float64)
        self.intercept_ = np.asarray(intercept, dtype=np.float64)
        self.thresholds_ = np.asarray(thresholds, dtype=np.float64)
        self.metadata = dict(metadata or {})
        self._check()

    def _check(self, where="model"):
        n_labels, n_word, n_char = len(self.labels), len(self.word_terms_), len(self.char_terms_)
        problems = []
        if self.word_idf_.shape != (n_word,):
            problems.append(f"word_idf has shape {self.word_idf_.shape}, expected ({n_word},)")
        if self.char_idf_.shape != (n_char,):
            problems.append(f"char_idf has shape {self.char_idf_.shape}, expected ({n_char},)")
        if self.coef_.shape != (n_labels, n_word + n_char):
            problems.append(f"coef has shape {self.coef_.shape}, expected ({n_labels}, {n_word + n_char})")
        if self.intercept_.shape != (n_labels,):
            problems.append(f"intercept has shape {self.intercept_.shape}, expected ({n_labels},)")
        if self.thresholds_.shape != (n_labels,):
            problems.append(f"thresholds have shape {self.thresholds_.shape}, expected ({n_labels},)")
        if len(set(self.labels)) != n_labels or not all(isinstance(x, str) and x for x in self.labels):
            problems.append(f"labels must be distinct non-empty strings, got {list(self.labels)}")
        if len(set(self.word_terms_)) != n_word or len(set(self.char_terms_)) != n_char:
            problems.append("vocabulary terms are not distinct")
        for name in ("word_idf_", "char_idf_", "coef_", "intercept_", "thresholds_"):
            if not np.isfinite(getattr(self, name)).all():
                problems.append(f"{name.rstrip('_')} holds non-finite values")
        if problems:
            raise ModelFileError(f"{where} is inconsistent: " + "; ".join(problems))

    def __repr__(self):
        return (f"<discourse.Model labels={self.labels} features={self.coef_.shape[1]} "
                f"({len(self.word_terms_)} word, {len(self.char_terms_)} char)>")

    # -- scoring ---------------------------------------------------------------
    @functools.cached_property
    def scorer(self):
        """The compiled vectorised scorer for this model (built on first use)."""
        from .scorer import CompiledScorer

        return CompiledScorer.from_model(self)

    @functools.cached_property
    def fingerprint(self):
        """sha256 of everything that decides the model's output (arrays,
        vocabulary, settings, labels, thresholds); worker processes use it to
        compile each distinct model once."""
        import hashlib
        import json

        h = hashlib.sha256()
        h.update(json.dumps([list(self.labels), self.settings.to_dict()], sort_keys=True).encode())
        for terms in (self.word_terms_, self.char_terms_):
            h.update("\n".join(terms).encode("utf-8", "surrogatepass") + b"\0")
        for a in (self.word_idf_, self.char_idf_, self.coef_, self.intercept_, self.thresholds_):
            h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())
        return h.hexdigest()

    def __getstate__(self):
        # Models travel to worker processes as their arrays and fingerprint,
        # never with the compiled scorer (rebuilt once per process on arrival).
        state = self.__dict__.copy()
        state.pop("scorer", None)
        state["fingerprint"] = self.fingerprint
        return state

    # -- the sklearn reference -------------------------------------------------
    def to_sklearn(self):
        """The equivalent fitted scikit-learn ``Pipeline``.

        Its ``predict_proba(sentences)`` returns the same probabilities as
        :func:`discourse.score` (to 1e-9), computed entirely by scikit-learn:
        ``FeatureUnion`` of a word and a ``char_wb`` ``TfidfVectorizer``,
        then ``OneVsRestClassifier(LogisticRegression())``.

        Returns
        -------
        sklearn.pipeline.Pipeline
        """
        import scipy.sparse as sp
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import FeatureUnion, Pipeline

        blocks = []
        for name, analyzer, terms, idf, block in (
            ("word", "word", self.word_terms_, self.word_idf_, self.settings.word),
            ("char", "char_wb", self.char_terms_, self.char_idf_, self.settings.char),
        ):
            vec = make_vectorizer(block, analyzer, vocabulary={t: i for i, t in enumerate(terms)},
                                  normalize=self.settings.normalize)
            vec.fit(["fit with a fixed vocabulary only sets up the transformer"])
            vec.idf_ = idf.copy()
            blocks.append((name, vec))
        features = FeatureUnion(blocks)
        # Fit the classifier on a tiny placeholder problem to create every fitted
        # attribute sklearn expects, then install the trained weights.
        n_labels, n_features = self.coef_.shape
        X = sp.csr_matrix(np.vstack([np.eye(1, n_features), np.zeros((1, n_features))]))
        Y = np.array([[1] * n_labels, [0] * n_labels])
        clf = OneVsRestClassifier(LogisticRegression()).fit(X, Y)
        for est, w, b in zip(clf.estimators_, self.coef_, self.intercept_):
            est.coef_ = w[None, :].copy()
            est.intercept_ = np.array([b])
        return Pipeline([("features", features), ("clf", clf)])

    # -- files -------------------------------------------------------------------
    def save(self, path):
        """Write the model to ``path`` (a ``.npz``); the same model gives the same bytes."""
        word_blob, word_offsets = encode_terms(self.word_terms_)
        char_blob, char_offsets = encode_terms(self.char_terms_)
        arrays = {
            "word_terms": word_blob, "word_offsets": word_offsets,
            "char_terms": char_blob, "char_offsets": char_offsets,
            "word_idf": self.word_idf_, "char_idf": self.char_idf_,
            "coef": self.coef_, "intercept": self.intercept_,
        }
        metadata = dict(self.metadata, labels=list(self.labels), features=self.settings.to_dict(),
                        thresholds=[float(t) for t in self.thresholds_])
        return write_model_file(path, arrays, metadata)

    @classmethod
    def from_file(cls, path):
        """Read a model written by :meth:`save`; see :func:`discourse.load_model`."""
        arrays, metadata = read_model_file(path)
        where = f"model file {os.fspath(path)!r}"
        try:
            labels = metadata.pop("labels")
            settings = FeatureSettings.from_dict(metadata.pop("features"))
            thresholds = metadata.pop("thresholds")
            if not (isinstance(labels, list) and all(isinstance(x, str) for x in labels)):
                raise TypeError("labels must be a list of strings")
            word_terms = decode_terms(arrays["word_terms"], arrays["word_offsets"])
            char_terms = decode_terms(arrays["char_terms"], arrays["char_offsets"])
        except (KeyError, TypeError, ValueError, UnicodeDecodeError, AttributeError) as exc:
            raise ModelFileError(f"{where} has invalid metadata or vocabulary: {exc}") from None
        try:
            model = cls.__new__(cls)
            model.labels = tuple(labels)
            model.settings = settings
            model.word_terms_, model.char_terms_ = word_terms, char_terms
            model.word_idf_, model.char_idf_ = arrays["word_idf"], arrays["char_idf"]
            model.coef_, model.intercept_ = arrays["coef"], arrays["intercept"]
            model.thresholds_ = np.asarray(thresholds, dtype=np.float64)
            model.metadata = metadata
        except (TypeError, ValueError, OverflowError) as exc:
            raise ModelFileError(f"{where} has invalid metadata: {exc}") from None
        model._check(where)
        return model


def default_model_path():
    """Path of the model shipped inside the package."""
    return os.fspath(importlib.resources.files("discourse") / "data" / "default_model.npz")


@functools.lru_cache(maxsize=1)
def _default_model():
    return Model.from_file(default_model_path())


def load_model(path=None):
    """Load a saved model, or the default model shipped with the package.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A ``.npz`` written by ``discourse train`` or :meth:`Model.save`.
        Omit it for the built-in default model (loaded once and cached).

    Returns
    -------
    Model

    Raises
    ------
    ModelFileError
        If the file is missing, damaged, tampered with or not a model. Loading
        never runs code from the file.

    Examples
    --------
    >>> model = load_model()
    >>> model.labels
    ('multi_vector', 'sovereignty', 'no_conditions')
    """
    if path is None:
        return _default_model()
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"load_model() expects a path (str or os.PathLike) or None, got {type(path).__name__}")
    return Model.from_file(path)
