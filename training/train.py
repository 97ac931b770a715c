"""Retrain the built-in model from the committed corpus.

Run from the repository root::

    python -m training.train             # writes discourse/data/default_model.npz
    python -m training.train --n-jobs 2
    python -m training.train --search    # search the settings again first

It runs ``discourse train training/corpus --out discourse/data/default_model.npz``
with the settings recorded in ``training/corpus/settings.json``. Training is
deterministic: with the same corpus, settings and library versions the file is
byte-identical to the committed one.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "training" / "corpus"
DEFAULT_MODEL = ROOT / "discourse" / "data" / "default_model.npz"

__all__ = ["DEFAULT_CORPUS", "DEFAULT_MODEL", "main"]


def main(argv=None):
    """Run ``discourse train`` on the committed corpus; returns the exit code."""
    from discourse.cli import main as cli_main

    argv = list(sys.argv[1:] if argv is None else argv)
    if "-h" in argv or "--help" in argv:
        return cli_main(["train", "--help"])
    if "--out" not in argv:
        argv += ["--out", str(DEFAULT_MODEL)]
    return cli_main(["train", str(DEFAULT_CORPUS), *argv])


if __name__ == "__main__":
    sys.exit(main())
