"""Peak resident memory of discourse.score streaming a generator, and of classify on 10 MB.

    python benchmarks/bench_memory.py                        # 100k, 300k, 1M sentences + 10 MB text
    python benchmarks/bench_memory.py --n 100000 300000      # other stream sizes
    python benchmarks/bench_memory.py --text-mb 2            # a smaller text

Each measurement runs in a fresh subprocess (``python bench_memory.py --child
KIND N``) and reports that process's RSS high-water mark,
``resource.getrusage(RUSAGE_SELF).ru_maxrss``, so that no measurement inherits
another's peak. Rows:

- ``python + numpy``: the interpreter with numpy imported (the floor of any row);
- ``import + load_model``: ``import discourse; discourse.load_model()``;
- ``+ scorer compiled``: that, plus the compiled scorer and its character tables
  (one sentence scored): the baseline of every scoring row;
- ``score stream N``: ``discourse.score(generator)`` over N sentences made on
  the fly by ``_corpus.iter_sentences`` (never a list), default batch_size;
  the result, an (N, 3) float64 array (24 bytes a sentence), is part of it;
- ``classify 10 MB text``: ``discourse.classify`` on one text of about 10 MB
  of UTF-8 made of the same sentences (the text itself is part of the peak).

Target: every peak under 400 MB, and flat in N apart from the result array.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET_MB = 400


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _current_mb():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20
    except OSError:
        import psutil

        return psutil.Process().memory_info().rss / 2 ** 20


def child(kind, n):
    """Run one measurement in this (fresh) process and print it as JSON."""
    import numpy as np

    out = {"kind": kind, "n": n}
    if kind == "numpy":
        out.update(peak_mb=_peak_mb())
        print(json.dumps(out))
        return
    sys.path.insert(0, HERE)
    from _corpus import iter_sentences, make_text

    import discourse

    model = discourse.load_model()
    if kind == "load":
        out.update(peak_mb=_peak_mb())
        print(json.dumps(out))
        return
    discourse.score(["Astana keeps its doors open to all."])  # compile scorer + tables
    out["before_mb"] = _current_mb()
    out["before_peak_mb"] = _peak_mb()
    if kind == "compiled":
        pass
    elif kind == "stream":
        t = time.perf_counter()
        probs = discourse.score(iter_sentences(n))
        out["seconds"] = time.perf_counter() - t
        out["result_mb"] = probs.nbytes / 2 ** 20
        assert probs.shape == (n, len(model.labels)), probs.shape
    elif kind == "classify":
        text = make_text(n)
        out["text_chars"] = len(text)
        out["text_mb"] = _current_mb() - out["before_mb"]
        t = time.perf_counter()
        doc = discourse.classify(text)
        out["seconds"] = time.perf_counter() - t
        out["sentences"] = len(doc.sentences)
    else:
        raise SystemExit(f"unknown kind {kind!r}")
    out["peak_mb"] = _peak_mb()
    print(json.dumps(out))


def measure(kind, n=0):
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", kind, str(n)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"measurement {kind} {n} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[100_000, 300_000, 1_000_000],
                    help="stream sizes (default 100000 300000 1000000)")
    ap.add_argument("--text-mb", type=float, default=10.0, help="size of the classify text (default 10)")
    ap.add_argument("--child", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child[0], int(args.child[1]))
        return 0

    rows = []

    def add(label, m, note=""):
        rows.append((label, m["peak_mb"], note))
        print(f"  {label}: peak {m['peak_mb']:.0f} MB {note}", flush=True)

    print(f"each row a fresh subprocess; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    add("python + numpy", measure("numpy"))
    add("import + load_model", measure("load"))
    base = measure("compiled")
    add("+ scorer compiled (baseline)", base, f"(RSS now {base['before_mb']:.0f} MB)")
    for n in args.n:
        m = measure("stream", n)
        add(f"score stream {n:,} (generator)", m,
            f"({n / m['seconds']:,.0f} sent/s; result array {m['result_mb']:.1f} MB; "
            f"peak - baseline {m['peak_mb'] - base['peak_mb']:.0f} MB)")
    nbytes = int(args.text_mb * 1_000_000)
    m = measure("classify", nbytes)
    add(f"classify one {args.text_mb:g} MB text", m,
        f"({m['text_chars']:,} chars, {m['sentences']:,} sentences, {m['seconds']:.1f} s; "
        f"the text itself {m['text_mb']:.0f} MB)")

    w = max(len(r[0]) for r in rows)
    print()
    print(f"{'measurement':<{w}}  {'peak RSS MB':>11}  {'<' + str(TARGET_MB) + ' MB':>7}  note")
    for label, peak, note in rows:
        print(f"{label:<{w}}  {peak:11.0f}  {'yes' if peak < TARGET_MB else 'NO':>7}  {note}")
    streams = [r[1] for r in rows if r[0].startswith("score stream")]
    if len(streams) > 1:
        print(f"\nstream peaks span {min(streams):.0f}-{max(streams):.0f} MB "
              f"(growth {max(streams) - min(streams):.0f} MB over the sizes measured)")
    return 0 if all(r[1] < TARGET_MB for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
