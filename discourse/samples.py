"""Sample articles shipped with the package (a copy of ``fixtures/articles``).

Each sample is a short commentary or report on a state visit, written by the
project, with its expected sentence boundaries and labels. ``discourse demo``
tags them; the tests check segmentation and the model against them.
"""

from __future__ import annotations

import importlib.resources
import json
from dataclasses import dataclass

__all__ = ["Sample", "load_samples", "sample_from_dict"]


@dataclass(frozen=True)
class Sample:
    """A sample article: its text and the expected sentences.

    Attributes
    ----------
    id, lang, register : str
    text : str
        Title, newline, byline, blank line, then paragraphs separated by blank lines.
    expected : tuple of (int, int, tuple of str)
        Expected ``(start, end, labels)`` of every sentence, title and byline included.
    """

    id: str
    lang: str
    register: str
    text: str
    expected: tuple


def sample_from_dict(d):
    """Assemble a :class:`Sample` from a fixture article's JSON object."""
    parts, expected = [], []
    pos = 0

    def add(piece, labels=None):
        nonlocal pos
        parts.append(piece)
        if labels is not None:
            expected.append((pos, pos + len(piece), tuple(labels)))
        pos += len(piece)

    add(d["title"]["text"], d["title"]["labels"])
    add("\n")
    add(d["byline"]["text"], d["byline"]["labels"])
    for para in d["paragraphs"]:
        add("\n\n")
        for k, s in enumerate(para):
            if k:
                add(" ")
            add(s["text"], s["labels"])
    return Sample(d["id"], d["lang"], d.get("register", ""), "".join(parts), tuple(expected))


def load_samples():
    """The sample articles shipped in ``discourse/data/samples``, in name order.

    Examples
    --------
    >>> samples = load_samples()
    >>> sorted({s.lang for s in samples})
    ['de', 'en', 'ru']
    >>> s = samples[0]
    >>> all(s.text[a:b].strip() == s.text[a:b] for a, b, _ in s.expected)
    True
    """
    folder = importlib.resources.files("discourse") / "data" / "samples"
    out = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".json"):
            out.append(sample_from_dict(json.loads(entry.read_text(encoding="utf-8"))))
    return out
