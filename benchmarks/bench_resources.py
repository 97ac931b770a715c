"""Peak memory (ru_maxrss) and time of large inputs, each case in a fresh process.

    python benchmarks/bench_resources.py               # every case
    python benchmarks/bench_resources.py --quick       # 1/10 of the sizes
    python benchmarks/bench_resources.py --case stream-score --n 2000000

Cases
-----
baseline
    import, load the default model, compile its scorer, classify one sentence:
    the fixed cost every other figure includes.
classify-10mb-long / classify-10mb-short
    ``discourse.classify`` on one 10 MB document, made of ~1,000-character
    sentences (about 10,000 of them) or of ~60-character sentences (about
    170,000); ``--mb`` changes the size.
score-10mb-sentence
    ``discourse.score`` on the same 10 MB text passed as one sentence: the
    scorer vectorises over every character of a batch, so one huge "sentence"
    costs memory in proportion to its length.
stream-score
    ``discourse.score`` over a generator of 1,000,000 distinct sentences
    (``--n``), in chunks of 500: only the (n, 3) float64 result grows.
stream-classify
    ``discourse.classify_many`` over the same 1,000,000 sentences as 100,000
    texts of 10 sentences, fed from a generator and consumed 1,000 texts at a
    time by the caller (results counted, then dropped).

Each case runs in its own ``python`` child, which prints its figures as JSON;
``ru_maxrss`` is that child's peak resident set size. Every case also checks
its result (sentence counts, offsets, shapes), so a fast wrong answer shows as
an error, not a good figure. Tests check correctness only; this script is the
place for time and memory.
"""

from __future__ import annotations

import argparse
import itertools
import json
import pathlib
import resource
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent

SUBJECTS = ["Kazakhstan", "Uzbekistan", "The government", "Das Land", "Die Regierung", "Страна",
            "Правительство", "The minister", "Astana", "Tashkent"]
VERBS = ["keeps equal ties with", "refuses to choose between", "balances", "will not be dictated to by",
         "pflegt Beziehungen zu", "entscheidet selbst über", "выстраивает отношения с", "не выбирает между"]
OBJECTS = ["Moscow and Beijing", "Washington, Brussels and Beijing", "the great powers",
           "Moskau und Peking", "Москвой и Пекином", "all its partners", "foreign lenders"]


def sentence(i):
    """The i-th generated sentence: distinct for every i, deterministic."""
    return (f"{SUBJECTS[i % len(SUBJECTS)]} {VERBS[(i // 10) % len(VERBS)]} "
            f"{OBJECTS[(i // 80) % len(OBJECTS)]} in round {i}.")


def sentences(n):
    return (sentence(i) for i in range(n))


