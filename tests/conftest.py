"""Shared fixtures and constants for the test suite."""

from __future__ import annotations

import os
import pathlib

import pytest

import discourse
from discourse.corpus import read_corpus
from discourse.samples import load_samples

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "training" / "corpus"
FIXTURES = ROOT / "fixtures" / "articles"

def write_corpus(folder, corpus):
    """Write a corpus folder from ``{"en.jsonl": [doc, ...], ...}``."""
    import json

    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, docs in corpus.items():
        with open(folder / name, "w", encoding="utf-8") as f:
            for d in docs:
                f.write(json.dumps(d, ensure_ascii=False) + "\n")
    return folder


def write_subset_corpus(folder, docs_per_language=24):
    """A small corpus folder: the first documents of each committed corpus file."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for src in sorted(CORPUS.glob("*.jsonl")):
        lines = src.read_text(encoding="utf-8").splitlines()[:docs_per_language]
        (folder / src.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def model():
    return discourse.load_model()


@pytest.fixture(scope="session")
def reference(model):
    return model.to_sklearn()


@pytest.fixture(scope="session")
def corpus_docs():
    return read_corpus(CORPUS)


@pytest.fixture(scope="session")
def corpus_sentences(corpus_docs):
    return [s for d in corpus_docs for s in d.sentences]


@pytest.fixture(scope="session")
def samples():
    return load_samples()


@pytest.fixture(scope="session")
def small_corpus_dir(tmp_path_factory):
    return write_subset_corpus(tmp_path_factory.mktemp("small_corpus"))


@pytest.fixture(scope="session")
def small_settings():
    from discourse.features import BlockSettings, FeatureSettings
    from discourse.training import TrainSettings

    return TrainSettings(features=FeatureSettings(word=BlockSettings((1, 2), min_df=1),
                                                  char=BlockSettings((2, 5), min_df=1)))


@pytest.fixture(scope="session")
def small_model(small_corpus_dir, small_settings):
    from discourse.training import train

    return train(small_corpus_dir, settings=small_settings, n_splits=3)


def run_module(module, *args, timeout=600):
    """Run ``python -m module args`` from the repository root; returns the CompletedProcess."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
