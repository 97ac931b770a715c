"""The corpus report: exact counts, the states gazetteer, the command line."""

from __future__ import annotations

import json
import re

import pytest

from conftest import CORPUS, run_module, write_corpus
from discourse.corpus import CorpusError
from discourse.report import (
    GAZETTEER_LANGUAGES,
    corpus_report,
    format_report,
    great_powers_named,
    state_regions,
    states_named,
)

# A hand-made corpus whose every count is worked out below.
TINY = {
    "en.jsonl": [
        {"doc_id": "en-1", "register": "wire news", "sentences": [
            {"text": "Kazakhstan keeps equal ties with Russia, China and the United States.",
             "labels": ["multi_vector"]},                                   # Kazakhstan Russia China US
            {"text": "The delegation flew from Beijing to Astana on Monday.", "labels": []},  # hard negative: China
            {"text": "Nobody in Washington or Moscow will dictate our laws.", "labels": ["sovereignty"]},
            {"text": "Kazakhstan's loans from China come without political strings.",
             "labels": ["no_conditions"]}]},                                # Kazakhstan China
        {"doc_id": "en-2", "register": "op-ed", "sentences": [
            {"text": "Uzbekistan refuses to choose between Moscow and Brussels and answers to no one.",
             "labels": ["multi_vector", "sovereignty"]},                    # Uzbekistan; multi-label
            {"text": "It rained all day in Tashkent.", "labels": []},
            {"text": "Chinese and Russian firms signed contracts.", "labels": []}]},  # adjectives only
    ],
    "de.jsonl": [
        {"doc_id": "de-1", "register": "editorial", "sentences": [
            {"text": "Die Türkei will sich nicht zwischen der EU und Russland entscheiden.",
             "labels": ["multi_vector"]},                                   # Turkey Russia
            {"text": "Die Regierung Kasachstans trifft ihre Entscheidungen selbst.",
             "labels": ["sovereignty"]},                                    # Kazakhstan
            {"text": "Das Treffen mit Vertretern der Vereinigten Staaten fand in Brüssel statt.",
             "labels": []},                                                 # US; hard negative: US, EU
            {"text": "Die chinesischen Kredite kamen ohne Auflagen, sagte ein Sprecher in Peking.",
             "labels": ["no_conditions"]}]},
    ],
    "ru.jsonl": [
        {"doc_id": "ru-1", "register": "wire news", "sentences": [
            {"text": "Казахстан развивает отношения с Китаем, Россией и Евросоюзом.",
             "labels": ["multi_vector"]},                                   # Kazakhstan China Russia
            {"text": "Делегация Узбекистана прибыла в Пекин.", "labels": []},  # Uzbekistan; hard: China
            {"text": "Мы никому не позволим диктовать нам внешнюю политику.", "labels": ["sovereignty"]},
            {"text": "Инвестиции из Китая и ОАЭ поступают без политических требований.",
             "labels": ["sovereignty", "no_conditions"]},                   # China UAE; multi-label
            {"text": "Казахстанская делегация посетила выставку.", "labels": []}]},  # adjective only
    ],
}

EXPECTED = {
    "en": {
        "documents": 2, "sentences": 7,
        "positives": {"multi_vector": 2, "sovereignty": 2, "no_conditions": 1},
        "multi_label": 1, "none": 3, "none_share": 3 / 7,
        "registers": {"op-ed": 1, "wire news": 1},
        "states": {"China": 2, "Kazakhstan": 2, "Russia": 1, "United States": 1, "Uzbekistan": 1},
        "hard_negatives": {"sentences": 1, "share": 1 / 3, "by_power": {"China": 1}},
    },
    "de": {
        "documents": 1, "sentences": 4,
        "positives": {"multi_vector": 1, "sovereignty": 1, "no_conditions": 1},
        "multi_label": 0, "none": 1, "none_share": 0.25,
        "registers": {"editorial": 1},
        "states": {"Kazakhstan": 1, "Russia": 1, "Turkey": 1, "United States": 1},
        "hard_negatives": {"sentences": 1, "share": 1.0, "by_power": {"European Union": 1, "United States": 1}},
    },
    "ru": {
        "documents": 1, "sentences": 5,
        "positives": {"multi_vector": 1, "sovereignty": 2, "no_conditions": 1},
        "multi_label": 1, "none": 2, "none_share": 0.4,
        "registers": {"wire news": 1},
        "states": {"China": 2, "Kazakhstan": 1, "Russia": 1, "United Arab Emirates": 1, "Uzbekistan": 1},
        "hard_negatives": {"sentences": 1, "share": 0.5, "by_power": {"China": 1}},
    },
}


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("tiny_corpus"), TINY)


