"""Fuzz the sentence splitter and the compiled scorer for a fixed time budget.

    python benchmarks/fuzz.py                      # 60 s, atheris if installed, else hypothesis
    python benchmarks/fuzz.py --seconds 600
    python benchmarks/fuzz.py --engine hypothesis --seconds 30
    python benchmarks/fuzz.py --target scorer      # one target only

Targets (any failure is a crash; the run exits non-zero and prints the input):

- ``split``: ``discourse.segmentation.split_sentences(text, lang)`` on any
  ``str`` (lone surrogates, controls, every line end, news-like text with
  abbreviations, quotes and numbers) must return ordered, disjoint, stripped,
  non-empty spans that leave out nothing but whitespace, and ``classify``
  must return exactly those spans;
- ``scorer``: ``model.scorer.predict_proba(texts)`` (the compiled featuriser,
  dense char lookup) and the same model compiled with ``char_lookup="hashed"``
  must equal ``model.to_sklearn().predict_proba(texts)`` to 1e-9.

With atheris (``pip install atheris``) the run is coverage-guided over the
``discourse`` modules and nltk's Punkt, seeded with news-like inputs; crash
inputs are written to a temporary folder (``--artifacts`` to choose).
Without it, hypothesis generates inputs in rounds of fresh seeds until the
budget is spent. Either way the last line is a summary:
``fuzz: engine=... seconds=... executions=... result=ok|CRASH``.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOL = 1e-9
LANGS = (None, "en", "de", "ru")

NEWS_PIECES = [
    "Kazakhstan", "Moscow", "Beijing", "Washington", "sovereignty", "without conditions", "balances",
    "Souveränität", "ohne Auflagen", "Straße", "STRASSE", "Москва", "Пекин", "без условий", "Ёлка",
    "суверенитет", "北京", "سيادة", "İstanbul", "ΣΟΦΟΣ σ", "word_with_underscore",
    "Dr.", "U.S.", "z. B.", "т. е.", "Prof.", "No. 5", "am 3. Oktober", "1.5", "12 000", "2023 г.", "e.g.",
    ". ", "! ", "? ", "… ", "...", "?!", ".\"", "“", "”", "„", "«", "»", "(", ")", " — ", "-", ",", ";",
    " ", "  ", "\t", "\n", "\r\n", "\r", "\n\n", "\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\x1f", "\x85",
    "\u00a0", "\u3000", "\u2003", "\x00", "\x07", "\x1b", "\ud800", "\udfff", "\u200b", "\u200d", "\u200e",
    "\u202e", "\ufeff", "\u0301", "e\u0301", "😀", "🇰🇿", "👩\u200d👧", "\U0010ffff", "\ufffd",
]


# -- checks ------------------------------------------------------------------------

class Checks:
    """The two fuzz targets, with everything they need built once."""

    def __init__(self):
        import discourse
        from discourse.scorer import CompiledScorer
        from discourse.segmentation import split_sentences

        self.discourse = discourse
        self.split_sentences = split_sentences
        self.model = discourse.load_model()
        self.dense = self.model.scorer
        self.hashed = CompiledScorer.from_model(self.model, char_lookup="hashed")
        self.reference = self.model.to_sklearn()
        self.executions = 0

    def split(self, text, lang):
        self.executions += 1
        spans = self.split_sentences(text, lang)
        assert isinstance(spans, list)
        prev = 0
        for a, b in spans:
            assert isinstance(a, int) and isinstance(b, int), (a, b)
            assert prev <= a < b <= len(text), ("spans out of order or overlapping", prev, a, b)
            piece = text[a:b]
            assert piece and piece.strip() == piece, ("span not stripped or empty", piece)
            prev = b
        covered = "".join(text[a:b] for a, b in spans)
        assert "".join(covered.split()) == "".join(text.split()), "non-whitespace text left out"
        if lang is None:
            doc = self.discourse.classify(text)
            assert [(s.start, s.end) for s in doc.sentences] == spans, "classify disagrees with split_sentences"
            assert all(s.text == text[s.start:s.end] for s in doc.sentences)

    def scorer(self, texts):
        import numpy as np

        self.executions += 1
        want = self.reference.predict_proba(texts)
        for name, scorer in (("dense", self.dense), ("hashed", self.hashed)):
            got = scorer.predict_proba(texts)
            assert got.shape == want.shape == (len(texts), len(self.model.labels)), (name, got.shape)
            assert np.isfinite(got).all(), name
            diff = float(np.abs(got - want).max(initial=0.0))
            assert diff <= TOL, f"{name} scorer differs from sklearn by {diff:.3g}"


# -- atheris -------------------------------------------------------------------------

def _text_from(fdp):
    """Arbitrary unicode, or a news-like sequence of pieces, from the fuzzer's bytes."""
    mode = fdp.ConsumeIntInRange(0, 2)
    if mode == 0:
        return fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 300))
    if mode == 1:
        return fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 300))
    n = fdp.ConsumeIntInRange(0, 60)
    return "".join(NEWS_PIECES[fdp.ConsumeIntInRange(0, len(NEWS_PIECES) - 1)] for _ in range(n))


