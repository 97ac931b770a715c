"""The ``discourse`` command line.

Subcommands: ``classify``, ``demo``, ``train``, ``report``. Errors the user
can fix (a missing file, undecodable bytes, a bad option, a broken model file)
end with exit code 2 and a one-line message on stderr.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys

from . import __version__
from .model import LABELS

__all__ = ["main"]


class CLIError(Exception):
    """An error reported as one line on stderr with exit code 2."""


def _read_input(name):
    if name == "-":
        data = sys.stdin.buffer.read()
        label = "<stdin>"
    else:
        try:
            with open(name, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            raise CLIError(f"{name}: no such file") from None
        except IsADirectoryError:
            raise CLIError(f"{name}: is a directory, expected a text file") from None
        except OSError as exc:
            raise CLIError(f"{name}: cannot read ({exc.strerror})") from None
        label = name
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CLIError(
            f"{label}: not valid UTF-8 at byte offset {exc.start} "
            f"(byte 0x{data[exc.start]:02x}); convert the file to UTF-8, e.g. with iconv"
        ) from None


def _load(path):
    from .model import load_model
    from .modelfile import ModelFileError

    try:
        return load_model(path)
    except ModelFileError as exc:
        raise CLIError(str(exc)) from None


def _rows(name, doc):
    for i, s in enumerate(doc.sentences):
        yield {"file": name, "sentence": i, "start": s.start, "end": s.end, "text": s.text,
               "labels": list(s.labels), "scores": s.scores}


def _short(label):
    return {"multi_vector": "multi", "sovereignty": "sov", "no_conditions": "no_cond"}.get(label, label[:7])


def write_table(out, name, doc, labels, width=100):
    """Human-readable table of one document's sentences."""
    out.write(f"== {name} ({len(doc.sentences)} sentences) ==\n")
    head = "   #  " + "".join(f"{_short(lab):>8}" for lab in labels) + "  labels / text\n"
    out.write(head)
    for i, s in enumerate(doc.sentences):
        scores = "".join(f"{s.scores[lab]:8.2f}" for lab in labels)
        tags = ", ".join(s.labels) if s.labels else "-"
        text = " ".join(s.text.split())
        if len(text) > width:
            text = text[: width - 1] + "…"
        out.write(f"{i:4d}  {scores}  [{tags}] {text}\n")


def cmd_classify(args):
    from .api import classify_many

    model = _load(args.model)
    names = args.files
    fmt = args.format
    explain = args.explain
    if explain and fmt == "csv":
        raise CLIError("--explain works with --format table, jsonl or html, not csv")
    texts = [_read_input(n) for n in names]
    docs = classify_many(texts, model=model)
    shown = ["<stdin>" if n == "-" else n for n in names]
    why = {}  # id(sentence) -> SentenceExplanation, for tagged sentences
    if explain and fmt != "html":
        from .explain import _explain_batch

        tagged = [s for d in docs for s in d.sentences if s.labels]
        why = {id(s): e for s, e in zip(tagged, _explain_batch([s.text for s in tagged], model))}
    out = io.StringIO()
    if fmt == "html":
        from .display import report_html

        title = "discourse: " + (", ".join(shown) if len(shown) <= 3 else f"{len(shown)} files")
        out.write(report_html(docs, shown, model=model, title=title, explain=explain))
    elif fmt == "jsonl":
        for name, doc in zip(names, docs):
            for s, row in zip(doc.sentences, _rows(name, doc)):
                if explain:
                    e = why.get(id(s))
                    row["explain"] = {lab: e[lab].to_dict() for lab in s.labels} if e else {}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["file", "sentence", "start", "end", "text", *model.labels,
                    *(f"p_{lab}" for lab in model.labels)])
        for name, doc in zip(names, docs):
            for row in _rows(name, doc):
                w.writerow([row["file"], row["sentence"], row["start"], row["end"], row["text"],
                            *(lab in row["labels"] for lab in model.labels),
                            *(repr(row["scores"][lab]) for lab in model.labels)])
    else:
        for k, (name, doc) in enumerate(zip(shown, docs)):
            if k:
                out.write("\n")
            write_table(out, name, doc, model.labels)
            tagged = [(i, s) for i, s in enumerate(doc.sentences) if s.labels]
            if explain and tagged:
                out.write("   -- why: top features of each tag (contribution to the logit) --\n")
                for i, s in tagged:
                    for lab in s.labels:
                        out.write(f"{i:4d}  {why[id(s)][lab].summary(top=5)}\n")
    _emit(out.getvalue(), args.output)
    return 0


