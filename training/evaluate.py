"""Evaluate the training corpus and regenerate the committed model card.

Run from the repository root::

    python -m training.evaluate                 # everything below, for training/corpus
    python -m training.evaluate CORPUS_DIR      # another corpus folder (report only)
    python -m training.evaluate --n-jobs 2

With no corpus folder it runs the same thing as::

    discourse evaluate training/corpus --plot training/learning_curve.png \\
        --card training/MODEL_CARD.md --errors training/errors.jsonl \\
        --heldout training/heldout

that is, grouped cross-validation with per-language and per-label precision,
recall, F1, macro-F1, the share of ``none`` sentences given a label and the
calibration error; the learning curve as a PNG; the model card; the worst
out-of-fold mistakes; and the shipped model's scores on the held-out set.
For another folder it prints the report and writes only what you ask for
with the options of ``discourse evaluate``. Exit code 2 and a one-line
message on stderr if the folder is missing or malformed.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRAINING = ROOT / "training"
DEFAULT_CORPUS = TRAINING / "corpus"

__all__ = ["DEFAULT_CORPUS", "default_arguments", "main"]


def default_arguments():
    """The ``discourse evaluate`` arguments that regenerate the committed artefacts."""
    return [str(DEFAULT_CORPUS),
            "--plot", str(TRAINING / "learning_curve.png"),
            "--card", str(TRAINING / "MODEL_CARD.md"),
            "--errors", str(TRAINING / "errors.jsonl"),
            "--heldout", str(TRAINING / "heldout")]


def main(argv=None):
    """Run ``discourse evaluate`` with the repository's defaults; returns the exit code."""
    from discourse.cli import build_parser
    from discourse.cli import main as cli_main

    argv = list(sys.argv[1:] if argv is None else argv)
    if "-h" in argv or "--help" in argv:
        return cli_main(["evaluate", "--help"])
    # Parse with the CLI's own parser (a placeholder folder first) to find out
    # whether a corpus folder was given.
    _, extra = build_parser().parse_known_args(["evaluate", "\0", *argv])
    if extra:  # a corpus folder was given: plain ``discourse evaluate``
        return cli_main(["evaluate", *argv])
    return cli_main(["evaluate", *default_arguments(), *argv])


if __name__ == "__main__":
    sys.exit(main())
