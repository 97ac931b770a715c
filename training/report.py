"""Print what the training corpus holds, per language.

Run from the repository root::

    python -m training.report                 # the committed corpus, training/corpus
    python -m training.report CORPUS_DIR      # any corpus folder
    python -m training.report --json          # the report as JSON

The counts come from :func:`discourse.report.corpus_report`; see there for
what each line means. Exit code 2 and a one-line message on stderr if the
folder is missing or holds a malformed document.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "training" / "corpus"

__all__ = ["DEFAULT_CORPUS", "main"]


def main(argv=None):
    """Print the report of a corpus folder; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m training.report",
        description="Per-language counts of a corpus folder: documents, sentences, labels, "
                    "none share, registers, states named, hard negatives.")
    parser.add_argument("corpus_dir", nargs="?", default=str(DEFAULT_CORPUS), metavar="CORPUS_DIR",
                        help=f"corpus folder with one *.jsonl per language (default: {DEFAULT_CORPUS})")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)

    from discourse.corpus import CorpusError
    from discourse.report import corpus_report, format_report

    try:
        report = corpus_report(args.corpus_dir)
    except CorpusError as exc:
        print(f"training.report: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(f"{args.corpus_dir}\n")
        print(format_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