def _emit(text, output):
    if output in (None, "-"):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    tmp = f"{output}.tmp-{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, output)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise CLIError(f"{output}: cannot write ({exc.strerror})") from None


_COLOURS = {"multi_vector": "\033[1;34m", "sovereignty": "\033[1;31m", "no_conditions": "\033[1;32m"}


def cmd_demo(args):
    from .api import classify
    from .samples import load_samples

    model = _load(args.model)
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    out = io.StringIO()
    agree = total = 0
    out.write(f"discourse {__version__}: tagging {len(load_samples())} sample articles "
              "(commentary on state visits) with the built-in model\n")
    out.write("frames: " + ", ".join(LABELS) + "\n")
    for sample in load_samples():
        doc = classify(sample.text, model=model)
        expected = {(a, b): labs for a, b, labs in sample.expected}
        out.write(f"\n━━ {sample.id} [{sample.lang}, {sample.register}] ━━\n")
        for s in doc.sentences:
            exp = expected.get((s.start, s.end))
            if exp is not None:
                total += 1
                agree += exp == s.labels
            tags = ", ".join(s.labels)
            if colour and s.labels:
                tags = "".join(_COLOURS.get(lab, "") + lab + "\033[0m " for lab in s.labels).strip()
            text = " ".join(s.text.split())
            mark = "" if exp is None or exp == s.labels else f"   (annotators: {', '.join(exp) or 'none'})"
            line = f"  [{tags}] {text}" if s.labels else f"    {text}"
            out.write(line + mark + "\n")
    out.write(f"\n{agree} of {total} sentences tagged exactly as the annotators did.\n")
    sys.stdout.write(out.getvalue())
    return 0


def _corpus_call(func, *args, **kwargs):
    from .corpus import CorpusError

    try:
        return func(*args, **kwargs)
    except CorpusError as exc:
        raise CLIError(str(exc)) from None
    except ValueError as exc:  # e.g. an invalid settings.json
        raise CLIError(str(exc)) from None


def cmd_train(args):
    from .training import search, train, write_settings

    settings = None
    if args.search:
        def log(row):
            print(f"  mean macro-F1 {row['mean_macro_f1']:.3f} (se {row['standard_error']:.3f}, "
                  f"{row['n_features']} features) "
                  + " ".join(f"{k} {v:.3f}" for k, v in row["macro_f1"].items())
                  + f"  {json.dumps(row['settings'], sort_keys=True)}", file=sys.stderr)

        print("searching settings by grouped cross-validation ...", file=sys.stderr)
        settings, results = _corpus_call(search, args.corpus_dir, n_jobs=args.n_jobs, log=log)
        path = write_settings(args.corpus_dir, settings, results)
        print(f"chose {json.dumps(settings.to_dict(), sort_keys=True)}; recorded in {path}", file=sys.stderr)
    model = _corpus_call(train, args.corpus_dir, settings=settings, n_jobs=args.n_jobs)
    model.save(args.out)
    t = model.metadata.get("training", {})
    cv = model.metadata["cross_validation"]["per_language"]
    print(f"trained on {t.get('sentences')} sentences from {t.get('documents')} documents; "
          f"{model.coef_.shape[1]} features; out-of-fold macro-F1 "
          + ", ".join(f"{k} {v['macro_f1']:.3f}" for k, v in cv.items()) + f"; wrote {args.out}")
    return 0


def cmd_evaluate(args):
    from .evaluation import evaluate, format_report, plot_learning_curve, write_model_card

    fractions = () if args.no_curve else (0.2, 0.4, 0.6, 0.8, 1.0)
    report = _corpus_call(evaluate, args.corpus_dir, n_jobs=args.n_jobs, fractions=fractions)
    print(format_report(report))
    curve = None
    if fractions and args.plot:
        try:
            curve = plot_learning_curve(report, args.plot)
        except ImportError as exc:
            raise CLIError(str(exc)) from None
        print(f"learning curve: {args.plot}")
    model = _load(args.model) if (args.card or args.heldout) else None
    heldout = None
    if args.heldout:
        from .evaluation import heldout_scores

        heldout = _corpus_call(heldout_scores, model, args.heldout)
        print(f"held-out set {args.heldout} (the model at its thresholds): " + "; ".join(
            f"{k} macro-F1 {v['macro_f1']:.3f}, none wrongly tagged {v['none_fpr']:.1%}" for k, v in heldout.items()))
    if args.card:
        rel = os.path.relpath(curve, os.path.dirname(os.path.abspath(args.card))) if curve else None
        write_model_card(report, args.card, curve_png=rel, model=model, heldout=heldout)
        print(f"model card: {args.card}")
    if args.errors:
        with open(args.errors, "w", encoding="utf-8") as f:
            for e in report["errors"]:
                f.write(json.dumps(e, ensure_ascii=False) + "\n")
        print(f"worst out-of-fold mistakes: {args.errors}")
    return 0


