"""Reliability: hostile model files and hostile text, at every entry point.

What tests/test_modelfile.py, tests/test_api.py and tests/test_segmentation.py
already check is not repeated here; this file adds the cases they miss:

- model files: a bit flip at every 997th byte, bit flips in the zip and .npy
  headers, a deflated ("zip bomb") member, sizes declared in the zip directory
  far beyond the file, a directory / symlink / FIFO / device instead of a file,
  metadata that is not UTF-8 JSON or is hostile JSON, self-consistent files
  (valid sha256) whose metadata is nonsense;
- text: each awkward kind of text through ``split_sentences``, ``classify``,
  ``classify_many`` and ``score``, with full alignment checks, including a
  10 MB document, 200,000-character tokens and 50,000 repeated sentences;
- non-text input at every entry point, also deep inside a stream.

Tests marked "Regression (fixed)" pinned bugs found while writing this file
(they were ``xfail(strict=True)`` until fixed).
"""

from __future__ import annotations

import copy
import decimal
import io
import json
import math
import os
import struct
import subprocess
import sys
import textwrap
import tracemalloc
import warnings
import zipfile

import numpy as np
import pytest

import discourse
from discourse.model import Model
from discourse.modelfile import ModelFileError, read_model_file, write_model_file
from discourse.segmentation import split_sentences

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# =============================================================================
# Helpers
# =============================================================================

def assert_aligned(text, doc, *, model=None, check_scores=True):
    """Everything the contract says about one Document for ``text``."""
    assert isinstance(doc, discourse.Document)
    assert doc.text is text or doc.text == text
    prev = 0
    for s in doc.sentences:
        assert isinstance(s.start, int) and isinstance(s.end, int)
        assert prev <= s.start < s.end <= len(text), (prev, s.start, s.end)
        assert s.text == text[s.start:s.end]
        assert s.text.strip() == s.text and s.text  # no surrounding blanks, never empty
        prev = s.end
    # Nothing dropped: every non-whitespace character lies in some sentence.
    # (Sentences are ordered and disjoint, so comparing the non-whitespace
    # characters of their concatenation with the text's is equivalent.)
    covered = "".join(s.text for s in doc.sentences)
    assert "".join(covered.split()) == "".join(text.split())
    m = model or discourse.load_model()
    for s in doc.sentences:
        assert tuple(s.scores) == m.labels
        assert all(isinstance(v, float) and 0.0 <= v <= 1.0 for v in s.scores.values())
        assert s.labels == tuple(lab for lab, t in zip(m.labels, m.thresholds_) if s.scores[lab] >= t)
    if check_scores:
        p = discourse.score([s.text for s in doc.sentences], model=model)
        assert p.shape == (len(doc.sentences), len(m.labels))
        assert p.tolist() == [[s.scores[lab] for lab in m.labels] for s in doc.sentences]


def assert_valid_spans(text, spans):
    prev = 0
    for a, b in spans:
        assert prev <= a < b <= len(text)
        piece = text[a:b]
        assert piece and piece.strip() == piece
        prev = b
    covered = "".join(text[a:b] for a, b in spans)
    assert "".join(covered.split()) == "".join(text.split())


def check_every_entry_point(text, *, reference=None):
    """split_sentences, classify, classify_many and score on one text."""
    spans = split_sentences(text)
    assert_valid_spans(text, spans)
    doc = discourse.classify(text)
    assert [(s.start, s.end) for s in doc.sentences] == spans
    assert_aligned(text, doc)
    docs = discourse.classify_many([text, "", text], batch_size=2)
    assert len(docs) == 3 and docs[0] == doc and docs[2] == doc and docs[1].sentences == []
    p = discourse.score([text, ""])
    assert p.shape == (2, 3) and p.dtype == np.float64
    assert np.isfinite(p).all() and ((p >= 0) & (p <= 1)).all()
    if reference is not None:
        assert np.abs(p - reference.predict_proba([text, ""])).max() <= 1e-9
    return doc


# =============================================================================
# Model files (only what tests/test_modelfile.py does not cover)
# =============================================================================

