"""What a labelled corpus folder holds, per language.

:func:`corpus_report` counts documents, sentences, positives per label,
multi-label sentences, the share of ``none`` sentences, registers, the states
the sentences name, and a *hard negatives* indicator: the share of ``none``
sentences that name one of the great powers (China, Russia, the United
States, the EU, Japan, India, Turkey, the Gulf states). The codebook asks for
many such sentences: full of the same names as the positives, carrying no
frame. :func:`format_report` renders the report as a plain-text table.

States are found with the gazetteer ``discourse/data/states.json``: for each
state (a canonical English name) regular expressions per language that match
its name, inflected forms included ("Kasachstans", "Казахстаном"). Patterns
match case-sensitively and as whole words only, so adjectives and demonyms
("Chinese", "chinesisch", "китайский") do not count: a state counts when its
name appears. Capitals count only towards the great powers of the hard
negatives indicator ("Beijing signed 20 agreements" names China there), not
as states named.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import re
from collections import Counter

from .corpus import read_corpus
from .model import LABELS

__all__ = ["GAZETTEER_LANGUAGES", "corpus_report", "format_report", "great_powers_named",
           "state_regions", "states_named"]

GAZETTEER_LANGUAGES = ("en", "de", "ru")
"""Languages the gazetteer has patterns for; other languages use all of them."""


# --------------------------------------------------------------------------
# Gazetteer
# --------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _gazetteer():
    text = importlib.resources.files(__package__).joinpath("data", "states.json").read_text(encoding="utf-8")
    data = json.loads(text)
    for name, entry in {**data["states"], **data["great_powers"]}.items():
        for lang in GAZETTEER_LANGUAGES:
            for pattern in entry.get(lang, ()):
                try:
                    compiled = re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"states.json: bad pattern {pattern!r} for {name} ({lang}): {exc}") from None
                if compiled.groups:
                    raise ValueError(f"states.json: pattern {pattern!r} for {name} ({lang}) has a capturing "
                                     "group; use (?:...)")
                _first_letter(pattern, f"{name} ({lang})")
    return data


_LOOKBEHIND = re.compile(r"\(\?<[!=](?:[^()\\]|\\.)*\)")


def _first_letter(pattern, where=""):
    """The letter every match of ``pattern`` starts with.

    Patterns must begin, after optional lookbehinds such as ``(?<!North )``,
    with a literal letter that is not optional (names are proper nouns:
    "Korea", "ОАЭ"). This lets the matcher try the patterns only where a word
    starts with one of those letters, which makes it several times faster.
    """
    i = 0
    while (m := _LOOKBEHIND.match(pattern, i)) is not None:
        i = m.end()
    first, after = pattern[i : i + 1], pattern[i + 1 : i + 2]
    if not first.isalpha() or after in ("?", "*", "{"):
        raise ValueError(f"states.json: pattern {pattern!r} for {where} must start with a literal letter "
                         "(after optional lookbehinds); split alternatives into separate patterns")
    return first


def _languages(lang):
    return (lang,) if lang in GAZETTEER_LANGUAGES else GAZETTEER_LANGUAGES


def _combined(entries, langs):
    """One regex finding every whole-word match of any entry, overlaps included.

    The pattern is a zero-width lookahead tried at each word start, so a name
    inside a longer one (Macedonia in North Macedonia) is still found; the
    matching entry is the named group ``e<i>`` (``m.lastgroup``). One pass per
    text instead of one search per entry, and the alternatives are only tried
    where a word starts with a letter some pattern starts with: together
    about 25x faster than searching each entry's regex in turn.
    """
    alternatives = []
    for i, entry in enumerate(entries):
        patterns = [p for lang in langs for p in entry.get(lang, ())]
        if patterns:
            alternatives.append(f"(?P<e{i}>{'|'.join(patterns)})")
    if not alternatives:
        return re.compile(r"(?!)")
    letters = sorted({_first_letter(p) for entry in entries for lang in langs for p in entry.get(lang, ())})
    guard = "[" + "".join(re.escape(c) for c in letters) + "]"
    return re.compile(r"(?<!\w)(?=" + guard + r")(?=(?:" + "|".join(alternatives) + r")(?!\w))")


@functools.lru_cache(maxsize=None)
def _state_matcher(lang):
    states = _gazetteer()["states"]
    names = tuple(states)
    return names, _combined([states[n] for n in names], _languages(lang))


@functools.lru_cache(maxsize=None)
def _power_matcher(lang):
    powers = _gazetteer()["great_powers"]
    names = tuple(powers)
    return names, _combined([powers[n] for n in names], _languages(lang))


def _find(matcher, text):
    names, regex = matcher
    found = {}
    for m in regex.finditer(text):
        found.setdefault(names[int(m.lastgroup[1:])], None)
    return list(found)


def states_named(text, lang=None):
    """The states a text names, in order of first mention.

    Parameters
    ----------
    text : str
    lang : {"en", "de", "ru"} or None, optional
        Use that language's patterns; ``None`` (default) or any other value
        uses the patterns of all languages.

    Returns
    -------
    list of str
        Canonical English names from ``discourse/data/states.json``, each once.

    Examples
    --------
    >>> states_named("Astana balances Russia, China and the US.", "en")
    ['Russia', 'China', 'United States']
    >>> states_named("Die Regierung Kasachstans sprach mit der Türkei.", "de")
    ['Kazakhstan', 'Turkey']
    >>> states_named("Казахстан развивает связи с Китаем и Северной Македонией.", "ru")
    ['Kazakhstan', 'China', 'North Macedonia']
    >>> states_named("Chinese and Russian officials met in Beijing.", "en")  # no names, no states
    []
    """
    return _find(_state_matcher(lang), text)


def great_powers_named(text, lang=None, states=None):
    """The great powers a text names, by state name, capital or bloc name.

    Parameters
    ----------
    text : str
    lang : {"en", "de", "ru"} or None, optional
        As in :func:`states_named`.
    states : list of str, optional
        ``states_named(text, lang)`` if already known (saves a pass).

    Returns
    -------
    list of str
        Keys of ``great_powers`` in ``discourse/data/states.json`` ("China",
        "Russia", "United States", "European Union", "Japan", "India",
        "Turkey", "Gulf states"), in that order.

    Examples
    --------
    >>> great_powers_named("The summit in Brussels ended early; Riyadh sent a minister.", "en")
    ['European Union', 'Gulf states']
    >>> great_powers_named("Делегация прибыла в Пекин.", "ru")
    ['China']
    >>> great_powers_named("Kasachstan und Usbekistan unterzeichneten zwei Abkommen.", "de")
    []
    """
    powers = _gazetteer()["great_powers"]
    if states is None:
        states = states_named(text, lang)
    hit = set(_find(_power_matcher(lang), text))
    named = set(states)
    return [p for p, entry in powers.items() if p in hit or named.intersection(entry.get("states", ()))]


def state_regions():
    """Map every state of the gazetteer to its region.

    Examples
    --------
    >>> regions = state_regions()
    >>> regions["Kazakhstan"], regions["Serbia"], regions["Qatar"]
    ('Central Asia', 'Balkans', 'Gulf')
    """
    return {name: entry["region"] for name, entry in _gazetteer()["states"].items()}


# --------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------


def _lang_order(langs):
    known = [lang for lang in GAZETTEER_LANGUAGES if lang in langs]
    return known + sorted(set(langs) - set(known))


def _most_first(counter):
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def corpus_report(corpus_dir, labels=LABELS):
    """Count what a corpus folder holds, per language.

    Parameters
    ----------
    corpus_dir : str or os.PathLike
        A corpus folder: one ``*.jsonl`` per language (see
        :func:`discourse.corpus.read_corpus`, which also validates it).
    labels : sequence of str, default=LABELS

    Returns
    -------
    dict
        Language code (``en``, ``de``, ``ru`` first, then others by name) to
        a dict with these keys:

        - ``documents``, ``sentences`` : int
        - ``positives`` : dict, label -> number of sentences carrying it
        - ``multi_label`` : int, sentences with two or more labels
        - ``none`` : int, sentences with no label; ``none_share`` : float,
          ``none / sentences`` (0.0 for no sentences)
        - ``registers`` : dict, register -> number of documents, most first
        - ``states`` : dict, state -> number of sentences naming it, most
          first (see :func:`states_named`)
        - ``hard_negatives`` : dict with ``sentences`` (``none`` sentences
          naming a great power), ``share`` (of all ``none`` sentences) and
          ``by_power`` (great power -> ``none`` sentences naming it, most first)

    Raises
    ------
    discourse.corpus.CorpusError
        If the folder is missing, empty or holds a malformed document.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> doc = {"doc_id": "en-1", "register": "op-ed", "sentences": [
    ...     {"text": "Kazakhstan balances Russia and China.", "labels": ["multi_vector"]},
    ...     {"text": "Nobody dictates to us or to Kazakhstan.", "labels": ["sovereignty", "multi_vector"]},
    ...     {"text": "The summit in Beijing ended on Friday.", "labels": []},
    ...     {"text": "It rained all day.", "labels": []}]}
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = pathlib.Path(tmp, "en.jsonl").write_text(json.dumps(doc) + "\\n", encoding="utf-8")
    ...     report = corpus_report(tmp)
    >>> en = report["en"]
    >>> en["documents"], en["sentences"], en["multi_label"], en["none"], en["none_share"]
    (1, 4, 1, 2, 0.5)
    >>> en["positives"]
    {'multi_vector': 2, 'sovereignty': 1, 'no_conditions': 0}
    >>> en["registers"], en["states"]
    ({'op-ed': 1}, {'Kazakhstan': 2, 'China': 1, 'Russia': 1})
    >>> en["hard_negatives"]
    {'sentences': 1, 'share': 0.5, 'by_power': {'China': 1}}
    """
    docs = read_corpus(corpus_dir, labels=labels)
    by_lang = {}
    for d in docs:
        by_lang.setdefault(d.lang, []).append(d)
    report = {}
    for lang in _lang_order(by_lang):
        positives = Counter({lab: 0 for lab in labels})
        registers, states, powers = Counter(), Counter(), Counter()
        n_sent = multi = none = hard = 0
        for d in by_lang[lang]:
            registers[d.register] += 1
            for text, labs in zip(d.sentences, d.labels):
                n_sent += 1
                positives.update(labs)
                multi += len(labs) > 1
                named = states_named(text, lang)
                states.update(named)
                if not labs:
                    none += 1
                    gp = great_powers_named(text, lang, states=named)
                    powers.update(gp)
                    hard += bool(gp)
        report[lang] = {
            "documents": len(by_lang[lang]),
            "sentences": n_sent,
            "positives": {lab: positives[lab] for lab in labels},
            "multi_label": multi,
            "none": none,
            "none_share": none / n_sent if n_sent else 0.0,
            "registers": _most_first(registers),
            "states": _most_first(states),
            "hard_negatives": {"sentences": hard, "share": hard / none if none else 0.0,
                               "by_power": _most_first(powers)},
        }
    return report


# --------------------------------------------------------------------------
# Plain-text rendering
# --------------------------------------------------------------------------


def _pct(x):
    return f"{100 * x:.1f}%"


def _render(sections, langs):
    """``sections``: list of (title, note, rows), rows a list of (name, [cell per language]).

    All tables share one column layout, so the languages line up down the page.
    """
    names = [name for _, _, rows in sections for name, _ in rows]
    cells = [str(c) for _, _, rows in sections for _, values in rows for c in values]
    width = max([len(n) for n in names] + [12])
    col = max([len(c) for c in cells] + [len(lang) for lang in langs] + [6])
    lines = []
    for title, note, rows in sections:
        if lines:
            lines.append("")
        lines.append(title + (f"  ({note})" if note else ""))
        lines.append(" " * width + "".join(f"  {lang:>{col}}" for lang in langs))
        for name, values in rows:
            lines.append(f"{name:<{width}}" + "".join(f"  {str(v):>{col}}" for v in values))
    return "\n".join(line.rstrip() for line in lines)


def format_report(report):
    """Render a :func:`corpus_report` as a plain-text table.

    Parameters
    ----------
    report : dict
        As returned by :func:`corpus_report`.

    Returns
    -------
    str
        Four tables, languages as columns: the overview (sizes, label
        counts, none share, numbers of registers and states, hard
        negatives), documents per register, sentences naming each state, and
        ``none`` sentences naming each great power. No trailing newline.

    Examples
    --------
    >>> report = {"en": {"documents": 1, "sentences": 2,
    ...     "positives": {"multi_vector": 1, "sovereignty": 0, "no_conditions": 0},
    ...     "multi_label": 0, "none": 1, "none_share": 0.5, "registers": {"op-ed": 1},
    ...     "states": {"China": 2, "Russia": 1},
    ...     "hard_negatives": {"sentences": 1, "share": 1.0, "by_power": {"China": 1}}}}
    >>> print(format_report(report))
    Corpus report
                        en
    documents            1
    sentences            2
    multi_vector         1
    sovereignty          0
    no_conditions        0
    multi-label          0
    none                 1
    none share       50.0%
    registers            1
    states named         2
    hard negatives  100.0%
    <BLANKLINE>
    Registers  (documents)
                        en
    op-ed                1
    <BLANKLINE>
    States named  (sentences naming the state)
                        en
    China                2
    Russia               1
    <BLANKLINE>
    Hard negatives  (none sentences naming a great power)
                        en
    China                1
    """
    langs = list(report)
    labels = list(next(iter(report.values()))["positives"]) if report else list(LABELS)

    def row(name, key, fmt=str):
        return name, [fmt(key(report[lang])) for lang in langs]

    overview = [row("documents", lambda r: r["documents"]), row("sentences", lambda r: r["sentences"])]
    overview += [row(lab, lambda r, lab=lab: r["positives"].get(lab, 0)) for lab in labels]
    overview += [
        row("multi-label", lambda r: r["multi_label"]),
        row("none", lambda r: r["none"]),
        row("none share", lambda r: r["none_share"], _pct),
        row("registers", lambda r: len(r["registers"])),
        row("states named", lambda r: len(r["states"])),
        row("hard negatives", lambda r: r["hard_negatives"]["share"], _pct),
    ]
    sections = [("Corpus report", "", overview)]

    def breakdown(title, note, get):
        totals = Counter()
        for lang in langs:
            totals.update(get(report[lang]))
        names = sorted(totals, key=lambda k: (-totals[k], k))
        sections.append((title, note, [(n, [get(report[lang]).get(n, 0) for lang in langs]) for n in names]))

    breakdown("Registers", "documents", lambda r: r["registers"])
    breakdown("States named", "sentences naming the state", lambda r: r["states"])
    breakdown("Hard negatives", "none sentences naming a great power",
              lambda r: r["hard_negatives"]["by_power"])
    return _render(sections, langs)