# --------------------------------------------------------------------------
# corpus_report
# --------------------------------------------------------------------------


def test_counts_on_tiny_corpus_are_exact(tiny_dir):
    report = corpus_report(tiny_dir)
    assert list(report) == ["en", "de", "ru"]
    assert report == EXPECTED
    # most first, then by name
    assert list(report["en"]["states"]) == ["China", "Kazakhstan", "Russia", "United States", "Uzbekistan"]


def test_report_is_json_serialisable(tiny_dir):
    assert json.loads(json.dumps(corpus_report(tiny_dir))) == EXPECTED


def test_other_languages_come_last_and_use_all_patterns(tmp_path):
    corpus = dict(TINY)
    corpus["fr.jsonl"] = [{"doc_id": "fr-1", "register": "op-ed", "sentences": [
        {"text": "Le Kazakhstan parle avec Moscou et la Chine.", "labels": ["multi_vector"]},
        {"text": "Астана и Пекин подписали соглашение.", "labels": []}]}]
    report = corpus_report(write_corpus(tmp_path, corpus))
    assert list(report) == ["en", "de", "ru", "fr"]
    assert report["fr"]["states"] == {"Kazakhstan": 1}  # an English pattern; "Chine" is in no list
    assert report["fr"]["hard_negatives"] == {"sentences": 1, "share": 1.0, "by_power": {"China": 1}}  # Пекин