def _shrunk(model, n_word=400, n_char=1200):
    """A valid model made of the first terms of ``model``: a ~60 KB file, quick to load."""
    nw, nc = min(n_word, len(model.word_terms_)), min(n_char, len(model.char_terms_))
    cols = np.r_[np.arange(nw), len(model.word_terms_) + np.arange(nc)]
    return Model(labels=model.labels, settings=model.settings,
                 word_terms=model.word_terms_[:nw], char_terms=model.char_terms_[:nc],
                 word_idf=model.word_idf_[:nw], char_idf=model.char_idf_[:nc],
                 coef=model.coef_[:, cols], intercept=model.intercept_, thresholds=model.thresholds_,
                 metadata=model.metadata)


@pytest.fixture(scope="module")
def saved(tmp_path_factory, small_model):
    path = tmp_path_factory.mktemp("reliability_models") / "small.npz"
    _shrunk(small_model).save(path)
    return path


def _refused(path, data):
    """Write ``data`` to ``path`` and load it: the outcome as a short string."""
    path.write_bytes(bytes(data))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy warns about "Python 2" headers
            discourse.load_model(path)
    except ModelFileError as exc:
        return "refused" if path.name in str(exc) else f"refused without naming the file: {exc}"
    except Exception as exc:  # noqa: BLE001 - the point is to see what escapes
        return f"{type(exc).__name__}: {exc}"[:120]
    return "loaded"


def _array_payload(data):
    """Offsets holding member array bytes (after each .npy header), not zip or .npy headers."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
    inside = np.zeros(len(data), dtype=bool)
    for info in infos:
        start = info.header_offset + 30 + len(info.filename)
        header_len = struct.unpack("<H", data[start + 8:start + 10])[0]
        inside[start + 10 + header_len:start + info.compress_size] = True
    return inside


def test_a_bit_flip_at_every_997th_byte_is_refused(saved, tmp_path):
    """Array bytes are covered by the CRC and the sha256; header bytes: see the tests below."""
    data = saved.read_bytes()
    payload = _array_payload(data)
    target = tmp_path / "flip997.npz"
    outcomes, tried = {}, 0
    for k in range(0, len(data), 997):
        if not payload[k]:
            continue
        for bit in (0x01, 0x10, 0x80):
            flipped = bytearray(data)
            flipped[k] ^= bit
            tried += 1
            outcome = _refused(target, flipped)
            if outcome != "refused":
                outcomes[(k, bit)] = outcome
    assert tried >= 90  # the model file is big enough to matter
    assert outcomes == {}


def _zip_layout(data):
    """Offsets of the zip structures of a model file written by write_model_file."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
    cd = data.index(b"PK\x01\x02")
    eocd = data.rindex(b"PK\x05\x06")
    return infos, cd, eocd


@pytest.fixture(scope="module")
def header_flips(saved, tmp_path_factory):
    """Outcome of single bit flips in every header byte of a model file.

    Covers the first member's local zip header and .npy header, the whole
    central directory and the end-of-central-directory record (member data is
    covered by the CRC and the sha256, see the 997 test above).
    """
    data = saved.read_bytes()
    infos, cd, eocd = _zip_layout(data)
    first = infos[0]
    npy_start = first.header_offset + 30 + len(first.filename)
    offsets = list(range(0, npy_start + 128)) + list(range(cd, len(data)))
    target = tmp_path_factory.mktemp("flips") / "hdr.npz"
    results = {}
    for k in offsets:
        for bit in (0, 5, 6):
            flipped = bytearray(data)
            flipped[k] ^= 1 << bit
            results[(k, bit)] = _refused(target, flipped)
    return results


# Regression (fixed): flips in .npy headers used to escape as tokenize.TokenError or
# SyntaxError, flips in the central directory as NotImplementedError or RuntimeError.
def test_header_bit_flips_raise_nothing_but_model_file_error(header_flips):
    escaped = {k: v for k, v in header_flips.items() if v not in ("refused", "loaded")}
    assert escaped == {}


# Regression (fixed): ~40% of flips in zip bookkeeping bytes (local-header version, flags,
# method, time, CRC, sizes; most central-directory and EOCD fields) used to load silently.
def test_header_bit_flips_are_refused(header_flips):
    loaded = sorted(k for k, v in header_flips.items() if v == "loaded")
    assert loaded == []


def _flip(data, offset, bit):
    out = bytearray(data)
    out[offset] ^= 1 << bit
    return out


def _cd_entry(data, i=0):
    """Offset of the i-th central directory entry."""
    _, cd, _ = _zip_layout(data)
    for _ in range(i):
        name_len, extra_len, comment_len = struct.unpack("<HHH", data[cd + 28:cd + 34])
        cd += 46 + name_len + extra_len + comment_len
    return cd


