"""Sentences per second of discourse.score against scikit-learn, fastText and two floors.

    python benchmarks/bench_scorer.py                   # 200,000 sentences, 3 repeats
    python benchmarks/bench_scorer.py --n 20000 --repeats 5
    python benchmarks/bench_scorer.py --no-fasttext

The sentences are made deterministically from ``training/corpus/*.jsonl`` by
recombination (see ``benchmarks/_corpus.py``). Every method runs on the same
list in the same process; the repeats are interleaved (repeat 1 of every
method, then repeat 2, ...) so that load from other processes spreads over all
of them. Times are medians of the repeats; the ratio columns are the median
of the speed ratios taken within each repeat (robust to load that changes
between repeats).

Rows:

- ``sklearn predict_proba``: ``model.to_sklearn().predict_proba`` on the list
  in chunks of the size that was fastest in a pilot run on the first 20,000
  sentences (the whole pilot slice at once is one of the candidates; force a
  size with ``--sklearn-chunk``, 0 meaning the whole list at once);
- ``discourse.score``: default settings (batch_size=500, one core), and with
  ``n_jobs=2`` (loky workers started and warmed up before timing);
- ``fastText dim=100 / dim=16``: supervised, ``loss='ova'``, ``wordNgrams=2``,
  ``minn=2``, ``maxn=5``, trained on the corpus sentences (``__label__none``
  for a sentence with no label); timed is ``model.predict(list, k=-1,
  threshold=0.0)`` including the newline replacement fastText needs. Skipped
  with a note if neither ``fasttext-wheel`` nor ``fasttext`` is installed;
- floors: (a) ``re.findall(r"(?u)\\b\\w\\w+\\b", s.lower())`` per sentence;
  (b) per chunk of 500, one numpy pass over the code points
  (``frombuffer`` of the UTF-32 encoding, a table lookup and a count).

The max |discourse.score - sklearn| over the whole benchmark corpus is printed
(and must be <= 1e-9), as is the max difference of the ``n_jobs=2`` result.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _corpus import labelled_sentences, make_sentences  # noqa: E402  (puts the repo on sys.path)

import discourse  # noqa: E402
from discourse.scorer import _char_tables  # noqa: E402

TOKEN = r"(?u)\b\w\w+\b"


def chunked(seq, size):
    return [seq[i:i + size] for i in range(0, len(seq), size)]


def sklearn_predict(pipe, sents, chunk):
    if chunk <= 0 or chunk >= len(sents):
        return pipe.predict_proba(sents)
    return np.concatenate([pipe.predict_proba(c) for c in chunked(sents, chunk)])


def pick_sklearn_chunk(pipe, sents, pilot=20_000):
    """Fastest chunk size on the first ``pilot`` sentences (one timing each)."""
    sample = sents[:pilot]
    candidates = sorted({c for c in (1000, 5000, len(sample)) if c <= len(sample)})
    timings = {}
    for c in candidates:
        t = time.perf_counter()
        sklearn_predict(pipe, sample, c)
        timings[c] = time.perf_counter() - t
    best = min(timings, key=timings.get)
    note = ", ".join(f"{c}: {len(sample) / s:,.0f}/s" for c, s in timings.items())
    print(f"sklearn pilot on {len(sample):,} sentences (chunk size: rate) -> {note}; using {best}")
    # the whole pilot slice at once stands for "the whole list at once"
    return 0 if best == len(sample) else best


def load_fasttext():
    try:
        import fasttext
    except ImportError:
        return None
    return fasttext


def train_fasttext(fasttext, dim, workdir):
    path = os.path.join(workdir, "train.txt")
    if not os.path.exists(path):
        with open(path, "w", encoding="utf-8") as f:
            for _, text, labels in labelled_sentences():
                tags = " ".join(f"__label__{x}" for x in labels) or "__label__none"
                f.write(f"{tags} {text.replace(chr(10), ' ')}\n")
    return fasttext.train_supervised(path, loss="ova", wordNgrams=2, minn=2, maxn=5, dim=dim,
                                     epoch=25, lr=0.5, thread=2, seed=0, verbose=0)


def floor_regex(sents):
    return [re.findall(TOKEN, s.lower()) for s in sents]


def floor_numpy(sents, word_table, size=500):
    total = 0
    for i in range(0, len(sents), size):
        cps = np.frombuffer("\n".join(sents[i:i + size]).encode("utf-32-le", "surrogatepass"), np.uint32)
        total += int(np.count_nonzero(word_table[cps]))
    return total


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200_000, help="sentences (default 200000)")
    ap.add_argument("--repeats", type=int, default=3, help="timed repeats per method (default 3)")
    ap.add_argument("--sklearn-chunk", type=int, default=None,
                    help="sklearn chunk size (0: whole list); default: pick the fastest in a pilot")
    ap.add_argument("--no-fasttext", action="store_true", help="skip the fastText rows")
    args = ap.parse_args(argv)

    t = time.perf_counter()
    sents = make_sentences(args.n)
    print(f"{len(sents):,} sentences, mean {sum(map(len, sents)) / len(sents):.1f} chars "
          f"(made in {time.perf_counter() - t:.1f} s); {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.2f} at start")

    model = discourse.load_model()
    discourse.score(sents[:1000])  # compile the scorer and the character tables
    discourse.score(sents[:4000], n_jobs=2)  # start and warm up the loky workers
    word_table = _char_tables()[0].view(np.uint8)
    pipe = model.to_sklearn()
    chunk = args.sklearn_chunk if args.sklearn_chunk is not None else pick_sklearn_chunk(pipe, sents)

    methods = [
        (f"sklearn predict_proba ({'whole list' if chunk <= 0 else f'chunks of {chunk}'})",
         lambda: sklearn_predict(pipe, sents, chunk)),
        ("discourse.score (1 core)", lambda: discourse.score(sents)),
        ("discourse.score n_jobs=2", lambda: discourse.score(sents, n_jobs=2)),
    ]
    fasttext = None if args.no_fasttext else load_fasttext()
    workdir = tempfile.TemporaryDirectory()
    if fasttext is None:
        print("note: fastText skipped: " + ("--no-fasttext" if args.no_fasttext else
              "neither fasttext-wheel nor fasttext is installed (pip install fasttext-wheel)"))
    else:
        for dim in (100, 16):
            t = time.perf_counter()
            ft = train_fasttext(fasttext, dim, workdir.name)
            print(f"fastText dim={dim} trained in {time.perf_counter() - t:.1f} s "
                  f"({len(ft.get_labels())} labels, bucket={ft.f.getArgs().bucket:,})")
            ft.predict([s.replace("\n", " ") for s in sents[:1000]], k=-1, threshold=0.0)
            methods.append((f"fastText predict dim={dim}",
                            lambda ft=ft: ft.predict([s.replace("\n", " ") for s in sents],
                                                     k=-1, threshold=0.0)))
    methods += [
        ("floor (a): regex tokenise per sentence", lambda: floor_regex(sents)),
        ("floor (b): numpy pass over code points", lambda: floor_numpy(sents, word_table)),
    ]

    times = {name: [] for name, _ in methods}
    results = {}
    for r in range(args.repeats):
        for name, func in methods:
            t = time.perf_counter()
            out = func()
            times[name].append(time.perf_counter() - t)
            if r == 0 and name.startswith(("sklearn", "discourse")):
                results[name] = out
            del out
        print(f"repeat {r + 1}/{args.repeats}: " + ", ".join(f"{times[n][-1]:.2f}s" for n, _ in methods),
              flush=True)

    med = {name: statistics.median(ts) for name, ts in times.items()}
    names = [name for name, _ in methods]
    sk, ds = names[0], names[1]
    rate = {name: len(sents) / med[name] for name in names}

    def paired(name, ref):
        # speed ratio within each repeat (same moment, same load), then the median
        return statistics.median(a / b for a, b in zip(times[ref], times[name]))

    w = max(map(len, names))
    print()
    print("sentences/s from the median time; ratios are speed ratios taken within each repeat, "
          "then the median")
    print(f"{'method':<{w}}  {'median s':>9}  {'sentences/s':>12}  {'x sklearn':>9}  {'x score':>8}")
    for name in names:
        print(f"{name:<{w}}  {med[name]:9.2f}  {rate[name]:12,.0f}  {paired(name, sk):9.2f}  "
              f"{paired(name, ds):8.3f}")
    print()
    err = float(np.abs(results[ds] - results[sk]).max())
    err2 = float(np.abs(results[names[2]] - results[ds]).max())
    print(f"max |discourse.score - sklearn| over {len(sents):,} sentences: {err:.3e} "
          f"({'OK' if err <= 1e-9 else 'FAIL'}: must be <= 1e-9)")
    print(f"max |score(n_jobs=2) - score(n_jobs=1)|: {err2:.3e}")
    print(f"load average {os.getloadavg()[0]:.2f} at end")
    workdir.cleanup()
    return 0 if err <= 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