def document(megabytes, long_sentences):
    """A document of exactly ``megabytes`` million characters, and its sentence count if cut clean."""
    size = int(megabytes * 1_000_000)
    if long_sentences:
        unit = " ".join(sentence(i)[:-1] for i in range(16)) + ". "  # ~1,000 characters
    else:
        unit = " ".join(sentence(i) for i in range(16)) + " "
    text = (unit * (size // len(unit) + 1))[:size]
    return text


def maxrss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


# -- the cases, each run in a child ------------------------------------------------------

def case_baseline(args):
    import discourse

    discourse.classify("Kazakhstan balances Moscow and Beijing.")
    return {"maxrss_before_mb": round(maxrss_mb())}


def _check_doc(text, doc):
    prev = 0
    for s in doc.sentences:
        assert prev <= s.start < s.end <= len(text) and s.text == text[s.start:s.end]
        prev = s.end
    covered = "".join(s.text for s in doc.sentences)
    assert "".join(covered.split()) == "".join(text.split()), "text dropped"


def _classify_doc(args, long_sentences):
    import discourse

    discourse.classify("Warm up.")
    text = document(args.mb, long_sentences)
    before = maxrss_mb()
    started = time.perf_counter()
    doc = discourse.classify(text)
    seconds = time.perf_counter() - started
    _check_doc(text, doc)
    return {"chars": len(text), "sentences": len(doc.sentences), "seconds": round(seconds, 2),
            "maxrss_before_mb": round(before)}


def case_classify_10mb_long(args):
    return _classify_doc(args, True)


def case_classify_10mb_short(args):
    return _classify_doc(args, False)


def case_score_10mb_sentence(args):
    import discourse

    discourse.score(["Warm up."])
    text = document(args.mb, False)
    before = maxrss_mb()
    started = time.perf_counter()
    p = discourse.score([text])  # the whole document as one "sentence": no chunking can help
    seconds = time.perf_counter() - started
    assert p.shape == (1, 3)
    return {"chars": len(text), "seconds": round(seconds, 2), "maxrss_before_mb": round(before)}


def case_stream_score(args):
    import discourse

    discourse.score(["Warm up."])
    before = maxrss_mb()
    started = time.perf_counter()
    p = discourse.score(sentences(args.n), batch_size=500)
    seconds = time.perf_counter() - started
    assert p.shape == (args.n, 3)
    probe = [0, args.n // 2, args.n - 1]
    assert (discourse.score([sentence(i) for i in probe]) == p[probe]).all()
    return {"sentences": args.n, "seconds": round(seconds, 2), "result_mb": round(p.nbytes / 2**20, 1),
            "maxrss_before_mb": round(before)}


def case_stream_classify(args):
    import discourse

    discourse.classify("Warm up.")
    before = maxrss_mb()
    per_text = 10
    texts = (" ".join(sentence(i) for i in range(k, k + per_text)) for k in range(0, args.n, per_text))
    started = time.perf_counter()
    n_docs = n_sents = 0
    while True:
        chunk = list(itertools.islice(texts, 1000))
        if not chunk:
            break
        for doc in discourse.classify_many(chunk, batch_size=200):
            n_docs += 1
            n_sents += len(doc.sentences)
    seconds = time.perf_counter() - started
    assert n_sents == args.n, (n_sents, args.n)
    return {"texts": n_docs, "sentences": n_sents, "seconds": round(seconds, 2), "maxrss_before_mb": round(before)}


CASES = {
    "baseline": case_baseline,
    "classify-10mb-long": case_classify_10mb_long,
    "classify-10mb-short": case_classify_10mb_short,
    "score-10mb-sentence": case_score_10mb_sentence,
    "stream-score": case_stream_score,
    "stream-classify": case_stream_classify,
}


def child(args):
    sys.path.insert(0, str(ROOT))
    out = CASES[args.case](args)
    out["maxrss_mb"] = round(maxrss_mb())
    print(json.dumps(out))


def run_case(case, args):
    cmd = [sys.executable, __file__, "--child", "--case", case, "--n", str(args.n), "--mb", str(args.mb)]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall_s"] = round(time.perf_counter() - started, 1)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=["all", *CASES], default="all")
    parser.add_argument("--n", type=int, default=1_000_000, help="sentences streamed (default 1,000,000)")
    parser.add_argument("--mb", type=float, default=10.0, help="document size in MB (default 10)")
    parser.add_argument("--quick", action="store_true", help="a tenth of --n and --mb")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.mb = args.n // 10, args.mb / 10
    if args.child:
        return child(args)
    cases = list(CASES) if args.case == "all" else ["baseline", args.case]
    print(f"peak memory and time, each case in a fresh process (n={args.n:,} sentences, {args.mb:g} MB documents)")
    print("maxrss: the child's peak RSS; warm: its RSS after loading the model and warming up;")
    print("grew: what the case itself added on top (the figure that must stay bounded)")
    print(f"{'case':<22}{'maxrss MB':>10}{'warm MB':>9}{'grew MB':>9}{'seconds':>9}  details")
    for case in cases:
        out = run_case(case, args)
        if "error" in out:
            print(f"{case:<22}{'ERROR':>10}  {out['error']}")
            continue
        rss, warm = out.pop("maxrss_mb"), out.pop("maxrss_before_mb")
        seconds = out.pop("seconds", "")
        details = ", ".join(f"{k}={v:,}" if isinstance(v, int) else f"{k}={v}" for k, v in out.items())
        print(f"{case:<22}{rss:>10}{warm:>9}{rss - warm:>+9}{seconds!s:>9}  {details}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
