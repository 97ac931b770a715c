"""Every committed corpus file is well-formed, clean and big enough.

One set of checks per language file ``training/corpus/{en,de,ru}.jsonl``:
schema, labels, sentence hygiene, duplicates and near-duplicates, the
library's own segmenter and language detector agreeing with the file, and
the size quotas the model needs. Failures name the file, line, ``doc_id`` and
sentence, so a broken corpus edit can be found and fixed directly.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter, defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CORPUS
from discourse.model import LABELS
from discourse.report import states_named
from discourse.segmentation import detect_language, split_sentences

LANGS = ("en", "de", "ru")

DOC_KEYS = {"doc_id", "register", "sentences"}
SENTENCE_KEYS = {"text", "labels"}
MIN_SENTENCES_PER_DOC, MAX_SENTENCES_PER_DOC = 3, 8
NEAR_DUPLICATE_JACCARD = 0.6  # word 3-gram shingles
MAX_NEAR_DUPLICATE_SHARE = 0.02
MIN_DETECTED_SHARE = 0.98
MIN_SENTENCES = 1500
MIN_POSITIVES_PER_LABEL = 250
MIN_NONE_SHARE = 0.50
MIN_REGISTERS = 10
MIN_STATES_NAMED = 30

SHOW = 15  # problems listed in a failure message


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def raw_lines(lang):
    """``[(line number, raw line)]`` of one corpus file, without line ends."""
    path = CORPUS / f"{lang}.jsonl"
    with open(path, encoding="utf-8") as f:
        return tuple((n, line.rstrip("\n")) for n, line in enumerate(f, 1))


@functools.lru_cache(maxsize=None)
def raw_docs(lang):
    """``[(where, document dict)]`` of one corpus file; ``where`` is ``file:line doc_id``.

    Lines that are not JSON objects are skipped here (``test_every_line_is_a_json_object``
    reports them), so that the other checks still run.
    """
    out = []
    for n, line in raw_lines(lang):
        try:
            d = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(d, dict):
            out.append((f"{lang}.jsonl:{n} {d.get('doc_id')!r}", d))
    return tuple(out)


def sentences_of(d):
    """The sentence dicts of a document, tolerating a broken schema."""
    sents = d.get("sentences")
    return [s for s in sents if isinstance(s, dict)] if isinstance(sents, list) else []


def raw_sentences(lang):
    """``[(where, index, text, labels)]`` of every well-formed sentence of one file."""
    out = []
    for where, d in raw_docs(lang):
        for k, s in enumerate(sentences_of(d)):
            text, labels = s.get("text"), s.get("labels")
            if isinstance(text, str) and isinstance(labels, list):
                out.append((where, k, text, labels))
    return out


def fail_if(problems, what):
    """Fail with the first ``SHOW`` problems, one per line, and their total."""
    if problems:
        shown = "\n  ".join(problems[:SHOW])
        more = f"\n  ... and {len(problems) - SHOW} more" if len(problems) > SHOW else ""
        pytest.fail(f"{len(problems)} {what}:\n  {shown}{more}", pytrace=False)


def short(text, width=110):
    return text if len(text) <= width else text[: width - 3] + "..."


def first_difference(expected, actual, context=45):
    """Both strings around the first character where they differ."""
    i = next((i for i, (a, b) in enumerate(zip(expected, actual)) if a != b), min(len(expected), len(actual)))
    lo = max(0, i - context)

    def window(text):
        return ("..." if lo else "") + repr(text[lo : i + context]) + ("..." if len(text) > i + context else "")

    return f"expected {window(expected)}, got {window(actual)} (from character {i})"


def shingles(text, n=3):
    """Word n-gram shingles of a sentence, case-folded; a shorter sentence is one shingle."""
    words = re.findall(r"\w+", text.casefold())
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def near_duplicate_pairs(texts, threshold=NEAR_DUPLICATE_JACCARD):
    """All pairs ``(jaccard, i, j)``, ``i < j``, whose shingle Jaccard is at least ``threshold``.

    An inverted index from shingle to sentences gives, for each sentence, the
    number of shingles it shares with every later sentence; only pairs that
    share a shingle are ever looked at, so this is fast on thousands of sentences.
    """
    sets = [shingles(t) for t in texts]
    index = defaultdict(list)
    for i, s in enumerate(sets):
        for g in s:
            index[g].append(i)
    pairs = []
    for i, s in enumerate(sets):
        shared = Counter()
        for g in s:
            for j in index[g]:
                if j > i:
                    shared[j] += 1
        for j, k in shared.items():
            jaccard = k / (len(s) + len(sets[j]) - k)
            if jaccard >= threshold:
                pairs.append((jaccard, i, j))
    return pairs


def normalised(text):
    return " ".join(text.split()).casefold()


lang_param = pytest.mark.parametrize("lang", LANGS)


# --------------------------------------------------------------------------
# Files and schema
# --------------------------------------------------------------------------


@lang_param
def test_every_line_is_a_json_object(lang):
    assert (CORPUS / f"{lang}.jsonl").is_file(), f"missing corpus file {CORPUS / f'{lang}.jsonl'}"
    problems = []
    for n, line in raw_lines(lang):
        if not line.strip():
            problems.append(f"{lang}.jsonl:{n}: blank line")
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{lang}.jsonl:{n}: not valid JSON ({exc})")
            continue
        if not isinstance(d, dict):
            problems.append(f"{lang}.jsonl:{n}: expected a JSON object, got {type(d).__name__}")
    fail_if(problems, f"malformed lines in {lang}.jsonl")
    assert raw_docs(lang), f"{lang}.jsonl holds no documents"


@lang_param
def test_schema(lang):
    problems = []
    for where, d in raw_docs(lang):
        if set(d) != DOC_KEYS:
            problems.append(f"{where}: document keys {sorted(d)}, expected exactly {sorted(DOC_KEYS)}")
        if not isinstance(d.get("doc_id"), str) or not d.get("doc_id", "").strip():
            problems.append(f"{where}: doc_id must be a non-empty string")
        if not isinstance(d.get("register"), str) or not d.get("register", "").strip():
            problems.append(f"{where}: register must be a non-empty string, got {d.get('register')!r}")
        sents = d.get("sentences")
        if not isinstance(sents, list):
            problems.append(f"{where}: sentences must be a list, got {type(sents).__name__}")
            continue
        for k, s in enumerate(sents):
            if not isinstance(s, dict):
                problems.append(f"{where} sentence {k}: expected an object, got {type(s).__name__}")
                continue
            if set(s) != SENTENCE_KEYS:
                problems.append(f"{where} sentence {k}: keys {sorted(s)}, expected exactly {sorted(SENTENCE_KEYS)}")
            if not isinstance(s.get("text"), str):
                problems.append(f"{where} sentence {k}: text must be a string, got {type(s.get('text')).__name__}")
            labels = s.get("labels")
            if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
                problems.append(f"{where} sentence {k}: labels must be a list of strings, got {labels!r}")
    fail_if(problems, f"schema problems in {lang}.jsonl")


@lang_param
def test_labels_known_canonical_and_unique(lang):
    problems = []
    for where, k, text, labels in raw_sentences(lang):
        unknown = [x for x in labels if x not in LABELS]
        if unknown:
            problems.append(f"{where} sentence {k}: unknown labels {unknown} (known: {list(LABELS)}): {short(text)!r}")
        elif len(set(labels)) != len(labels):
            problems.append(f"{where} sentence {k}: repeated label in {labels}: {short(text)!r}")
        elif labels != [x for x in LABELS if x in labels]:
            canonical = [x for x in LABELS if x in labels]
            problems.append(f"{where} sentence {k}: labels {labels} not in canonical order {canonical}: "
                            f"{short(text)!r}")
    fail_if(problems, f"label problems in {lang}.jsonl")


@lang_param
def test_read_corpus_reads_the_same_documents(lang, corpus_docs):
    ours = [(d["doc_id"], [s.get("text") for s in sentences_of(d)]) for _, d in raw_docs(lang)]
    theirs = [(d.doc_id, list(d.sentences)) for d in corpus_docs if d.lang == lang]
    assert theirs == ours, f"read_corpus and the raw file {lang}.jsonl disagree"


# --------------------------------------------------------------------------
# Sentence hygiene and duplicates
# --------------------------------------------------------------------------


@lang_param
def test_sentences_are_clean(lang):
    problems = []
    for where, k, text, _ in raw_sentences(lang):
        if not text.strip():
            problems.append(f"{where} sentence {k}: empty or blank text {text!r}")
        elif text != text.strip():
            problems.append(f"{where} sentence {k}: leading or trailing whitespace: {short(text)!r}")
        elif len(text.splitlines()) > 1:
            problems.append(f"{where} sentence {k}: contains a line break: {short(text)!r}")
    fail_if(problems, f"unclean sentences in {lang}.jsonl")


@lang_param
def test_sentences_per_document(lang):
    problems = []
    for where, d in raw_docs(lang):
        n = len(sentences_of(d))
        if not MIN_SENTENCES_PER_DOC <= n <= MAX_SENTENCES_PER_DOC:
            problems.append(f"{where}: {n} sentences, expected {MIN_SENTENCES_PER_DOC} to {MAX_SENTENCES_PER_DOC}")
    fail_if(problems, f"documents of the wrong length in {lang}.jsonl")


@lang_param
def test_no_duplicate_doc_ids_in_file(lang):
    seen, problems = {}, []
    for where, d in raw_docs(lang):
        doc_id = d.get("doc_id")
        if doc_id in seen:
            problems.append(f"{where}: duplicate doc_id, first at {seen[doc_id]}")
        else:
            seen[doc_id] = where
    fail_if(problems, f"duplicate doc_ids in {lang}.jsonl")


def test_no_duplicate_doc_ids_across_files():
    seen, problems = {}, []
    for lang in LANGS:
        for where, d in raw_docs(lang):
            doc_id = d.get("doc_id")
            if doc_id in seen and not seen[doc_id].startswith(f"{lang}.jsonl"):
                problems.append(f"{where}: doc_id also used at {seen[doc_id]}")
            seen.setdefault(doc_id, where)
    fail_if(problems, "doc_ids used in more than one file")


@lang_param
def test_no_duplicate_sentences_in_file(lang):
    seen, problems = {}, []
    for where, k, text, _ in raw_sentences(lang):
        key = normalised(text)
        if key in seen:
            problems.append(f"{where} sentence {k} repeats {seen[key]}: {short(text)!r}")
        else:
            seen[key] = f"{where} sentence {k}"
    fail_if(problems, f"duplicate sentences in {lang}.jsonl (compared case- and space-insensitively)")


def test_no_duplicate_sentences_across_languages():
    first, problems = {}, []
    for lang in LANGS:
        for where, k, text, _ in raw_sentences(lang):
            key = normalised(text)
            if key in first and first[key][0] != lang:
                problems.append(f"{where} sentence {k} repeats {first[key][1]}: {short(text)!r}")
            first.setdefault(key, (lang, f"{where} sentence {k}"))
    fail_if(problems, "sentences that occur in more than one language file")


@lang_param
def test_near_duplicates_are_rare(lang):
    sents = raw_sentences(lang)
    pairs = near_duplicate_pairs([text for _, _, text, _ in sents])
    involved = {i for _, i, _ in pairs} | {j for _, _, j in pairs}
    share = len(involved) / max(len(sents), 1)
    if share > MAX_NEAR_DUPLICATE_SHARE:
        problems = []
        for jaccard, i, j in sorted(pairs, reverse=True):
            (wa, ka, ta, _), (wb, kb, tb, _) = sents[i], sents[j]
            problems.append(f"Jaccard {jaccard:.2f}: {wa} sentence {ka}: {short(ta, 80)!r}\n"
                            f"      ~ {wb} sentence {kb}: {short(tb, 80)!r}")
        fail_if(problems, f"near-duplicate pairs in {lang}.jsonl: {len(involved)} of {len(sents)} sentences "
                          f"({share:.1%}) have a partner with word 3-gram Jaccard >= {NEAR_DUPLICATE_JACCARD}, "
                          f"at most {MAX_NEAR_DUPLICATE_SHARE:.0%} allowed; the closest pairs")


def test_near_duplicate_pairs_finds_rewordings_only():
    texts = [
        "Kazakhstan keeps equal ties with Moscow, Beijing and Washington alike.",
        "Kazakhstan keeps equal ties with Moscow, Beijing and Washington, alike!",  # punctuation only
        "Kazakhstan keeps equal ties with Moscow, Beijing and Brussels alike.",  # one word changed
        "The railway bridge opened on Monday after three years of work.",
        "Ok.",
        "ok",
    ]
    found = {(i, j) for _, i, j in near_duplicate_pairs(texts)}
    assert found == {(0, 1), (0, 2), (1, 2), (4, 5)}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from("a b c d e f".split()), min_size=0, max_size=7)
                .map(" ".join), max_size=12))
def test_near_duplicate_pairs_equal_brute_force(texts):
    def jaccard(a, b):
        return len(a & b) / len(a | b) if a | b else 0.0

    sets = [shingles(t) for t in texts]
    brute = {(i, j) for i in range(len(texts)) for j in range(i + 1, len(texts))
             if sets[i] and sets[j] and jaccard(sets[i], sets[j]) >= NEAR_DUPLICATE_JACCARD}
    assert {(i, j) for _, i, j in near_duplicate_pairs(texts)} == brute


# --------------------------------------------------------------------------
# The library's own segmenter and language detector
# --------------------------------------------------------------------------


@lang_param
def test_segmenter_cuts_documents_back_into_their_sentences(lang):
    problems = []
    for where, d in raw_docs(lang):
        sents = [s.get("text") for s in sentences_of(d)]
        if not all(isinstance(t, str) for t in sents):
            continue  # test_schema reports it
        text = " ".join(sents)
        for how, spans in (("auto-detected language", split_sentences(text)),
                           (f"lang={lang!r}", split_sentences(text, lang))):
            got = [text[s:e] for s, e in spans]
            if got == sents:
                continue
            k = next((k for k, (a, b) in enumerate(zip(got, sents)) if a != b), min(len(got), len(sents)))
            expected = sents[k] if k < len(sents) else ""
            actual = got[k] if k < len(got) else ""
            problems.append(f"{where} ({how}): the segmenter gives {len(got)} sentences, the file has "
                            f"{len(sents)}; sentence {k} differs: {first_difference(expected, actual)}")
            break
    fail_if(problems, f"documents of {lang}.jsonl that split_sentences(' '.join(sentences)) does not cut back "
                      "into their sentences (merge or split those sentences, or rephrase the abbreviation)")


@lang_param
def test_language_detection_agrees_with_file(lang):
    docs = raw_docs(lang)
    wrong = []
    for where, d in docs:
        text = " ".join(s.get("text", "") for s in sentences_of(d) if isinstance(s.get("text"), str))
        got = detect_language(text)
        if got != lang:
            wrong.append(f"{where}: detected {got!r}: {short(text)!r}")
    share = 1 - len(wrong) / max(len(docs), 1)
    if share < MIN_DETECTED_SHARE:
        fail_if(wrong, f"documents of {lang}.jsonl detected as another language ({share:.1%} detected as "
                       f"{lang!r}, at least {MIN_DETECTED_SHARE:.0%} required)")


# --------------------------------------------------------------------------
# Quotas
# --------------------------------------------------------------------------


@lang_param
def test_quota_sentences(lang):
    n = len(raw_sentences(lang))
    assert n >= MIN_SENTENCES, f"{lang}.jsonl has {n} sentences, at least {MIN_SENTENCES} required"


@lang_param
def test_quota_positives_per_label(lang):
    counts = Counter(x for _, _, _, labels in raw_sentences(lang) for x in set(labels))
    short_of = {lab: counts[lab] for lab in LABELS if counts[lab] < MIN_POSITIVES_PER_LABEL}
    assert not short_of, (f"{lang}.jsonl: labels with fewer than {MIN_POSITIVES_PER_LABEL} positive sentences: "
                          f"{short_of} (all counts: {dict(counts)})")


@lang_param
def test_quota_none_share(lang):
    sents = raw_sentences(lang)
    none = sum(not labels for _, _, _, labels in sents)
    share = none / max(len(sents), 1)
    assert share >= MIN_NONE_SHARE, (f"{lang}.jsonl: {none} of {len(sents)} sentences ({share:.1%}) are none, "
                                     f"at least {MIN_NONE_SHARE:.0%} required")


@lang_param
def test_quota_registers(lang):
    registers = Counter(d.get("register") for _, d in raw_docs(lang))
    assert len(registers) >= MIN_REGISTERS, (f"{lang}.jsonl: {len(registers)} registers, at least "
                                             f"{MIN_REGISTERS} required: {dict(registers)}")


@lang_param
def test_quota_states_named(lang):
    states = Counter(s for _, _, text, _ in raw_sentences(lang) for s in states_named(text, lang))
    assert len(states) >= MIN_STATES_NAMED, (f"{lang}.jsonl names {len(states)} distinct states, at least "
                                             f"{MIN_STATES_NAMED} required: {dict(states.most_common())}")
