"""Measure the feature ideas the built-in model does NOT use, against the one it does.

Run from the repository root::

    python -m training.ablations                  # all variants, training/corpus
    python -m training.ablations --n-jobs 2
    python -m training.ablations CORPUS_DIR --variants baseline,stem_word

Every variant is scored by the same grouped cross-validation as
``discourse evaluate`` (5 folds by document, stratified per language,
per-label thresholds chosen on the out-of-fold predictions with ``none``
weighted to a 75% share) and printed as a table of per-language macro-F1,
the share of ``none`` sentences given a label, and the difference of the mean
macro-F1 from the baseline in units of the baseline's standard error.

Variants (all start from the corpus's recorded settings):

``baseline``
    The shipped feature set: word and char_wb TF-IDF blocks.
``fold``
    Spelling folds before both blocks: Russian ё -> е, German ß -> ss.
``stem_word``
    The word block on nltk Snowball stems (English, German or Russian
    stemmer by the sentence's detected language) instead of word forms.
``stem_extra``
    Snowball-stemmed word uni- and bigrams as a third block.
``cue_lexicon``
    A third block of indicators for codebook cue patterns per label and
    language (regular expressions over the lowercased sentence).
``power_count``
    A third block saying whether the sentence names 0, 1 or 2+ great powers
    (the gazetteer of ``discourse.report``): the one fact about a sentence that
    a bag of n-grams cannot add up.
``nb_scaling``
    Naive-Bayes log-count-ratio scaling of the features per label before the
    logistic regression (NBSVM-style).

A variant is worth adopting only if it beats the baseline by clearly more
than one standard error; the compiled scorer would have to reproduce it too.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "training" / "corpus"

VARIANTS = ("baseline", "fold", "stem_word", "stem_extra", "cue_lexicon", "power_count", "nb_scaling")

__all__ = ["CUE_PATTERNS", "DEFAULT_CORPUS", "VARIANTS", "cross_validate_variant", "main", "oof_logits"]

# Cue patterns per label, written from training/CODEBOOK.md's cue lists
# (not from any test text). One indicator feature per (label, language) pattern.
CUE_PATTERNS = {
    "multi_vector": [
        r"multi-?vector|balanc\w* (?:between|among)|both sides|(?:choose|pick|choosing|picking) (?:between|sides|a side|a camp)"
        r"|non-align\w*|equidistan\w*|hedg\w*|bridge between|diversif\w* (?:its|their|our) (?:partners|ties)"
        r"|friends? (?:with|to) (?:all|everyone)|neutral\w*",
        r"mehrvektor\w*|zwischen \w+ und \w+|keine seite|auf beiden seiten|blockfrei\w*|äquidistan\w*"
        r"|brücke zwischen|balanc\w*|gleichgewicht|neutral\w*|sich nicht entscheiden",
        r"многовектор\w*|между \w+ и \w+|баланс\w*|равноудал\w*|неприсоедин\w*|мост между|не выбира\w*"
        r"|ни с кем не|со всеми|нейтрал\w*|лавир\w*",
    ],
    "sovereignty": [
        r"sovereign(?!\s+(?:wealth|debt|bond|fund|rating))\w*|independen\w*|self-determination|territorial integrity"
        r"|internal affairs|dictat\w*|(?:our|its|their) own (?:choice|decision|path|way)|equal (?:partner|footing)"
        r"|pressure|interfer\w*",
        r"souverän\w*|unabhängig\w*|selbstbestimm\w*|territoriale integrität|innere angelegenheit\w*"
        r"|diktier\w*|selbst (?:entscheid|bestimm)\w*|auf augenhöhe|druck|einmisch\w*",
        r"суверен\w*|независим\w*|самоопредел\w*|территориальн\w* целостност\w*|внутренн\w* дел\w*"
        r"|диктова\w*|диктат\w*|сам\w* (?:решает|решать|определя\w*)|на равных|давлени\w*|вмешательств\w*",
    ],
    "no_conditions": [
        r"no (?:political )?strings|without (?:political )?(?:strings|conditions)|no (?:political )?conditions"
        r"|conditionality|non-interference|no lectures?|attach\w* conditions|governance (?:benchmarks|reforms)",
        r"ohne (?:politische )?(?:bedingungen|auflagen)|keine (?:politischen )?(?:bedingungen|auflagen)"
        r"|nichteinmischung|konditionalität|belehrung\w*|an bedingungen geknüpft|reformauflagen",
        r"без (?:каких-либо )?(?:политических )?(?:условий|требований)|политических условий|невмешательств\w*"
        r"|нравоучени\w*|обусловлен\w*|поучени\w*|требований реформ",
    ],
}


def _cue_matrix(sentences):
    import scipy.sparse as sp

    pats = [re.compile(p) for label in CUE_PATTERNS.values() for p in label]
    rows = [[1.0 if p.search(s.lower()) else 0.0 for p in pats] for s in sentences]
    return sp.csr_matrix(np.array(rows, dtype=np.float64).reshape(len(sentences), len(pats)))


def _power_matrix(sentences):
    import scipy.sparse as sp

    from discourse.report import great_powers_named

    n = np.array([len(great_powers_named(s)) for s in sentences])
    return sp.csr_matrix(np.column_stack([n == 0, n == 1, n >= 2]).astype(np.float64))


def _stemmer():
    from nltk.stem.snowball import SnowballStemmer

    from discourse.features import TOKEN_PATTERN
    from discourse.segmentation import detect_language

    stemmers = {"en": SnowballStemmer("english"), "de": SnowballStemmer("german"),
                "ru": SnowballStemmer("russian")}
    token = re.compile(TOKEN_PATTERN)
    cache = {}

    def analyse(sentence):
        lang = detect_language(sentence)
        stem = stemmers.get(lang, stemmers["en"]).stem
        words = []
        for w in token.findall(sentence.lower()):
            key = (lang, w)
            if key not in cache:
                cache[key] = stem(w)
            words.append(cache[key])
        return words + [f"{a} {b}" for a, b in zip(words, words[1:])]

    return analyse


def _features(variant, settings):
    """The unfitted FeatureUnion of a variant, and the extra block function (or None)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    from discourse.features import make_vectorizer

    fs = settings.features
    norm = "fold" if variant == "fold" else fs.normalize
    word = make_vectorizer(fs.word, "word", normalize=norm)
    if variant == "stem_word":
        word = TfidfVectorizer(analyzer=_stemmer(), min_df=fs.word.min_df, sublinear_tf=fs.word.sublinear_tf)
    blocks = [("word", word), ("char", make_vectorizer(fs.char, "char_wb", normalize=norm))]
    if variant == "stem_extra":
        blocks.append(("stem", TfidfVectorizer(analyzer=_stemmer(), min_df=fs.word.min_df,
                                               sublinear_tf=fs.word.sublinear_tf)))
    union = FeatureUnion(blocks)
    extra = {"cue_lexicon": _cue_matrix, "power_count": _power_matrix}.get(variant)
    return union, extra


