"""Reading and validating a corpus folder (one ``*.jsonl`` per language)."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .model import LABELS

__all__ = ["CorpusError", "Document", "read_corpus", "corpus_digest"]


class CorpusError(ValueError):
    """A corpus file is malformed; the message names the file and line."""


@dataclass(frozen=True)
class CorpusDocument:
    """One labelled document of the training corpus."""

    doc_id: str
    lang: str
    register: str
    sentences: tuple  # of str
    labels: tuple  # of tuple of str

    @property
    def text(self):
        """The document's text: its sentences joined by one space."""
        return " ".join(self.sentences)


Document = CorpusDocument


def _corpus_files(corpus_dir):
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {os.fspath(corpus_dir)!r} does not exist or is not a folder")
    files = sorted(corpus_dir.glob("*.jsonl"))
    if not files:
        raise CorpusError(f"corpus folder {os.fspath(corpus_dir)!r} holds no *.jsonl files")
    return files


def corpus_digest(corpus_dir):
    """sha256 over the names and bytes of the corpus files, in name order."""
    h = hashlib.sha256()
    for f in _corpus_files(corpus_dir):
        h.update(f.name.encode() + b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def read_corpus(corpus_dir, labels=LABELS):
    """Read every ``*.jsonl`` in a corpus folder.

    Parameters
    ----------
    corpus_dir : str or os.PathLike
        A folder with ``en.jsonl``, ``de.jsonl``, ... (the file stem is the language).
    labels : sequence of str, default=LABELS

    Returns
    -------
    list of CorpusDocument
        In file-name order, then line order.

    Raises
    ------
    CorpusError
        Naming the file and line of the first malformed document.
    """
    known = set(labels)
    docs, seen = [], set()
    for path in _corpus_files(corpus_dir):
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                where = f"{path}:{lineno}"
                try:
                    d = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise CorpusError(f"{where}: not valid JSON ({exc})") from None
                if not isinstance(d, dict) or not {"doc_id", "sentences"} <= set(d):
                    raise CorpusError(f"{where}: expected an object with doc_id and sentences")
                if d["doc_id"] in seen:
                    raise CorpusError(f"{where}: duplicate doc_id {d['doc_id']!r}")
                seen.add(d["doc_id"])
                sents, labs = [], []
                if not isinstance(d["sentences"], list) or not d["sentences"]:
                    raise CorpusError(f"{where}: sentences must be a non-empty list")
                for k, s in enumerate(d["sentences"]):
                    if not isinstance(s, dict) or not isinstance(s.get("text"), str) or not s["text"].strip():
                        raise CorpusError(f"{where}: sentence {k} needs a non-blank text")
                    lab = s.get("labels", [])
                    if not isinstance(lab, list) or any(x not in known for x in lab):
                        raise CorpusError(f"{where}: sentence {k} has labels {lab!r}; known labels are {sorted(known)}")
                    sents.append(s["text"])
                    labs.append(tuple(x for x in labels if x in lab))
                docs.append(CorpusDocument(str(d["doc_id"]), path.stem, str(d.get("register", "")),
                                           tuple(sents), tuple(labs)))
    return docs
