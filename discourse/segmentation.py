"""Sentence segmentation for English, German and Russian news text.

The segmenter returns character offsets, so callers can always map a sentence
back to the exact slice of the original text.

How it works
------------
1. Every line break ends a sentence: ``\\n``, ``\\r\\n``, ``\\r`` and the other
   separators of :meth:`str.splitlines` (``\\v``, ``\\f``, ``\\x1c``-``\\x1e``,
   ``\\x85``, U+2028, U+2029). Titles, bylines and paragraphs therefore end a
   sentence even without a final period. A paragraph hard-wrapped over several
   lines is split at each line end too; that is the price of the simple rule.
2. Inside each line nltk's Punkt (:class:`nltk.tokenize.punkt.PunktSentenceTokenizer`)
   finds the candidate boundaries (``.``, ``?``, ``!``, ``…``) and moves
   closing quotes and brackets onto the sentence they close. Its parameters
   (abbreviations, collocations such as a German ordinal before a month name,
   sentence starters) come only from the JSON files shipped in
   ``discourse/data/punkt/{lang}.json``; no nltk data is downloaded or read.
3. On top of Punkt a few rules that need to see the raw text decide each
   candidate: a lowercase word, a comma, semicolon or colon after the mark
   continues the sentence (``"Why?" he asked``); known abbreviations, also
   spaced multi-part ones ("z. B.", "т. е."), end a sentence only as their
   JSON class says; "No. 5", German ordinals ("der 2. Weltkrieg").

Should Punkt ever fail on a line, a plain regular expression splits that line
instead, so :func:`split_sentences` never raises on a ``str``.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import re
from dataclasses import dataclass

from nltk.tokenize.punkt import (
    PunktLanguageVars,
    PunktParameters,
    PunktSentenceTokenizer,
    PunktToken,
)

__all__ = ["LANGUAGES", "detect_language", "split_sentences"]

LANGUAGES = ("en", "de", "ru")
"""Language codes accepted by :func:`split_sentences`."""

# Characters that close a sentence-final quotation or parenthesis.
_CLOSERS = frozenset("\"')]}\u2019\u201d\u201c\u00bb\u00ab\u203a\u2039.?!\u2026")
# Characters that may open the next sentence before its first word.
_OPENERS = frozenset("\"'([{\u201e\u201a\u201c\u2018\u00ab\u00bb\u2039\u203a\u2013\u2014-")
# Stripped from a word before it is looked up as an abbreviation or starter.
_WORD_PUNCT = "\"'([{\u201e\u201a\u201c\u201d\u2018\u2019\u00ab\u00bb\u2039\u203a\u2013\u2014-"
_TRAILING_PUNCT = _WORD_PUNCT + ")]},.;:!?\u2026"

# Same bit values as nltk.tokenize.punkt's private _ORTHO_* constants.
_ORTHO_FLAGS = {
    "BEG_UC": 1 << 1,
    "MID_UC": 1 << 2,
    "UNK_UC": 1 << 3,
    "BEG_LC": 1 << 4,
    "MID_LC": 1 << 5,
    "UNK_LC": 1 << 6,
}
_ORTHO_LC = _ORTHO_FLAGS["BEG_LC"] | _ORTHO_FLAGS["MID_LC"] | _ORTHO_FLAGS["UNK_LC"]

# Used only when Punkt fails on a line: candidate ends are . ! ? … (plus
# closers) before whitespace; see _fallback_ends.
_FALLBACK_RE = re.compile(r"[.!?\u2026]+[\"')\]}\u2019\u201d\u201c\u00bb]*(?=\s+(\S))")


# --------------------------------------------------------------------------
# Punkt customisation
# --------------------------------------------------------------------------


class _LanguageVars(PunktLanguageVars):
    """Punkt language variables for en/de/ru news.

    Differences from nltk's defaults: ``…`` ends sentences too; German low
    quotes („ ‚) and single guillemets (‹ ›) count as punctuation next to
    words; the regular expressions are compiled with the standard ``re``
    module (nltk's fixed patterns, linear on any input) so that long inputs
    never hit nltk's wall-clock regex timeout.
    """

    sent_end_chars = (".", "?", "!", "\u2026")

    re_boundary_realignment = re.compile(
        r"[\"')\]}\u2018\u2019\u201c\u201d\xab\xbb\u2039\u203a]+?(?:\s+|(?=--)|$)",
        re.MULTILINE,
    )

    @property
    def _re_non_word_chars(self):
        return r"(?:[)\";}\]\*:@\'\({\[\u2018\u2019\u201c\u201d\u201e\u201a\xab\xbb\u2039\u203a%s])" % re.escape(
            "".join(set(self.sent_end_chars) - {"."})
        )

    def __init__(self):
        self._re_word_tokenizer = re.compile(
            self._word_tokenize_fmt
            % {
                "NonWord": self._re_non_word_chars,
                "MultiChar": self._re_multi_char_punct,
                "WordStart": self._re_word_start,
            },
            re.UNICODE | re.VERBOSE,
        )
        self._re_period_context = re.compile(
            self._period_context_fmt
            % {
                "NonWord": self._re_non_word_chars,
                "SentEndChars": self._re_sent_end_chars,
            },
            re.UNICODE | re.VERBOSE,
        )

    def _word_tokenizer_re(self):
        return self._re_word_tokenizer

    def period_context_re(self):
        return self._re_period_context


class _Token(PunktToken):
    """PunktToken with its patterns compiled by the standard ``re`` module."""

    __slots__ = ()
    _RE_ELLIPSIS = re.compile(r"\.\.+$")
    _RE_NUMERIC = re.compile(r"^-?[\.,]?\d[\d,\.-]*\.?$")
    _RE_INITIAL = re.compile(r"[^\W\d]\.$")
    _RE_ALPHA = re.compile(r"[^\W\d]+$")


@dataclass(frozen=True)
class _Model:
    """Everything loaded from one ``discourse/data/punkt/{lang}.json``."""

    lang: str
    params: PunktParameters
    abbrevs: frozenset
    non_final: frozenset
    final: frozenset
    number_abbrevs: frozenset
    sent_starters: frozenset
    ordinal_markers: frozenset
    ortho_context: dict


def _words(data, key):
    return frozenset(str(w).lower() for w in data.get(key, ()))


@functools.lru_cache(maxsize=None)
def _load_model(lang: str) -> _Model:
    resource = importlib.resources.files("discourse") / "data" / "punkt" / f"{lang}.json"
    data = json.loads(resource.read_text(encoding="utf-8"))

    non_final = _words(data, "non_final_abbrevs")
    final = _words(data, "final_abbrevs")
    abbrevs = _words(data, "abbrev_types") | non_final | final
    ortho = {}
    for word, flags in (data.get("ortho_context") or {}).items():
        value = 0
        for flag in flags:
            value |= _ORTHO_FLAGS[flag]
        ortho[str(word).lower()] = value

    params = PunktParameters()
    params.abbrev_types = set(abbrevs)
    params.collocations = {(str(a).lower(), str(b).lower()) for a, b in data.get("collocations", ())}
    params.sent_starters = set(_words(data, "sent_starters"))
    for word, value in ortho.items():
        params.add_ortho_context(word, value)

    return _Model(
        lang=lang,
        params=params,
        abbrevs=abbrevs,
        non_final=non_final,
        final=final,
        number_abbrevs=_words(data, "number_abbrevs"),
        sent_starters=frozenset(params.sent_starters),
        ordinal_markers=_words(data, "ordinal_markers"),
        ortho_context=ortho,
    )


class _Tokenizer(PunktSentenceTokenizer):
    """Punkt with the boundary decision refined by rules on the raw text."""

    def __init__(self, model: _Model):
        super().__init__(lang_vars=_LanguageVars(), token_cls=_Token)
        self._params = model.params
        self._model = model

    # Punkt's own _slices_from_text with the decision replaced.
    def _slices_from_text(self, text):
        last_break = 0
        for match, context in self._match_potential_end_contexts(text):
            if self._is_boundary(text, match, context):
                yield slice(last_break, match.end())
                if match.group("next_tok"):
                    last_break = match.start("next_tok")
                else:
                    last_break = match.end()
        yield slice(last_break, len(text.rstrip()))

    def _is_boundary(self, text: str, match, context: str) -> bool:
        n = len(text)
        pos = match.start()
        # Look past closing quotes/brackets, whitespace and opening quotes or
        # dashes to the first character of the next word (all bounded, so a
        # long run of punctuation stays linear).
        k = match.end()
        if k < n and text[k] in ".?!\u2026":
            return False  # inside a run like "?!?" : only its last mark may end
        limit = min(n, k + 32)
        while k < limit and text[k] in _CLOSERS:
            k += 1
        for _ in range(3):  # "» — спросил", "“ – und"
            limit = min(n, k + 64)
            while k < limit and text[k].isspace():
                k += 1
            limit = min(n, k + 8)
            start = k
            while k < limit and text[k] in _OPENERS:
                k += 1
            if k == start:
                break
        if k >= n:
            return False  # nothing follows: the last sentence takes the rest
        nxt = text[k]
        if nxt in ",;:" or nxt.islower():
            return False  # '"Why?" he asked', 'ca. zehn', '«Нет», — сказал он'
        if text[pos] != ".":
            return True  # ? ! … before an uppercase word, digit or quote
        if pos > 0 and text[pos - 1] == ".":
            return self.text_contains_sentbreak(context)  # ellipsis: Punkt decides

        model = self._model
        parts = _words_before(text, pos)
        if not parts:
            return self.text_contains_sentbreak(context)
        abbrev = _find_abbreviation(parts, model.abbrevs)
        if abbrev is not None:
            if abbrev in model.non_final:
                return False
            if abbrev in model.final:
                return True
            return self._next_is_sentence_starter(text, k)
        last = parts[-1]
        if nxt.isdigit() and last in model.number_abbrevs:
            return False  # "No. 10", "Art. 5"
        if (
            model.ordinal_markers
            and len(last) <= 3
            and last.isdigit()
            and len(parts) > 1
            and parts[-2] in model.ordinal_markers
        ):
            return False  # "der 2. Weltkrieg", "zum 5. Mal"
        return self.text_contains_sentbreak(context)

    def _next_is_sentence_starter(self, text: str, k: int) -> bool:
        if not text[k].isupper():
            return False
        word = text[k : k + 40].split(None, 1)[0].strip(_TRAILING_PUNCT).lower()
        if word in self._model.sent_starters:
            return True
        ortho = self._model.ortho_context.get(word, 0)
        # Punkt's orthographic heuristic: capitalised here, seen in lower case,
        # never capitalised mid-sentence -> starts a sentence.
        return bool(ortho & _ORTHO_LC) and not (ortho & _ORTHO_FLAGS["MID_UC"])


def _words_before(text: str, pos: int) -> list:
    """Up to four lowercased words before ``text[pos]``, nearest last.

    Opening quotes and brackets are stripped. Empty if whitespace precedes
    ``pos``. Only a short window is read, so this is O(1).
    """
    window = text[max(0, pos - 64) : pos]
    if not window or window[-1].isspace():
        return []
    return [w.lstrip(_WORD_PUNCT).lower() for w in window.split()[-4:]]


def _find_abbreviation(parts: list, abbrevs: frozenset):
    """The abbreviation that ends at the period, or None.

    Spaced multi-part abbreviations are joined first: ["z.", "b"] -> "z.b",
    ["и", "т.", "д"] -> "т.д". Like Punkt, "ex-dr" is also tried as "dr".
    """
    last = parts[-1]
    candidates = []
    joined = last
    i = len(parts) - 2
    while i >= 0 and parts[i].endswith(".") and len(parts[i]) <= 4:
        joined = parts[i] + joined
        candidates.append(joined)
        i -= 1
    for candidate in reversed(candidates):
        if candidate in abbrevs:
            return candidate
    if last in abbrevs:
        return last
    tail = last.rsplit("-", 1)[-1]
    if tail in abbrevs:
        return tail
    return None


@functools.lru_cache(maxsize=None)
def _tokenizer(lang: str) -> _Tokenizer:
    return _Tokenizer(_load_model(lang))


def _fallback_ends(block: str) -> list:
    """Plain-regex sentence ends: a mark before a word that is not lowercase."""
    return [m.end() for m in _FALLBACK_RE.finditer(block) if not m.group(1).islower()]


def _block_ends(tokenizer: _Tokenizer, block: str) -> list:
    """End offsets of the sentences of one stripped line (last one excluded)."""
    try:
        return [end for _, end in tokenizer.span_tokenize(block)]
    except Exception:  # Punkt must never take the caller down
        try:
            return _fallback_ends(block)
        except Exception:
            return []


# --------------------------------------------------------------------------
# Language detection
# --------------------------------------------------------------------------

_CYRILLIC_RE = re.compile(r"[\u0400-\u052f]+")
_LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_GERMAN_CHARS_RE = re.compile(r"[\u00e4\u00f6\u00fc\u00df\u00c4\u00d6\u00dc\u1e9e]")
_GERMAN_WORDS = frozenset("""der die das und ist nicht mit von den dem des ein eine einer einen einem zu sich
    auf für im auch wird werden wurde wurden nach bei sie er es aus wie über noch hat haben
    sind dass als am vom zum zur oder aber nur bereits seit gegen unter ich wir ihr ihre
    sein seine kein keine diese dieser dieses durch bis schon mehr sehr dort heute ob weil
    wenn doch jedoch sowie laut rund sollen soll kann können muss müssen""".split())
_ENGLISH_WORDS = frozenset("""the and of to is that for on with as by at from it are be has have had been said
    this which not but were would its after their they he she who or than more about into
    over against between new because could should may can these those there when while if
    his her our we you what why how""".split())
_WORD_RE = re.compile(r"[^\W\d_]+")
_DETECT_SAMPLE = 20_000


def detect_language(text: str) -> str:
    """Guess whether a text is English, German or Russian.

    Only the first 20,000 characters are read. Cyrillic letters making up at
    least half of the Cyrillic and Latin letters give ``"ru"``; otherwise
    German function words plus German letters (ä, ö, ü, ß) against English
    function words decide between ``"de"`` and ``"en"``. Ties and texts
    without letters give ``"en"``.

    Parameters
    ----------
    text : str
        Any text; never raises on a ``str``.

    Returns
    -------
    str
        ``"en"``, ``"de"`` or ``"ru"``.

    Examples
    --------
    >>> detect_language("Der Präsident ist am Dienstag in Peking eingetroffen.")
    'de'
    >>> detect_language("Президент прибыл в Пекин.")
    'ru'
    >>> detect_language("The president arrived in Beijing on Tuesday.")
    'en'
    >>> detect_language("")
    'en'
    """
    sample = text[:_DETECT_SAMPLE]
    cyrillic = sum(map(len, _CYRILLIC_RE.findall(sample)))
    latin = sum(map(len, _LATIN_RE.findall(sample)))
    if cyrillic and cyrillic >= latin:
        return "ru"
    if not latin:
        return "en"
    words = _WORD_RE.findall(sample.lower())
    german = len(_GERMAN_CHARS_RE.findall(sample)) + sum(map(_GERMAN_WORDS.__contains__, words))
    english = sum(map(_ENGLISH_WORDS.__contains__, words))
    return "de" if german > english else "en"


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def split_sentences(text: str, lang: str | None = None) -> list[tuple[int, int]]:
    """Split a text into sentences, returned as character offsets.

    Every line break ends a sentence (see the module docstring); inside a
    line nltk's Punkt, with the parameters of ``discourse/data/punkt``,
    decides. A closing quote or bracket after the final mark belongs to the
    sentence it closes.

    Parameters
    ----------
    text : str
        The text. Any ``str`` is accepted: arbitrary unicode, lone
        surrogates, control characters, very long inputs. Time is linear in
        ``len(text)``.
    lang : {"en", "de", "ru"} or None, optional
        Language of the text; ``None`` (default) runs :func:`detect_language`
        on it.

    Returns
    -------
    list of tuple of (int, int)
        ``(start, end)`` offsets, end exclusive, in order and not overlapping.
        Each ``text[start:end]`` is one sentence without surrounding
        whitespace, never empty. Empty or whitespace-only text gives ``[]``.

    Raises
    ------
    ValueError
        If ``lang`` is neither ``None`` nor one of :data:`LANGUAGES`.

    Examples
    --------
    >>> text = "Dr. Smith met U.S. officials. They agreed!"
    >>> [text[s:e] for s, e in split_sentences(text, "en")]
    ['Dr. Smith met U.S. officials.', 'They agreed!']
    >>> text = "Am 3. Oktober kam z. B. Prof. Weber. Er sprach „kurz.“ Dann ging er."
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['Am 3. Oktober kam z. B. Prof. Weber.', 'Er sprach „kurz.“', 'Dann ging er.']
    >>> text = "Итоги\\nВ 2023 г. страна, т. е. Казахстан, выросла на 5 %. Это много."
    >>> [text[s:e] for s, e in split_sentences(text, "ru")]
    ['Итоги', 'В 2023 г. страна, т. е. Казахстан, выросла на 5 %.', 'Это много.']
    >>> split_sentences("  Hello world.  ")
    [(2, 14)]
    >>> split_sentences("   ")
    []
    """
    if lang is not None and (not isinstance(lang, str) or lang not in LANGUAGES):
        raise ValueError(f"lang must be one of {LANGUAGES!r} or None, got {lang!r}")
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    if not text or text.isspace():
        return []
    tokenizer = _tokenizer(lang if lang is not None else detect_language(text))

    spans = []
    offset = 0
    for line in text.splitlines(True):
        line_start = offset
        offset += len(line)
        block = line.strip()
        if not block:
            continue
        block_start = line_start + len(line) - len(line.lstrip())
        _add_block(spans, block, block_start, _block_ends(tokenizer, block))
    return spans


def _add_block(spans: list, block: str, block_start: int, ends: list) -> None:
    """Append the stripped, non-empty sentences of ``block`` cut at ``ends``.

    Only Punkt's end offsets are used: each sentence runs from the previous
    end to its own, so nothing between sentences is ever dropped, even if
    Punkt's start offsets were off.
    """
    size = len(block)
    prev = 0
    for end in ends + [size]:
        if not isinstance(end, int) or end <= prev:
            continue
        end = min(end, size)
        piece = block[prev:end]
        stripped = piece.strip()
        if stripped:
            start = prev + len(piece) - len(piece.lstrip())
            spans.append((block_start + start, block_start + start + len(stripped)))
        prev = end
        if prev >= size:
            break