def _npy_header(data):
    infos, _, _ = _zip_layout(data)
    return infos[0].header_offset + 30 + len(infos[0].filename) + 10  # after magic, version, length


# Precise reproducers, one per exception class that escapes today.
FLIP_REPRODUCERS = {
    # '{' -> 'z' at the start of the first member's .npy header dict: tokenize.TokenError
    "npy-header-brace": lambda d: _flip(d, _npy_header(d), 0),
    # "'<f8'" -> "',f8'": SyntaxError from numpy's Python-2 header fallback
    "npy-header-descr": lambda d: _flip(d, _npy_header(d) + 11, 4),
    # central directory general-purpose flag bit 0 (encrypted): RuntimeError
    "cd-flag-encrypted": lambda d: _flip(d, _cd_entry(d) + 8, 0),
    # central directory compression method 0 -> 1 (shrink): NotImplementedError
    "cd-compression-method": lambda d: _flip(d, _cd_entry(d) + 10, 0),
    # central directory "version needed to extract": NotImplementedError
    "cd-version-needed": lambda d: _flip(d, _cd_entry(d) + 6, 6),
    # central directory flag bit 6 (strong encryption): NotImplementedError
    "cd-flag-strong-encryption": lambda d: _flip(d, _cd_entry(d) + 8, 6),
}


# Regression (fixed): one precise reproducer per exception class that used to escape.
@pytest.mark.parametrize("case", sorted(FLIP_REPRODUCERS))
def test_header_bit_flip_reproducers(saved, tmp_path, case):
    path = tmp_path / f"{case}.npz"
    path.write_bytes(bytes(FLIP_REPRODUCERS[case](saved.read_bytes())))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ModelFileError, match=case):
            discourse.load_model(path)


def _set_cd_sizes(data, member, compressed=None, uncompressed=None):
    """Edit the sizes a central directory entry declares (not the data)."""
    out = bytearray(data)
    for i in range(9):
        at = _cd_entry(bytes(out), i)
        name_len = struct.unpack("<H", out[at + 28:at + 30])[0]
        if out[at + 46:at + 46 + name_len].decode() == member:
            if compressed is not None:
                out[at + 20:at + 24] = struct.pack("<I", compressed)
            if uncompressed is not None:
                out[at + 24:at + 28] = struct.pack("<I", uncompressed)
            return out
    raise AssertionError(member)