def _fit_predict(train_idx, test_idx, sentences, Y, settings, variant):
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    union, extra = _features(variant, settings)
    train = [sentences[i] for i in train_idx]
    test = [sentences[i] for i in test_idx]
    with threadpool_limits(limits=1):
        Xtr, Xte = union.fit_transform(train), union.transform(test)
        if extra is not None:
            Xtr = sp.hstack([Xtr, extra(train)]).tocsr()
            Xte = sp.hstack([Xte, extra(test)]).tocsr()
        out = []
        for j in range(Y.shape[1]):
            y = Y[train_idx, j]
            A, B = Xtr, Xte
            if variant == "nb_scaling":
                p = 1.0 + np.asarray(Xtr[y == 1].sum(axis=0)).ravel()
                q = 1.0 + np.asarray(Xtr[y == 0].sum(axis=0)).ravel()
                r = sp.diags(np.log((p / p.sum()) / (q / q.sum())))
                A, B = Xtr @ r, Xte @ r
            clf = LogisticRegression(C=settings.C, class_weight=settings.class_weight, solver="liblinear",
                                     max_iter=1000, random_state=0).fit(A, y)
            out.append(clf.decision_function(B))
    return test_idx, np.column_stack(out)


def oof_logits(corpus_dir, variant, *, n_jobs=1, n_splits=5):
    """Out-of-fold logits of a variant (same folds as ``discourse evaluate``).

    Returns
    -------
    logits : ndarray of shape (n_sentences, n_labels)
    Y : ndarray of shape (n_sentences, n_labels)
    langs : ndarray of str
    folds : ndarray of int
    """
    from joblib import Parallel, delayed

    from discourse.evaluation import grouped_folds
    from discourse.training import _corpus_arrays, load_settings

    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; expected one of {', '.join(VARIANTS)}")
    settings = load_settings(corpus_dir)
    docs, sentences, Y, langs = _corpus_arrays(corpus_dir)
    folds = grouped_folds(docs, n_splits=n_splits)
    jobs = [(np.flatnonzero(folds != k), np.flatnonzero(folds == k)) for k in range(n_splits)]
    logits = np.zeros(Y.shape)
    for test_idx, out in Parallel(n_jobs=n_jobs)(
            delayed(_fit_predict)(tr, te, sentences, Y, settings, variant) for tr, te in jobs):
        logits[test_idx] = out
    return logits, Y, langs, folds


