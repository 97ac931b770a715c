"""Tag N sentences on a two-worker Dask LocalCluster against one process, in the same run.

    python benchmarks/bench_dask.py                 # 1,000,000 sentences
    python benchmarks/bench_dask.py --n 200000      # smaller

The sentences are made deterministically by recombining sentences of
``training/corpus/*.jsonl``: the first half of one sentence's words joined to
the second half of another's, in the same language. Every row is one sentence.

Two comparisons, each of equal work:

- tagging (segmentation + scoring + table): ``discourse.dask.classify_frame`` on
  the cluster against the pandas ``discourse.frames.classify_frame`` in this process;
- scoring only: ``discourse.dask.score_series`` on the cluster against
  ``discourse.score`` in this process.

Cluster results are computed back into one pandas frame in this process (the
transfer counts) and checked equal to the single-process results. Workers and
this process are warmed up first (model loaded, scorer compiled), so neither
side pays start-up in its figure; the cluster's start-up is printed apart.

The workers run without distributed's default ``MALLOC_TRIM_THRESHOLD_=65536``
(which makes glibc hand freed memory back at once, and the scorer's numpy
temporaries page-fault afresh: about twice as slow here); ``--malloc-trim``
keeps distributed's default to measure it.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

import discourse  # noqa: E402
import discourse.dask  # noqa: E402
from discourse.frames import classify_frame  # noqa: E402

CORPUS = ROOT / "training" / "corpus"


def corpus_sentences():
    """Sentences of the corpus, by language, in file order."""
    by_lang = {}
    for path in sorted(CORPUS.glob("*.jsonl")):
        with open(path, encoding="utf-8") as f:
            by_lang[path.stem] = [s["text"] for line in f if line.strip()
                                  for s in json.loads(line)["sentences"]]
    return by_lang


def make_partition(number, size, n, seed=0):
    """Rows ``number * size`` up to ``min(n, (number + 1) * size)`` of the benchmark data.

    Deterministic: the same (number, size, n, seed) gives the same frame, in
    this process or on a worker.
    """
    start, stop = number * size, min(n, (number + 1) * size)
    rng = np.random.default_rng([seed, number])
    by_lang = corpus_sentences()
    langs = sorted(by_lang)
    words = {lang: [s.split() for s in by_lang[lang]] for lang in langs}
    lang_of = rng.integers(len(langs), size=stop - start)
    a = rng.random(stop - start)
    b = rng.random(stop - start)
    out = []
    for k, x, y in zip(lang_of, a, b):
        pool = words[langs[k]]
        first, second = pool[int(x * len(pool))], pool[int(y * len(pool))]
        out.append(" ".join(first[:max(1, len(first) // 2)] + second[len(second) // 2:]))
    index = pd.RangeIndex(start, stop)
    return pd.DataFrame({"text": pd.Series(out, index=index, dtype=object)})


def timed(label, n, func):
    t = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - t
    print(f"  {label:<44} {seconds:8.2f} s  {n / seconds:10,.0f} sentences/s", flush=True)
    return result, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="sentences (default: 1,000,000)")
    parser.add_argument("--partition-size", type=int, default=25_000, help="rows per Dask partition")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--malloc-trim", action="store_true",
                        help="keep distributed's default MALLOC_TRIM_THRESHOLD_=65536 on the workers")
    args = parser.parse_args(argv)

    import dask
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    if not args.malloc_trim:
        dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None})

    n, size = args.n, args.partition_size
    n_parts = max(1, -(-n // size))
    trim = dask.config.get("distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_", None)
    print(f"{n:,} sentences in {n_parts} partitions of {size:,}; {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}; workers' MALLOC_TRIM_THRESHOLD_={trim}", flush=True)

    t = time.perf_counter()
    pdf = pd.concat([make_partition(i, size, n) for i in range(n_parts)])
    print(f"  generated the sentences here in {time.perf_counter() - t:.2f} s", flush=True)

    t = time.perf_counter()
    cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                           dashboard_address=":0")
    client = Client(cluster)
    print(f"  cluster of {args.workers} worker processes started in {time.perf_counter() - t:.2f} s",
          flush=True)
    try:
        # The workers build their partitions themselves (as if reading Parquet).
        ddf = dd.from_map(make_partition, range(n_parts), size=size, n=n,
                          meta=pdf.iloc[:0], divisions=[i * size for i in range(n_parts)] + [n - 1])

        # Warm-up: model, scorer and segmentation data in every process.
        warm = pdf.iloc[:200]
        classify_frame(warm)
        discourse.score(warm["text"])
        client.run(lambda: discourse.dask.classify_frame(
            dd.from_pandas(pd.DataFrame({"text": ["Warm up. Twice."]}), npartitions=1)).compute(
                scheduler="sync"))

        print("tagging (segmentation + scoring + sentence table):")
        local, t_local = timed("single process: frames.classify_frame", n, lambda: classify_frame(pdf))
        remote, t_remote = timed(f"Dask, {args.workers} workers: dask.classify_frame", n,
                                 lambda: discourse.dask.classify_frame(ddf).compute())
        pd.testing.assert_frame_equal(remote, local)
        print(f"  ratio (Dask / single process): {t_local / t_remote:.2f}x; results equal", flush=True)
        del local, remote

        print("scoring only (probabilities of given sentences):")
        texts = pdf["text"].tolist()
        local, s_local = timed("single process: discourse.score", n, lambda: discourse.score(texts))
        remote, s_remote = timed(f"Dask, {args.workers} workers: dask.score_series", n,
                                 lambda: discourse.dask.score_series(ddf["text"]).compute())
        np.testing.assert_allclose(remote.to_numpy(), local, rtol=0, atol=1e-12)
        print(f"  ratio (Dask / single process): {s_local / s_remote:.2f}x; results equal", flush=True)
    finally:
        client.close()
        cluster.close()


if __name__ == "__main__":
    main()