def test_missing_folder_raises_corpus_error(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        corpus_report(tmp_path / "nowhere")


def test_format_report_shows_every_language_and_section(tiny_dir):
    text = format_report(corpus_report(tiny_dir))
    lines = text.splitlines()
    assert lines[0] == "Corpus report"
    assert re.fullmatch(r"\s+en\s+de\s+ru", lines[1])
    rows = {line.split("  ")[0].strip(): line.split() for line in lines if line and not line[0].isspace()}
    assert rows["documents"][-3:] == ["2", "1", "1"]
    assert rows["sentences"][-3:] == ["7", "4", "5"]
    assert rows["none share"][-3:] == ["42.9%", "25.0%", "40.0%"]
    assert rows["hard negatives"][-3:] == ["33.3%", "100.0%", "50.0%"]
    assert rows["states named"][-3:] == ["5", "4", "5"]
    assert rows["Kazakhstan"][-3:] == ["2", "1", "1"]
    for title in ("Registers", "States named", "Hard negatives"):
        assert any(line.startswith(title + "  (") for line in lines), title
    assert not text.endswith("\n")


def test_committed_corpus_report(corpus_docs):
    report = corpus_report(CORPUS)
    assert list(report) == ["en", "de", "ru"]
    for lang, r in report.items():
        docs = [d for d in corpus_docs if d.lang == lang]
        assert r["documents"] == len(docs)
        assert r["sentences"] == sum(len(d.sentences) for d in docs)
        assert r["none"] == sum(not labs for d in docs for labs in d.labels)
        assert sum(r["registers"].values()) == len(docs)
        assert r["hard_negatives"]["sentences"] <= r["none"]


# --------------------------------------------------------------------------
# The gazetteer
# --------------------------------------------------------------------------

REQUIRED = {
    "Central Asia": ["Kazakhstan", "Uzbekistan", "Kyrgyzstan", "Tajikistan", "Turkmenistan"],
    "Caucasus": ["Georgia", "Armenia", "Azerbaijan"],
    "Balkans": ["Serbia", "Montenegro", "Albania", "North Macedonia", "Bosnia and Herzegovina", "Kosovo",
                "Croatia", "Slovenia"],
    "Eastern Europe": ["Russia", "Ukraine", "Belarus", "Moldova", "Poland", "Hungary"],
    "Gulf": ["Saudi Arabia", "United Arab Emirates", "Qatar", "Kuwait", "Bahrain", "Oman"],
    "Middle East": ["Turkey", "Iran", "Iraq", "Syria", "Israel", "Jordan", "Lebanon", "Egypt"],
    "South Asia": ["India", "Pakistan", "Bangladesh", "Sri Lanka", "Nepal", "Afghanistan"],
    "Southeast Asia": ["Vietnam", "Thailand", "Indonesia", "Malaysia", "Philippines", "Cambodia", "Laos",
                       "Myanmar", "Singapore"],
    "East Asia": ["China", "Japan", "South Korea", "North Korea", "Mongolia"],
    "Africa": ["Ethiopia", "Kenya", "Nigeria", "South Africa", "Angola", "Zambia", "Algeria", "Morocco"],
    "Latin America": ["Brazil", "Argentina", "Mexico", "Chile", "Peru", "Venezuela", "Cuba", "Colombia"],
    "North America": ["United States", "Canada"],
}
EU_MEMBERS = ["Austria", "Belgium", "Bulgaria", "Croatia", "Cyprus", "Czech Republic", "Denmark", "Estonia",
              "Finland", "France", "Germany", "Greece", "Hungary", "Ireland", "Italy", "Latvia", "Lithuania",
              "Luxembourg", "Malta", "Netherlands", "Poland", "Portugal", "Romania", "Slovakia", "Slovenia",
              "Spain", "Sweden"]


def test_gazetteer_covers_the_regions_and_great_powers():
    regions = state_regions()
    assert len(regions) >= 80
    for region, states in REQUIRED.items():
        for state in states:
            assert regions.get(state) == region, f"{state} missing or not in region {region}"
    assert set(EU_MEMBERS) <= set(regions)


def test_gazetteer_has_patterns_for_every_language():
    from discourse.report import _gazetteer

    data = _gazetteer()
    for name, entry in data["states"].items():
        for lang in GAZETTEER_LANGUAGES:
            assert entry[lang], f"{name} has no {lang} patterns"
    assert list(data["great_powers"]) == ["China", "Russia", "United States", "European Union", "Japan",
                                          "India", "Turkey", "Gulf states"]


@pytest.mark.parametrize("name", sorted(state_regions()))
def test_every_state_finds_its_own_english_name(name):
    assert states_named(f"Officials from {name} arrived.", "en") == [name]


@pytest.mark.parametrize("lang, text, expected", [
    ("en", "Kazakhstan's president met Türkiye's envoy in the UAE.",
     ["Kazakhstan", "Turkey", "United Arab Emirates"]),
    ("en", "Talks between the U.S. and North Korea stalled; South Sudan and Bosnia and Herzegovina watched.",
     ["United States", "North Korea", "South Sudan", "Bosnia and Herzegovina"]),
    ("en", "America, Russia-China ties and the People's Republic of China.", ["United States", "Russia", "China"]),
    ("en", "Kazakhstani, Chinese and American officials discussed Latin America and Korean food.", []),
    ("de", "Die Regierung Kasachstans und Russlands Außenminister reisten in die Türkei.",
     ["Kazakhstan", "Russia", "Turkey"]),
    ("de", "Die Vereinigten Arabischen Emirate, Saudi-Arabien und Usbekistans Regierung.",
     ["United Arab Emirates", "Saudi Arabia", "Uzbekistan"]),
    ("de", "Die USA, die Volksrepublik China, Nordmazedonien und die US-Regierung.",
     ["United States", "China", "North Macedonia"]),
    ("de", "Kasachische und chinesische Firmen bauen in Lateinamerika.", []),
    ("ru", "Казахстан укрепляет связи с Китаем, Россией и Соединёнными Штатами.",
     ["Kazakhstan", "China", "Russia", "United States"]),
    ("ru", "Делегации Узбекистана и Кыргызстана прибыли в Турцию.", ["Uzbekistan", "Kyrgyzstan", "Turkey"]),
    ("ru", "В Казахстане и Киргизии, в Южной Корее и в Саудовской Аравии.",
     ["Kazakhstan", "Kyrgyzstan", "South Korea", "Saudi Arabia"]),
    ("ru", "Переговоры с Северной Кореей и странами Латинской Америки.", ["North Korea"]),
    ("ru", "Казахстанские и китайские компании, американский бизнес.", []),
])
def test_states_in_three_languages(lang, text, expected):
    assert states_named(text, lang) == expected


@pytest.mark.parametrize("lang, forms, state", [
    ("ru", "Россия|России|Россию|Россией|Российской Федерации", "Russia"),
    ("ru", "Китай|Китая|Китаю|Китаем|Китае|КНР", "China"),
    ("ru", "Казахстан|Казахстана|Казахстану|Казахстаном|Казахстане", "Kazakhstan"),
    ("ru", "Украина|Украины|Украине|Украину|Украиной", "Ukraine"),
    ("ru", "Корея|Кореи|Корее|Корею|Кореей", "South Korea"),
    ("ru", "Египет|Египта|Египту|Египтом|Египте", "Egypt"),
    ("ru", "Беларусь|Беларуси|Белоруссия|Белоруссии", "Belarus"),
    ("ru", "Нидерланды|Нидерландов|Нидерландам|Нидерландах", "Netherlands"),
    ("ru", "Саудовская Аравия|Саудовской Аравии|Саудовскую Аравию", "Saudi Arabia"),
    ("ru", "США|Соединённые Штаты|Соединенных Штатов|Америкой", "United States"),
    ("de", "Kasachstan|Kasachstans", "Kazakhstan"),
    ("de", "Russland|Russlands|Russische Föderation", "Russia"),
    ("de", "Türkei", "Turkey"),
    ("de", "Vereinigte Staaten|Vereinigten Staaten|USA|US-Regierung", "United States"),
    ("de", "Niederlande|Niederlanden", "Netherlands"),
    ("en", "Turkey|Türkiye|Turkey's", "Turkey"),
    ("en", "UK|U.K.|Britain|United Kingdom", "United Kingdom"),
])
def test_inflected_forms(lang, forms, state):
    for form in forms.split("|"):
        assert states_named(f"{form} stated", lang) == [state], form


@pytest.mark.parametrize("lang, text, expected", [
    ("en", "Beijing and Brussels signed a memorandum.", ["China", "European Union"]),
    ("en", "The Kremlin sent a delegation to Abu Dhabi.", ["Russia", "Gulf states"]),
    ("en", "Qatar and Türkiye agreed.", ["Turkey", "Gulf states"]),
    ("en", "Officials from Astana and Tashkent met.", []),
    ("de", "Peking, Moskau und Washington reagierten.", ["China", "Russia", "United States"]),
    ("de", "Die EU-Kommission und Tokio.", ["European Union", "Japan"]),
    ("ru", "Москва, Брюссель и Эр-Рияд.", ["Russia", "European Union", "Gulf states"]),
    ("ru", "Нью-Дели и Анкара, страны Залива.", ["India", "Turkey", "Gulf states"]),
])
def test_great_powers(lang, text, expected):
    assert great_powers_named(text, lang) == expected


def test_lang_none_uses_every_language():
    assert states_named("Kasachstan, Kazakhstan und Казахстаном") == ["Kazakhstan"]
    assert states_named("Peking und Россией") == ["Russia"]


# --------------------------------------------------------------------------
# python -m training.report
# --------------------------------------------------------------------------


def run_report(*args):
    return run_module("training.report", *args, timeout=120)


def test_module_prints_the_committed_corpus_report():
    proc = run_report()
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert any(re.fullmatch(r"\s+en\s+de\s+ru", line) for line in lines), proc.stdout[:2000]
    for row in ("documents", "sentences", "none share", "states named", "hard negatives"):
        assert any(line.startswith(row) for line in lines), row


def test_module_takes_a_folder_and_json(tiny_dir):
    proc = run_report(str(tiny_dir), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == json.loads(json.dumps(EXPECTED))


def test_module_reports_a_bad_folder(tmp_path):
    proc = run_report(str(tmp_path / "nowhere"))
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr and proc.stdout == ""
