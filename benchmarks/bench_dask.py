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

Each side runs ``--repeats`` times, alternately, and its best time counts.
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


def compare(title, n, client, repeats, local, remote, check):
    """Run ``local`` and ``remote`` alternately ``repeats`` times; print the best of each and the ratio.

    Alternating, and keeping the best time of each, keeps a change of load
    on the machine during the run from favouring one side. CPU time counts
    this process and, for the Dask side, the workers too: sentences per CPU
    second do not depend on what else runs on the machine.
    """
    def cpu_local():
        return time.process_time()

    def cpu_remote():
        return time.process_time() + sum(client.run(time.process_time).values())

    print(f"{title}:", flush=True)
    best = {"local": (float("inf"), 0.0), "remote": (float("inf"), 0.0)}
    for _ in range(repeats):
        for side, func, cpu in (("local", local, cpu_local), ("remote", remote, cpu_remote)):
            c, t = cpu(), time.perf_counter()
            result = func()
            wall, c = time.perf_counter() - t, cpu() - c
            best[side] = min(best[side], (wall, c))
            if side == "local":
                expected = result
            else:
                check(result, expected)
            del result
    workers = len(client.scheduler_info()["workers"])
    for side, label in (("local", "single process"), ("remote", f"Dask, {workers} worker processes")):
        wall, c = best[side]
        print(f"  {label:<28} {wall:8.2f} s  {n / wall:10,.0f} sentences/s   "
              f"(CPU {c:6.2f} s, {n / c:8,.0f} sentences per CPU second)", flush=True)
    print(f"  ratio (Dask / single process): {best['local'][0] / best['remote'][0]:.2f}x wall time, "
          f"{best['local'][1] / best['remote'][1]:.2f}x CPU time; results equal", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="sentences (default: 1,000,000)")
    parser.add_argument("--partition-size", type=int, default=25_000, help="rows per Dask partition")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2, help="alternating runs of each side; best counts")
    parser.add_argument("--malloc-trim", action="store_true",
                        help="keep distributed's default MALLOC_TRIM_THRESHOLD_=65536 on the workers")
    args = parser.parse_args(argv)

    import dask
    import dask.dataframe as dd
    from distributed import Client, LocalCluster, wait

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
        # The workers build their partitions themselves and keep them in memory,
        # as this process keeps its copy: neither side's time includes the data.
        ddf = dd.from_map(make_partition, range(n_parts), size=size, n=n,
                          meta=pdf.iloc[:0], divisions=[i * size for i in range(n_parts)] + [n - 1])
        ddf = client.persist(ddf)
        wait(ddf)

        # Warm-up: model, scorer and segmentation data in every process.
        warm = pdf.iloc[:200]
        classify_frame(warm)
        discourse.score(warm["text"])
        client.run(lambda: discourse.dask.classify_frame(
            dd.from_pandas(pd.DataFrame({"text": ["Warm up. Twice."]}), npartitions=1)).compute(
                scheduler="sync"))

        compare("tagging, classify_frame (segmentation + scoring + sentence table)", n, client,
                args.repeats, lambda: classify_frame(pdf),
                lambda: discourse.dask.classify_frame(ddf).compute(), pd.testing.assert_frame_equal)
        texts = pdf["text"].tolist()
        compare("scoring only, discourse.score / dask.score_series", n, client, args.repeats,
                lambda: discourse.score(texts), lambda: discourse.dask.score_series(ddf["text"]).compute(),
                lambda got, expected: np.testing.assert_allclose(got.to_numpy(), expected, rtol=0, atol=1e-12))
        print(f"load average at the end {os.getloadavg()[0]:.1f} (other programs share these cores)")
    finally:
        client.close()
        cluster.close()


if __name__ == "__main__":
    main()