def _seed_corpus(folder):
    """News-like seeds, so the fuzzer starts from sentences rather than noise."""
    samples = [
        "Dr. Smith met U.S. officials. They agreed!",
        "Am 3. Oktober kam z. B. Prof. Weber. Er sprach „kurz.“ Dann ging er.",
        "Итоги\nВ 2023 г. страна, т. е. Казахстан, выросла на 5 %. Это много.",
        "Kazakhstan refuses to choose between Moscow and Beijing. The loans come without strings.",
        "\"Why?\" he asked. «Нет», — сказал он.\r\nTitle\rNext line…",
    ]
    for i, s in enumerate(samples):
        for target in (0, 1):
            # first byte picks the target, then mode 1 (unicode without surrogates)
            (folder / f"seed-{i}-{target}").write_bytes(bytes([target, 1, len(s) % 256]) + s.encode("utf-8"))


def run_atheris(seconds, targets, artifacts):
    import atheris

    with atheris.instrument_imports(include=["discourse", "nltk.tokenize.punkt"]):
        checks = Checks()
        checks.split("Warm up. Aufwärmen.", None)

    def one_input(data):
        fdp = atheris.FuzzedDataProvider(data)
        target = targets[fdp.ConsumeIntInRange(0, len(targets) - 1)]
        if target == "split":
            lang = LANGS[fdp.ConsumeIntInRange(0, len(LANGS) - 1)]
            checks.split(_text_from(fdp), lang)
        else:
            n = fdp.ConsumeIntInRange(1, 4)
            checks.scorer([_text_from(fdp) for _ in range(n)])

    corpus = pathlib.Path(tempfile.mkdtemp(prefix="discourse-fuzz-corpus-"))
    _seed_corpus(corpus)
    argv = [sys.argv[0], f"-max_total_time={int(seconds)}", "-rss_limit_mb=6144", "-timeout=60",
            "-max_len=4096", f"-artifact_prefix={artifacts}{os.sep}", "-print_final_stats=1", str(corpus)]
    atheris.Setup(argv, one_input)
    atheris.Fuzz()  # libFuzzer ends the process when the budget is spent or on a crash


def run_atheris_child(seconds, targets, artifacts):
    """Run atheris in a child process (libFuzzer exits the process) and summarise its run."""
    import re
    import subprocess

    started = time.monotonic()
    cmd = [sys.executable, __file__, "--engine", "atheris-child", "--seconds", str(seconds),
           "--artifacts", artifacts, "--target", targets[0] if len(targets) == 1 else "all"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            errors="replace")
    runs = None
    for line in proc.stdout:
        sys.stdout.write(line)
        m = re.match(r"Done (\d+) runs", line)
        if m:
            runs = int(m.group(1))
    code = proc.wait()
    result = "ok" if code == 0 and runs is not None else f"CRASH (exit {code}; inputs in {artifacts})"
    print(f"fuzz: engine=atheris seconds={time.monotonic() - started:.0f} "
          f"executions={runs} result={result}", flush=True)
    return 0 if result == "ok" else 1


# -- hypothesis ------------------------------------------------------------------------

def run_hypothesis(seconds, targets):
    from hypothesis import HealthCheck, given, seed, settings
    from hypothesis import strategies as st

    checks = Checks()
    news = st.lists(st.sampled_from(NEWS_PIECES), max_size=60).map("".join)
    raw = st.text(st.characters(codec=None, exclude_categories=()), max_size=300)
    mixed = st.lists(st.one_of(st.sampled_from(NEWS_PIECES), st.text(max_size=6)), max_size=40).map("".join)
    text = st.one_of(news, raw, mixed)
    deadline = time.monotonic() + seconds
    rounds = 0
    started = time.monotonic()

    def make_case(target, round_seed):
        @seed(round_seed)
        @settings(max_examples=200, deadline=None, database=None, derandomize=False,
                  suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
        @given(text=text, texts=st.lists(text, min_size=1, max_size=4), lang=st.sampled_from(LANGS))
        def case(text, texts, lang):
            if time.monotonic() > deadline:
                return  # budget spent: the rest of this round is skipped
            if target == "split":
                checks.split(text, lang)
            else:
                checks.scorer(texts)

        return case

    result = "CRASH"
    try:
        while time.monotonic() < deadline:
            for target in targets:
                make_case(target, rounds)()  # raises, with the shrunk input, on any failure
                rounds += 1
        result = "ok"
    finally:
        print(f"fuzz: engine=hypothesis seconds={time.monotonic() - started:.0f} "
              f"executions={checks.executions} rounds={rounds} result={result}", flush=True)
    return checks.executions


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="time budget (default: 60)")
    parser.add_argument("--engine", choices=["auto", "atheris", "hypothesis", "atheris-child"], default="auto")
    parser.add_argument("--target", choices=["all", "split", "scorer"], default="all")
    parser.add_argument("--artifacts", default=None, help="folder for atheris crash inputs (default: a temp dir)")
    args = parser.parse_args(argv)
    targets = ["split", "scorer"] if args.target == "all" else [args.target]
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401
            engine = "atheris"
        except ImportError:
            engine = "hypothesis"
    if engine == "atheris-child":
        run_atheris(args.seconds, targets, args.artifacts)
        return 0
    if engine == "atheris":
        artifacts = args.artifacts or tempfile.mkdtemp(prefix="discourse-fuzz-crashes-")
        print(f"fuzz: atheris, {args.seconds:.0f} s, targets {targets}, crash inputs in {artifacts}", flush=True)
        return run_atheris_child(args.seconds, targets, artifacts)
    print(f"fuzz: hypothesis, {args.seconds:.0f} s, targets {targets}", flush=True)
    run_hypothesis(args.seconds, targets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
