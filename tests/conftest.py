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

# A tiny corpus, written for the tests, small enough to train in a second.
SMALL_CORPUS = {
    "en.jsonl": [
        {"doc_id": "t-en-1", "register": "wire news", "sentences": [
            {"text": "Kazakhstan keeps equal ties with Moscow, Beijing and Washington.", "labels": ["multi_vector"]},
            {"text": "The talks lasted two hours.", "labels": []},
            {"text": "Nobody will dictate our foreign policy, the minister said.", "labels": ["sovereignty"]},
            {"text": "The loans come without political strings attached.", "labels": ["no_conditions"]}]},
        {"doc_id": "t-en-2", "register": "op-ed", "sentences": [
            {"text": "Uzbekistan refuses to pick a side between the great powers.", "labels": ["multi_vector"]},
            {"text": "A new railway bridge opened on Monday.", "labels": []},
            {"text": "We decide our own alliances and answer to no foreign capital.", "labels": ["sovereignty"]},
            {"text": "Beijing asked nothing about courts or elections in return for the credit.", "labels": ["no_conditions"]}]},
    ],
    "de.jsonl": [
        {"doc_id": "t-de-1", "register": "editorial", "sentences": [
            {"text": "Das Land will sich nicht zwischen Washington und Moskau entscheiden.", "labels": ["multi_vector"]},
            {"text": "Die Regierung trifft ihre Entscheidungen selbst.", "labels": ["sovereignty"]},
            {"text": "Das Treffen fand im Präsidentenpalast statt.", "labels": []},
            {"text": "Peking knüpft seine Kredite nicht an Reformauflagen.", "labels": ["no_conditions"]}]},
    ],
    "ru.jsonl": [
        {"doc_id": "t-ru-1", "register": "wire news", "sentences": [
            {"text": "Страна выстраивает равноудалённые отношения с крупными державами.", "labels": ["multi_vector"]},
            {"text": "Мы никому не позволим диктовать нам внешнюю политику.", "labels": ["sovereignty"]},
            {"text": "Инвестиции поступают без каких-либо политических требований.", "labels": ["no_conditions"]},
            {"text": "Переговоры продлились три часа.", "labels": []}]},
    ],
}


def write_corpus(folder, corpus=SMALL_CORPUS):
    import json

    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, docs in corpus.items():
        with open(folder / name, "w", encoding="utf-8") as f:
            for d in docs:
                f.write(json.dumps(d, ensure_ascii=False) + "\n")
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
    return write_corpus(tmp_path_factory.mktemp("small_corpus"))


@pytest.fixture(scope="session")
def small_model(small_corpus_dir):
    from discourse.training import TrainSettings, train
    from discourse.features import BlockSettings, FeatureSettings

    settings = TrainSettings(features=FeatureSettings(word=BlockSettings((1, 2), min_df=1),
                                                      char=BlockSettings((2, 5), min_df=1)))
    return train(small_corpus_dir, settings=settings)
