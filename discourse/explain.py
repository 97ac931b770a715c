"""Why a sentence carries a frame: per-feature contributions to each label's logit.

The model is linear in its TF-IDF features, so a label's logit splits exactly
into the intercept plus one term per feature present in the sentence::

    logit = intercept + sum(weight[f] * value[f] for f in features of the sentence)

where ``value`` is the L2-normalised TF-IDF value (each block, word and char,
normalised on its own) and ``weight`` the logistic-regression coefficient.
:func:`explain` returns these terms, largest first. The values come from the
same compiled scorer as :func:`discourse.score`, so the pieces add up to the
very logit the classifier used.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

__all__ = ["Explanation", "Feature", "SentenceExplanation", "explain"]

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # the word analyzer's token pattern
_CHUNK = re.compile(r"\S+")  # char_wb works on whitespace-separated words


class Feature(NamedTuple):
    """One feature of a sentence and what it adds to a label's logit.

    Attributes
    ----------
    term : str
        The vocabulary term: a lowercased word or word bigram (``kind="word"``),
        or a ``char_wb`` character n-gram, where a space marks a word boundary
        (``kind="char"``).
    kind : {"word", "char"}
    value : float
        Its L2-normalised TF-IDF value in the sentence.
    weight : float
        The label's coefficient for it.
    contribution : float
        ``weight * value``: what it adds to the logit (negative: pulls it down).
    """

    term: str
    kind: str
    value: float
    weight: float
    contribution: float


@dataclass(frozen=True, repr=False, eq=False)
class Explanation:
    """The logit of one label for one sentence, split into its features.

    Attributes
    ----------
    label : str
    intercept : float
        The label's bias term.
    logit : float
        The decision function, ``intercept + total``.
    probability : float
        ``1 / (1 + exp(-logit))``.
    threshold : float
        Probability at or above which the label is assigned.
    features : tuple of Feature
        The ``top`` features with the largest contributions, largest first.
    all_features : tuple of Feature
        Every feature present in the sentence, largest contribution first.
    """

    label: str
    intercept: float
    logit: float
    probability: float
    threshold: float
    features: tuple
    all_features: tuple

    @property
    def tagged(self):
        """Whether the label is assigned (``probability >= threshold``)."""
        return self.probability >= self.threshold

    @property
    def total(self):
        """Sum of the contributions of all features (``logit - intercept``)."""
        return math.fsum(f.contribution for f in self.all_features)

    def to_dict(self, top=None):
        """A JSON-ready dict; ``top`` limits the features listed (default: ``features``)."""
        feats = self.features if top is None else self.all_features[:top]
        return {
            "label": self.label, "tagged": bool(self.tagged), "probability": self.probability,
            "logit": self.logit, "intercept": self.intercept, "threshold": self.threshold,
            "features": [f._asdict() for f in feats],
        }

    def summary(self, top=5):
        """One line: the label, its probability and its ``top`` strongest positive features."""
        pos = [f for f in self.all_features[:top] if f.contribution > 0]
        terms = ", ".join(f"{f.contribution:+.2f} {_show_term(f)}" for f in pos) or "(no positive features)"
        return f"{self.label} p={self.probability:.2f}: {terms}"

    def __repr__(self):
        mark = ">=" if self.tagged else "<"
        lines = [f"<Explanation {self.label}: p={self.probability:.3f} {mark} {self.threshold:g}, "
                 f"logit {self.logit:+.3f} = intercept {self.intercept:+.3f} "
                 f"+ {len(self.all_features)} features {self.total:+.3f}>"]
        for f in self.features:
            lines.append(f"  {f.contribution:+.3f}  {f.kind:<4}  {_show_term(f)}")
        return "\n".join(lines)

    def _repr_html_(self):
        return _STYLE + '<div class="dx">' + _explanation_html(self) + "</div>"


class SentenceExplanation(Mapping):
    """Explanations of every label for one sentence: a mapping label -> :class:`Explanation`.

    Attributes
    ----------
    text : str
        The sentence.
    labels : tuple of str
        The labels it carries, in model order (those whose explanation is ``tagged``).
    """

    def __init__(self, text, explanations):
        self.text = text
        self._by_label = dict(explanations)
        self.labels = tuple(lab for lab, e in self._by_label.items() if e.tagged)

    def __getitem__(self, label):
        return self._by_label[label]

    def __iter__(self):
        return iter(self._by_label)

    def __len__(self):
        return len(self._by_label)

    def evidence(self, label, *, top=3):
        """Character spans of the sentence that pushed ``label`` up the most.

        Word features (words and word bigrams) map to their occurrences in the
        sentence; character n-grams are pooled into the words they fall in.
        The ``top`` strongest positive units are returned.

        Parameters
        ----------
        label : str
        top : int, default=3

        Returns
        -------
        list of (start, end, contribution, terms)
            Offsets into :attr:`text` (end-exclusive), the pooled contribution
            and the feature terms behind the span, strongest first.
        """
        return _evidence(self.text, self[label], top)

    def __repr__(self):
        short = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        head = f"<SentenceExplanation {short!r} labels={self.labels}>"
        return "\n".join([head] + [repr(e) for e in self.values()])

    def _repr_html_(self):
        parts = [_STYLE, '<div class="dx">', _text_html(self)]
        parts += [_explanation_html(e) for e in self.values()]
        parts.append("</div>")
        return "".join(parts)


def explain(sentence, model=None, *, top=10):
    """Explain the scores of one sentence: which n-grams pushed each label up or down.

    Parameters
    ----------
    sentence : str
        One sentence (any text is scored as one unit, as :func:`discourse.score` does).
    model : Model, optional
        Defaults to the built-in model.
    top : int, default=10
        How many of the largest contributions each label lists in ``features``
        (``all_features`` always holds every one).

    Returns
    -------
    SentenceExplanation
        A mapping label -> :class:`Explanation`, in model label order.

    Raises
    ------
    TypeError
        If ``sentence`` is not a str.

    Examples
    --------
    >>> from discourse.explain import explain
    >>> ex = explain("Kazakhstan refuses to choose between Moscow and Beijing.")
    >>> e = ex["multi_vector"]
    >>> e.tagged, ex.labels
    (True, ('multi_vector',))
    >>> abs(e.intercept + e.total - e.logit) < 1e-9
    True
    >>> c = [f.contribution for f in e.features]
    >>> c == sorted(c, reverse=True)
    True
    >>> e.features[0].kind in ("word", "char")
    True
    """
    from .api import _model, check_text

    check_text(sentence, "sentence")
    if isinstance(top, bool) or not isinstance(top, int) or top < 0:
        raise ValueError(f"top must be a non-negative int, got {top!r}")
    return _explain_batch([sentence], _model(model), top)[0]


def _explain_batch(sentences, model, top=10):
    """:func:`explain` for many sentences with one pass of the scorer (no input checks)."""
    scorer = model.scorer
    n = len(sentences)
    if n == 0:
        return []
    doc, feat, val = scorer.transform(sentences)
    logits = scorer.decision_function(sentences)
    n_word = len(model.word_terms_)
    bounds = np.searchsorted(doc, np.arange(n + 1))
    out = []
    for i, text in enumerate(sentences):
        a, b = bounds[i], bounds[i + 1]
        f_i, v_i = feat[a:b], val[a:b]
        w_i = model.coef_[:, f_i]  # (n_labels, k)
        c_i = w_i * v_i
        terms = [model.word_terms_[j] if j < n_word else model.char_terms_[j - n_word] for j in f_i.tolist()]
        kinds = ["word" if j < n_word else "char" for j in f_i.tolist()]
        per_label = {}
        for k, label in enumerate(model.labels):
            order = np.argsort(-c_i[k], kind="stable")
            feats = tuple(Feature(terms[j], kinds[j], float(v_i[j]), float(w_i[k, j]), float(c_i[k, j]))
                          for j in order.tolist())
            logit = float(logits[i, k])
            per_label[label] = Explanation(
                label=label, intercept=float(model.intercept_[k]), logit=logit,
                probability=float(1.0 / (1.0 + np.exp(-logit))),
                threshold=float(model.thresholds_[k]), features=feats[:top], all_features=feats)
        out.append(SentenceExplanation(text, per_label))
    return out


# -- mapping features back to the sentence ---------------------------------------

def _lower_map(text):
    """The lowercased text and, for each of its characters, the index in ``text``."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered, range(len(text))
    index = []
    for i, ch in enumerate(text):
        index.extend([i] * len(ch.lower()))
    if len(index) != len(lowered):  # context-dependent lowering; fall back to proportions
        index = [min(len(text) - 1, j * len(text) // max(len(lowered), 1)) for j in range(len(lowered))]
    return lowered, index


def _evidence(text, explanation, top):
    if top <= 0 or not text:
        return []
    lowered, index = _lower_map(text)
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(lowered)]
    chunks = [(m.start(), m.end(), " " + m.group() + " ") for m in _CHUNK.finditer(lowered)]
    units = {}  # (start, end) in lowered -> [contribution, terms]

    def add(span, amount, term):
        u = units.setdefault(span, [0.0, []])
        u[0] += amount
        if term not in u[1]:
            u[1].append(term)

    for f in explanation.all_features:
        if f.contribution <= 0:
            break  # sorted: the rest pull the logit down
        if f.kind == "word":
            parts = f.term.split(" ")
            spans = [(tokens[i][0], tokens[i + len(parts) - 1][1])
                     for i in range(len(tokens) - len(parts) + 1)
                     if [t[2] for t in tokens[i:i + len(parts)]] == parts]
            for span in spans:
                add(span, f.contribution / len(spans), f.term)
        else:
            hits = [(a, b, padded.count(f.term)) for a, b, padded in chunks if f.term in padded]
            total = sum(h[2] for h in hits)
            for a, b, count in hits:
                add(_trim(lowered, a, b), f.contribution * count / total, f.term)
    ranked = sorted(units.items(), key=lambda kv: (-kv[1][0], kv[0]))[:top]
    out = []
    for (a, b), (amount, terms) in ranked:
        out.append((index[a], index[b - 1] + 1, amount, tuple(terms)))
    return out


def _trim(text, a, b):
    """Shrink a whitespace-separated chunk to its word characters, if it has any."""
    m = re.search(r"\w(?:.*\w)?", text[a:b], flags=re.S)
    return (a + m.start(), a + m.end()) if m else (a, b)


# -- text and HTML views ----------------------------------------------------------

def _show_term(f):
    return repr(f.term) if f.kind == "word" else repr(f.term.replace(" ", "␣"))


def _esc(x):
    return html.escape(str(x), quote=True)


_STYLE = """<style>
.dx{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;font-size:13px;
color:#1f2328;background:#fff;padding:10px 14px;border-radius:10px;max-width:720px;line-height:1.45}
.dx-text{font-family:Georgia,"DejaVu Serif",serif;font-size:15.5px;line-height:1.7;margin:0 0 6px}
.dx-ev{box-decoration-break:clone;-webkit-box-decoration-break:clone;padding-bottom:1px}
.dx-label{display:flex;align-items:baseline;gap:8px;margin:12px 0 4px;font-weight:650}
.dx-label small{font-weight:400;color:#59636e}
.dx-chip{font-size:10.5px;font-weight:700;padding:0 7px;border-radius:999px;color:#fff;background:var(--ac)}
.dx-chip.off{background:#eef1f4;color:#59636e}
.dx table{border-collapse:collapse;width:100%;margin:0}
.dx td{padding:1px 8px;border-bottom:1px solid #eef0f2;vertical-align:middle;background:none;text-align:left}
.dx td.num{text-align:right;font-variant-numeric:tabular-nums;width:5.5em;color:#59636e}
.dx td.term{font-family:ui-monospace,"DejaVu Sans Mono",monospace;white-space:pre;width:11em}
.dx td.kind{color:#8c959f;font-size:11.5px;width:3.5em}
.dx .b{height:8px;border-radius:4px;background:var(--ac)}
.dx .neg{background:#cf222e}
</style>"""


def _colours(labels):
    from .display import label_colours

    return label_colours(labels)


def _text_html(ex):
    """The sentence, with the words that drove each of its tags underlined."""
    colours = _colours(list(ex))
    spans = [(a, b, lab) for lab in ex.labels for a, b, _, _ in ex.evidence(lab, top=3)]
    cuts = sorted({0, len(ex.text)} | {a for a, _, _ in spans} | {b for _, b, _ in spans})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        labs = [lab for lab in ex if any(x <= a and b <= y and l == lab for x, y, l in spans)]
        piece = _esc(ex.text[a:b])
        if labs:
            shadow = ",".join(f"inset 0 -{2 * (k + 1)}px 0 {colours[lab][0]}" for k, lab in enumerate(labs))
            piece = f'<span class="dx-ev" style="box-shadow:{shadow}">{piece}</span>'
        out.append(piece)
    return '<p class="dx-text">' + "".join(out) + "</p>"


def _explanation_html(e):
    accent = _colours([e.label])[e.label][0]
    mark = "&ge;" if e.tagged else "&lt;"
    chip = (f'<span class="dx-chip" style="--ac:{accent}">tagged</span>' if e.tagged
            else '<span class="dx-chip off">not tagged</span>')
    head = (f'<div class="dx-label">{_esc(e.label)} {chip}<small>p = {e.probability:.3f} {mark} '
            f"{e.threshold:g} &middot; logit {e.logit:+.3f} = intercept {e.intercept:+.3f} "
            f"+ {len(e.all_features)} features {e.total:+.3f}</small></div>")
    scale = max((abs(f.contribution) for f in e.features), default=0.0) or 1.0
    rows = []
    for f in e.features:
        width = 100.0 * abs(f.contribution) / scale
        neg = " neg" if f.contribution < 0 else ""
        term = f.term if f.kind == "word" else f.term.replace(" ", "\u2423")
        rows.append(f'<tr><td class="num">{f.contribution:+.3f}</td><td class="term">{_esc(term)}</td>'
                    f'<td class="kind">{_esc(f.kind)}</td><td><div class="b{neg}" '
                    f'style="--ac:{accent};width:{width:.1f}%"></div></td></tr>')
    return head + "<table>" + "".join(rows) + "</table>"