@pytest.mark.parametrize("declared", [0x7FFF_FFF0, 0xFFFF_FFF0, 10**9])
def test_member_sizes_declared_far_beyond_the_file_are_refused_without_allocating(saved, tmp_path, declared):
    data = _set_cd_sizes(saved.read_bytes(), "coef.npy", uncompressed=declared)
    path = tmp_path / "declared.npz"
    path.write_bytes(bytes(data))
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=r"declared\.npz"):
            discourse.load_model(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20


def _deflated_bomb(src, dst, n_floats):
    """A model whose coef member is deflated zeros declaring ``n_floats`` float64.

    The zip itself is valid (right CRC and sizes): a few hundred KB on disk
    that inflate to ``8 * n_floats`` bytes.
    """
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (3, n_floats // 3)})
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename != "coef.npy":
                zout.writestr(info, zin.read(info))
                continue
            zi = zipfile.ZipInfo("coef.npy", date_time=info.date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            with zout.open(zi, "w", force_zip64=True) as f:
                f.write(header.getvalue())
                zeros = bytes(1 << 22)
                left = (n_floats // 3) * 3 * 8
                while left > 0:
                    f.write(zeros[:min(left, len(zeros))])
                    left -= len(zeros)
    return dst


# Regression (fixed): a ~100 KB file used to inflate to 80 MB (peak ~153 MB) before the
# sha256 refused it; a 2 MB file would have cost ~4 GB.
def test_zip_bomb_member_is_refused_before_inflating(saved, tmp_path):
    path = _deflated_bomb(saved, tmp_path / "bomb.npz", 10_000_000)  # declares 80 MB
    assert path.stat().st_size < 1_000_000
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=r"bomb\.npz"):
            discourse.load_model(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20, f"peak {peak / 2**20:.0f} MB while refusing a {path.stat().st_size} byte file"


def test_a_directory_is_refused(tmp_path):
    folder = tmp_path / "dir.npz"
    folder.mkdir()
    with pytest.raises(ModelFileError, match=r"dir\.npz"):
        discourse.load_model(folder)


def test_symlinks(saved, tmp_path):
    good = tmp_path / "good.npz"
    good.symlink_to(saved)  # a link to a valid model is that model
    assert discourse.load_model(good).word_terms_ == discourse.load_model(saved).word_terms_
    dangling = tmp_path / "dangling.npz"
    dangling.symlink_to(tmp_path / "nowhere.npz")
    with pytest.raises(ModelFileError, match=r"dangling\.npz.*does not exist"):
        discourse.load_model(dangling)
    (tmp_path / "loop_a.npz").symlink_to(tmp_path / "loop_b.npz")
    (tmp_path / "loop_b.npz").symlink_to(tmp_path / "loop_a.npz")
    with pytest.raises(ModelFileError, match=r"loop_a\.npz"):
        discourse.load_model(tmp_path / "loop_a.npz")
    folder = tmp_path / "folder"
    folder.mkdir()
    (tmp_path / "to_dir.npz").symlink_to(folder)
    with pytest.raises(ModelFileError, match=r"to_dir\.npz"):
        discourse.load_model(tmp_path / "to_dir.npz")


def _load_in_subprocess(path, timeout=20):
    """load_model(path) in a child with a 1 GiB address-space cap; (outcome, output)."""
    code = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        sys.path.insert(0, {ROOT!r})
        import discourse
        try:
            discourse.load_model({os.fspath(path)!r})
        except discourse.ModelFileError as exc:
            print("refused:", exc)
        else:
            print("loaded")
    """)
    try:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "hang", ""
    return ("refused" if proc.stdout.startswith("refused") else "error"), proc.stdout + proc.stderr


# Regression (fixed): a FIFO used to block in open(); /dev/zero made zipfile read forever.
@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_fifo_or_device_is_refused_promptly(tmp_path, kind):
    if kind == "fifo":
        path = tmp_path / "model.npz"
        os.mkfifo(path)
    else:
        path = "/dev/zero"
        if not os.path.exists(path):
            pytest.skip("no /dev/zero")
    outcome, output = _load_in_subprocess(path, timeout=5)
    assert outcome == "refused", (outcome, output[-500:])
    assert os.fspath(path) in output


# -- metadata -----------------------------------------------------------------

def _npy(array):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, allow_pickle=False)
    return buf.getvalue()


def _with_metadata_bytes(saved, dst, raw):
    with zipfile.ZipFile(saved) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "metadata.npy":
                data = _npy(np.frombuffer(raw, dtype="u1"))
            zout.writestr(info, data)
    return dst


def _metadata_json(saved):
    with np.load(saved, allow_pickle=False) as npz:
        return npz["metadata"].tobytes()


@pytest.mark.parametrize("name,raw", [
    ("latin1", lambda j: j.decode("utf-8").encode("latin-1", "replace") + b"\xff\xfe"),
    ("utf16", lambda j: j.decode("utf-8").encode("utf-16")),
    ("bom", lambda j: b"\xef\xbb\xbf" + j),
    ("not-json", lambda j: b"labels: [a, b, c]"),
    ("empty", lambda j: b""),
    ("nul", lambda j: b"\x00" * 64),
    ("truncated-json", lambda j: j[: len(j) // 2]),
    ("json-list", lambda j: b"[1, 2, 3]"),
    ("json-string", lambda j: b'"metadata"'),
    ("json-null", lambda j: b"null"),
    ("lone-surrogate-escape", lambda j: j.replace(b'"labels"', b'"\\ud800labels"', 1)),
])
def test_metadata_that_is_not_utf8_json_object_is_refused(saved, tmp_path, name, raw):
    path = _with_metadata_bytes(saved, tmp_path / f"meta-{name}.npz", raw(_metadata_json(saved)))
    with pytest.raises(ModelFileError, match=rf"meta-{name}\.npz"):
        discourse.load_model(path)


# Regression (fixed): json.loads used to raise RecursionError through load_model.
def test_deeply_nested_metadata_is_refused(saved, tmp_path):
    path = _with_metadata_bytes(saved, tmp_path / "nested.npz", b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(ModelFileError, match=r"nested\.npz"):
        discourse.load_model(path)


def _consistent_file(saved, dst, edit_meta=None, edit_arrays=None):
    """A file whose sha256 is valid but whose content was edited (a forged/buggy writer)."""
    arrays, meta = read_model_file(saved)
    arrays, meta = dict(arrays), copy.deepcopy(meta)
    for key in ("sha256", "format_version"):
        meta.pop(key)
    if edit_meta:
        edit_meta(meta)
    if edit_arrays:
        edit_arrays(arrays)
    return write_model_file(dst, arrays, meta)


CONSISTENT_BUT_WRONG = {
    "labels-missing": (lambda m: m.pop("labels"), None),
    "labels-too-many": (lambda m: m.update(labels=m["labels"] + ["extra"]), None),
    "labels-not-strings": (lambda m: m.update(labels=[1, 2, 3]), None),
    "features-null": (lambda m: m.update(features=None), None),
    "features-bad-range": (lambda m: m["features"]["word"].update(ngram_range=[2, 1]), None),
    "features-range-null": (lambda m: m["features"]["char"].update(ngram_range=[None, 5]), None),
    "features-unknown-key": (lambda m: m["features"]["word"].update(colour="blue"), None),
    "thresholds-missing": (lambda m: m.pop("thresholds"), None),
    "thresholds-strings": (lambda m: m.update(thresholds=["a", "b", "c"]), None),
    "thresholds-null": (lambda m: m.update(thresholds=None), None),
    "thresholds-short": (lambda m: m.update(thresholds=[0.5]), None),
    "thresholds-nan": (lambda m: m.update(thresholds=[float("nan")] * 3), None),
    "offsets-reversed": (None, lambda a: a.update(word_offsets=a["word_offsets"][::-1].copy())),
    "offsets-past-the-blob": (None, lambda a: a.update(char_offsets=a["char_offsets"] + 10**6)),
    "offsets-mid-character": (None, lambda a: a.update(
        char_offsets=np.concatenate([a["char_offsets"][:1], a["char_offsets"][1:-1] + 1, a["char_offsets"][-1:]]))),
    "idf-short": (None, lambda a: a.update(word_idf=a["word_idf"][:-1])),
    "coef-transposed": (None, lambda a: a.update(coef=np.ascontiguousarray(a["coef"].T))),
    "coef-inf": (None, lambda a: a.update(coef=np.where(np.arange(a["coef"].size).reshape(a["coef"].shape) == 0,
                                                        np.inf, a["coef"]))),
    "intercept-2d": (None, lambda a: a.update(intercept=a["intercept"][None, :])),
}


@pytest.mark.parametrize("case", sorted(CONSISTENT_BUT_WRONG))
def test_labels_shapes_and_settings_that_disagree_are_refused(saved, tmp_path, case):
    edit_meta, edit_arrays = CONSISTENT_BUT_WRONG[case]
    path = _consistent_file(saved, tmp_path / f"{case}.npz", edit_meta, edit_arrays)
    with pytest.raises(ModelFileError, match=rf"{case}\.npz"):
        discourse.load_model(path)


# Regression (fixed): duplicate labels used to load, and Sentence.scores lost a column.
def test_duplicate_labels_are_refused(saved, tmp_path):
    path = _consistent_file(saved, tmp_path / "duplicate.npz", lambda m: m.update(labels=["a", "a", "b"]))
    with pytest.raises(ModelFileError, match=r"duplicate\.npz"):
        discourse.load_model(path)


# Regression (fixed): OverflowError used to escape Model.from_file.
def test_threshold_too_large_for_a_float_is_refused(saved, tmp_path):
    path = _consistent_file(saved, tmp_path / "overflow.npz", lambda m: m.update(thresholds=[10**400, 0.5, 0.5]))
    with pytest.raises(ModelFileError, match=r"overflow\.npz"):
        discourse.load_model(path)


# -- a valid model whose feature settings outrun its vocabulary -----------------

def _short_term_model(char_range):
    """A tiny, self-consistent model whose longest char term is shorter than max_n."""
    from discourse.features import BlockSettings, FeatureSettings

    settings = FeatureSettings(word=BlockSettings((1, 2), min_df=1), char=BlockSettings(char_range, min_df=1))
    char_terms = [" a", "ab", "b ", " ab", "ab ", " ab "]
    return Model(labels=discourse.LABELS, settings=settings, word_terms=["ab"], char_terms=char_terms,
                 word_idf=[1.0], char_idf=np.ones(len(char_terms)), coef=np.ones((3, 1 + len(char_terms))),
                 intercept=np.zeros(3), thresholds=[0.5] * 3)


# Regression (fixed): the dense char-trie walk used to run to max_n past the deepest term and
# raise IndexError (a real training with char (3, 30), min_df=2 hit it).
def test_scorer_handles_char_max_n_longer_than_every_term():
    model = _short_term_model((2, 8))
    texts = ["ab", "ab ab abab", "xyz"]
    expected = model.to_sklearn().predict_proba(texts)
    assert np.abs(model.scorer.predict_proba(texts) - expected).max() <= 1e-9


def test_scorer_hashed_lookup_handles_char_max_n_longer_than_every_term():
    from discourse.scorer import CompiledScorer

    model = _short_term_model((2, 8))
    scorer = CompiledScorer.from_model(model, char_lookup="hashed")
    texts = ["ab", "ab ab abab", "xyz"]
    assert np.abs(scorer.predict_proba(texts) - model.to_sklearn().predict_proba(texts)).max() <= 1e-9


# =============================================================================
# Text: every entry point on every awkward kind of text
# =============================================================================

TEXT_CASES = {
    "empty": "",
    "blank-spaces": "    ",
    "blank-mixed": " \t\n\r\n\x0b\x0c\u00a0\u2000\u3000\u2028\u2029\x1c\x1d\x1e\x1f\x85 ",
    "blank-crlf": "\r\n\r\n\r\n",
    "nul": "Kazakhstan\x00 balances Moscow.\x00 Beijing\x00\x00 listens.\x00",
    "only-nul": "\x00\x00\x00",
    "controls": "Bell\x07 and escape\x1b[0m. Delete\x7f here.\x08 Backspace\x01\x02\x03 too!",
    "c1-controls": "Next\x85line. Private\x91use\x92 marks\x9f.",
    "lone-surrogates": "Astana \ud800 hosts. \udfff Talks \udbff\udbff end.\ud83d",
    "only-surrogate": "\ud800",
    "zero-width": "Zero\u200bwidth\u200c space\u200d. \ufeffBOM inside.\u2060 Word\u2060joiner.",
    "bidi": "\u202eReversed text.\u202c \u200fRTL mark\u200e. \u2066isolate\u2069 ends. \u061c",
    "arabic-hebrew": "Astana and \u0627\u0644\u0631\u064a\u0627\u0636 talk. \u05e9\u05dc\u05d5\u05dd ends.",
    "combining": "e\u0301\u0301\u0301 stacked. \u0301Leading combining. Zalgo t\u0337\u0336\u0335ext!",
    "decomposed": "Pra\u0308sident Mu\u0308ller. Straße und STRASSE. \u0418\u0306 \u0439.",
    "emoji": "😀 Astana 🇰🇿 meets 🇷🇺 and 🇨🇳. 👩\u200d👩\u200d👧 family! 👍🏽 Done.",
    "flags-only": "🇩🇪🇷🇺🇺🇸🇰🇿",
    "astral": "\U0001d54f\U0001d550 math. \U00020000\U0002a6d6 CJK ext. \U0010ffff end.",
    "noncharacters": "\ufffe\uffff text. \ufdd0 more. \ufffd replacement.",
    "crlf": "Title line\r\nFirst sentence. Second one!\r\n\r\nNew paragraph.\r\n",
    "lone-cr": "Title\rFirst sentence. Second one!\r\rNew paragraph.\r",
    "mixed-line-ends": "A.\nB.\r\nC.\rD.\x0bE.\x0cF.\x1cG.\x1dH.\x1eI.\x85J.\u2028K.\u2029L.",
    "mixed-scripts": "Москва, Berlin und 北京 discuss Суверенитет und Unabhängigkeit today.",
    "mixed-scripts-in-word": "Mocквa (Latin M, o, c + Cyrillic) and Бeрлин swap letters.",
    "quotes": "„Wir entscheiden selbst“, sagte er. «Без условий», — заявил министр. \"Why?\" he asked.",
    "punctuation-only": "... ?!? … !!! ... ;;; ---",
    "tabs": "\tTabbed\tsentence.\t\tAnother\tone.\t",
    "very-long-sentence": " ".join(["Kazakhstan balances Moscow and Beijing"] * 500) + ".",
    "numbers": "It rose 12 000 times in 2023! Was it 3.000 or 1.5 billion? No. 5 was 4,5 %.",
    "abbreviations": "Dr. Smith met U.S. officials. Am 3. Oktober kam z. B. Prof. Weber. В 2023 г. т. е. рост.",
}


@pytest.mark.parametrize("name", sorted(TEXT_CASES))
def test_awkward_text_at_every_entry_point(name, reference):
    text = TEXT_CASES[name]
    doc = check_every_entry_point(text, reference=reference)
    if not text.strip():
        assert doc.sentences == []


def test_awkward_texts_together_in_one_batch():
    texts = [TEXT_CASES[k] for k in sorted(TEXT_CASES)]
    docs = discourse.classify_many(texts, batch_size=3)
    assert docs == [discourse.classify(t) for t in texts]
    flat = [s.text for d in docs for s in d.sentences]
    assert discourse.score(flat, batch_size=7).tolist() == [
        [s.scores[lab] for lab in discourse.LABELS] for d in docs for s in d.sentences]


def test_line_ends_each_end_a_sentence():
    doc = discourse.classify(TEXT_CASES["mixed-line-ends"])
    assert [s.text for s in doc.sentences] == [c + "." for c in "ABCDEFGHIJKL"]
    doc = discourse.classify(TEXT_CASES["lone-cr"])
    assert [s.text for s in doc.sentences] == ["Title", "First sentence.", "Second one!", "New paragraph."]
    doc = discourse.classify(TEXT_CASES["crlf"])
    assert [s.text for s in doc.sentences] == ["Title line", "First sentence.", "Second one!", "New paragraph."]


# -- large inputs ------------------------------------------------------------------

def _ten_megabytes():
    """A 10 MB document: long sentences in three languages, CRLF paragraphs."""
    en = " ".join(["Kazakhstan keeps equal ties with Moscow, Beijing and Washington"] * 6) + "."
    de = " ".join(["Das Land will sich nicht zwischen Washington und Moskau entscheiden"] * 6) + "!"
    ru = " ".join(["Страна выстраивает равноудалённые отношения с крупными державами"] * 6) + "?"
    para = f"{en} {de} {ru} 😀 \u200b{en}\r\n"
    text = para * (10_000_000 // len(para) + 1)
    return text[:10_000_000]


@pytest.fixture(scope="module")
def ten_mb():
    text = _ten_megabytes()
    return text, discourse.classify(text)


def test_ten_megabyte_document_classify_and_split(ten_mb):
    text, doc = ten_mb
    assert len(text) == 10_000_000
    assert len(doc.sentences) > 20_000
    assert [(s.start, s.end) for s in doc.sentences] == split_sentences(text)
    assert_aligned(text, doc)


def test_ten_megabyte_document_classify_many_and_score(ten_mb):
    text, doc = ten_mb
    docs = discourse.classify_many(["Short one.", text, ""], batch_size=2)
    assert docs[1] == doc and len(docs) == 3
    p = discourse.score([text])  # the whole document as one "sentence"
    assert p.shape == (1, 3) and np.isfinite(p).all()


LONG_TOKENS = {
    "latin": "a",
    "cyrillic": "я",
    "emoji": "😀",
    "combining": "\u0301",
    "period": ".",
    "zero-width": "x\u200b",
    "surrogate": "\ud800",
    "nul": "\x00",
    "abbrev": "z.B.",
}


@pytest.mark.parametrize("name", sorted(LONG_TOKENS))
def test_200000_character_token_without_spaces(name, reference):
    unit = LONG_TOKENS[name]
    token = (unit * (200_000 // len(unit) + 1))[:200_000]
    text = f"Before it. {token} After it."
    doc = check_every_entry_point(text, reference=reference if name in ("latin", "cyrillic", "period") else None)
    assert sum(len(s.text) for s in doc.sentences) >= 200_000
    assert discourse.score([token]).shape == (1, 3)


def test_50000_repetitions_of_one_sentence():
    sentence = "Astana will not choose between Moscow and Beijing."
    text = " ".join([sentence] * 50_000)
    doc = discourse.classify(text)
    assert len(doc.sentences) == 50_000
    assert {s.text for s in doc.sentences} == {sentence}
    assert_aligned(text, doc, check_scores=False)
    first = doc.sentences[0].scores
    assert all(s.scores == first for s in doc.sentences)  # identical sentences, identical scores
    assert discourse.score([sentence])[0].tolist() == [first[lab] for lab in discourse.LABELS]
    docs = discourse.classify_many([text], batch_size=1)
    assert docs == [doc]
    p = discourse.score([sentence] * 50_000, batch_size=4096)
    assert p.shape == (50_000, 3) and (p == p[0]).all()


# =============================================================================
# Non-text input, at every entry point
# =============================================================================

NOT_TEXT = [
    None, b"bytes", bytearray(b"ba"), memoryview(b"mv"), 0, 1.5, math.nan, np.float32("nan"),
    np.float64("nan"), decimal.Decimal("NaN"), True, 1j, ["a list"], ("a", "tuple"), {"a": "dict"},
    {"a set"}, object(), np.array(["an", "array"]),
]


def _tname(x):
    """The type name the error message must show (NaN floats are called NaN)."""
    if isinstance(x, float) and math.isnan(x):
        return r"float \(NaN\)"
    return type(x).__name__


@pytest.mark.parametrize("bad", NOT_TEXT, ids=lambda x: type(x).__name__)
def test_split_sentences_rejects_non_text(bad):
    with pytest.raises(TypeError, match=rf"text must be str, got {type(bad).__name__}"):
        split_sentences(bad)


@pytest.mark.parametrize("bad", NOT_TEXT, ids=lambda x: type(x).__name__)
def test_classify_rejects_non_text_naming_the_type(bad):
    with pytest.raises(TypeError, match=rf"text: expected text \(str\), got {_tname(bad)}"):
        discourse.classify(bad)


@pytest.mark.parametrize("entry", ["classify_many", "score"])
@pytest.mark.parametrize("position", [0, 1, 1234])
@pytest.mark.parametrize("bad", NOT_TEXT, ids=lambda x: type(x).__name__)
def test_stream_entry_points_name_position_and_type(entry, position, bad):
    def stream():
        for i in range(position):
            yield f"Sentence number {i}."
        yield bad
        yield "Never reached."

    what = "texts" if entry == "classify_many" else "sentences"
    with pytest.raises(TypeError, match=rf"{what}\[{position}\]: expected text \(str\), got {_tname(bad)}"):
        getattr(discourse, entry)(stream(), batch_size=7)


@pytest.mark.parametrize("bad", [math.nan, np.float64("nan")], ids=["float", "np.float64"])
def test_nan_is_called_nan_everywhere(bad):
    for call in (lambda: discourse.classify(bad), lambda: discourse.classify_many(["x", bad]),
                 lambda: discourse.score(["x", bad])):
        with pytest.raises(TypeError, match=r"NaN"):
            call()


@pytest.mark.parametrize("entry", ["classify_many", "score"])
@pytest.mark.parametrize("bare", ["text", "", np.str_("numpy str"), b"", b"bytes"], ids=repr)
def test_bare_string_where_a_list_is_expected_is_a_clear_error(entry, bare):
    with pytest.raises(TypeError, match=r"Iterable over raw text documents expected.*wrap a single text in a list"):
        getattr(discourse, entry)(bare)


@pytest.mark.parametrize("entry", ["classify_many", "score"])
@pytest.mark.parametrize("bad", [None, 3, math.nan, object()], ids=lambda x: type(x).__name__)
def test_non_iterable_where_a_list_is_expected(entry, bad):
    with pytest.raises(TypeError, match=rf"must be an iterable of str, got {_tname(bad)}"):
        getattr(discourse, entry)(bad)


@pytest.mark.parametrize("entry", ["classify_many", "score"])
def test_bytearray_where_a_list_is_expected_is_a_type_error(entry):
    with pytest.raises(TypeError, match=r"\[0\]: expected text \(str\), got int"):
        getattr(discourse, entry)(bytearray(b"abc"))


def test_str_subclasses_are_text():
    class Tagged(str):
        pass

    text = Tagged("Astana balances Moscow. Beijing listens.")
    doc = discourse.classify(text)
    assert [s.text for s in doc.sentences] == ["Astana balances Moscow.", "Beijing listens."]
    assert discourse.classify_many([text]) == [doc]
    assert discourse.score([np.str_("Astana balances Moscow.")]).shape == (1, 3)