def cross_validate_variant(corpus_dir, variant, *, n_jobs=1, n_splits=5):
    """Grouped cross-validation of one variant; returns a JSON-ready dict."""
    from discourse.evaluation import sigmoid
    from discourse.training import score_out_of_fold

    logits, Y, langs, folds = oof_logits(corpus_dir, variant, n_jobs=n_jobs, n_splits=n_splits)
    _, scores, per_fold = score_out_of_fold(Y, sigmoid(logits), langs, folds)
    scores.pop("all")
    return {"variant": variant,
            "macro_f1": {g: round(s["macro_f1"], 6) for g, s in scores.items()},
            "none_fpr": {g: round(s["none_fpr"], 6) for g, s in scores.items()},
            "mean_macro_f1": round(float(np.mean([s["macro_f1"] for s in scores.values()])), 6),
            "standard_error": round(float(np.std(per_fold, ddof=1) / np.sqrt(len(per_fold))), 6)}


def format_table(rows):
    """Markdown table of variant results, with differences from the first row."""
    langs = list(rows[0]["macro_f1"])
    base = rows[0]
    head = ("| variant | " + " | ".join(f"{g} macro-F1" for g in langs) + " | mean | vs baseline (SE) | "
            + " | ".join(f"{g} none tagged" for g in langs) + " |")
    lines = [head, "|---|" + "---:|" * (2 * len(langs) + 2)]
    for r in rows:
        diff = (r["mean_macro_f1"] - base["mean_macro_f1"]) / max(base["standard_error"], 1e-9)
        lines.append(f"| {r['variant']} | " + " | ".join(f"{r['macro_f1'][g]:.3f}" for g in langs)
                     + f" | {r['mean_macro_f1']:.4f} | {diff:+.1f} | "
                     + " | ".join(f"{r['none_fpr'][g]:.1%}" for g in langs) + " |")
    return "\n".join(lines)


def format_document(rows):
    """The table as a short Markdown document (``--out``), for ``training/ABLATIONS.md``."""
    return ("# Feature ablations\n\n"
            "Generated by `python -m training.ablations --out training/ABLATIONS.md`; do not edit by hand.\n\n"
            "Grouped 5-fold cross-validation on `training/corpus` (the folds of `discourse evaluate`), "
            "thresholds chosen on the out-of-fold predictions with `none` weighted to a 75% share. "
            "\"vs baseline\" is the difference in mean macro-F1 in units of the baseline's standard error "
            "over folds. A variant would be adopted only if it were clearly better (well over one "
            "standard error), since the compiled scorer would have to reproduce it as well. "
            "See the module docstring of `training/ablations.py` for what each variant does.\n\n"
            + format_table(rows) + "\n\n"
            "Snowball stemming is the idea closest to paying off. The shipped model does not use it "
            "because the compiled scorer would need a stemmer inside it (Python per distinct token, "
            "against its design of no per-token Python) for a gain of the order of one or two "
            "standard errors; it is the first candidate for a later model.\n")


def main(argv=None):
    """Run the ablations and print the table; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m training.ablations",
                                     description="Grouped cross-validation of feature ideas not in the model.")
    parser.add_argument("corpus_dir", nargs="?", default=str(DEFAULT_CORPUS), metavar="CORPUS_DIR")
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help=f"comma-separated, from {','.join(VARIANTS)} (baseline always runs first)")
    parser.add_argument("--n-jobs", type=int, default=1, metavar="N")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON instead of a table")
    parser.add_argument("--out", metavar="MARKDOWN", help="also write the table with an explanation to this file")
    args = parser.parse_args(argv)
    wanted = [v for v in args.variants.split(",") if v]
    unknown = [v for v in wanted if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s) {', '.join(unknown)}; expected some of {', '.join(VARIANTS)}")
    order = ["baseline"] + [v for v in wanted if v != "baseline"]
    from discourse.corpus import CorpusError

    rows = []
    try:
        for v in order:
            rows.append(cross_validate_variant(args.corpus_dir, v, n_jobs=args.n_jobs))
            print(f"{v}: mean macro-F1 {rows[-1]['mean_macro_f1']:.4f}", file=sys.stderr)
    except CorpusError as exc:
        print(f"training.ablations: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(rows, indent=1) if args.json else format_table(rows))
    if args.out:
        Path(args.out).write_text(format_document(rows), encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