def cmd_report(args):
    from .report import corpus_report, format_report

    print(format_report(_corpus_call(corpus_report, args.corpus_dir)))
    return 0


def build_parser():
    p = argparse.ArgumentParser(
        prog="discourse",
        description="Tag sentences of geopolitical news and commentary (English, German, Russian) "
                    "with stance frames: " + ", ".join(LABELS) + ".")
    p.add_argument("--version", action="version", version=f"discourse {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    c = sub.add_parser("classify", help="tag the sentences of text files or standard input",
                       description="Split each file into sentences and tag every sentence.")
    c.add_argument("files", nargs="+", metavar="FILE", help="UTF-8 text files; '-' reads standard input")
    c.add_argument("--format", choices=("table", "jsonl", "csv", "html"), default="table",
                   help="output format (default: table); html writes a standalone report page")
    c.add_argument("--explain", action="store_true",
                   help="show the features that drove each tag: top 5 per tagged label in the table, "
                        "an 'explain' object in jsonl, underlined words in html")
    c.add_argument("--model", metavar="MODEL.npz", help="a model file (default: the built-in model)")
    c.add_argument("-o", "--output", metavar="PATH", help="write here (atomically) instead of standard output")
    c.set_defaults(func=cmd_classify)

    d = sub.add_parser("demo", help="tag the built-in sample articles and print them",
                       description="Tag the sample articles shipped with discourse and print them.")
    d.add_argument("--model", metavar="MODEL.npz", help="a model file (default: the built-in model)")
    d.set_defaults(func=cmd_demo)

    t = sub.add_parser("train", help="train a model on a corpus folder",
                       description="Train a model on a corpus folder of *.jsonl files (one per language).")
    t.add_argument("corpus_dir", metavar="CORPUS_DIR")
    t.add_argument("--out", required=True, metavar="MODEL.npz", help="where to write the model")
    t.add_argument("--search", action="store_true",
                   help="first search the settings by grouped cross-validation and record the best "
                        "in CORPUS_DIR/settings.json (later plain runs reuse them)")
    t.add_argument("--n-jobs", type=int, default=1, metavar="N",
                   help="processes for the cross-validation folds (the model does not depend on it)")
    t.set_defaults(func=cmd_train)

    e = sub.add_parser("evaluate", help="grouped cross-validation report for a corpus folder",
                       description="Per language and label precision, recall, F1, macro-F1, the share of "
                                   "none sentences given a label, calibration error and a learning curve, "
                                   "all out of fold (grouped by document).")
    e.add_argument("corpus_dir", metavar="CORPUS_DIR")
    e.add_argument("--n-jobs", type=int, default=1, metavar="N", help="processes for the folds")
    e.add_argument("--plot", metavar="PNG", help="save the learning curve here (needs matplotlib)")
    e.add_argument("--card", metavar="MODEL_CARD.md", help="write a model card here")
    e.add_argument("--model", metavar="MODEL.npz", help="the model the card describes (default: built-in)")
    e.add_argument("--errors", metavar="JSONL", help="write the worst out-of-fold mistakes here")
    e.add_argument("--heldout", metavar="DIR", help="also score the model on a held-out corpus folder")
    e.add_argument("--no-curve", action="store_true", help="skip the learning curve (faster)")
    e.set_defaults(func=cmd_evaluate)

    r = sub.add_parser("report", help="corpus statistics per language",
                       description="Documents, sentences, positives per label, multi-label count, none "
                                   "share, registers and states named, per language.")
    r.add_argument("corpus_dir", metavar="CORPUS_DIR")
    r.set_defaults(func=cmd_report)
    return p


def main(argv=None):
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CLIError as exc:
        print(f"discourse: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
