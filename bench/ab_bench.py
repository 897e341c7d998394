#!/usr/bin/env python3
"""Two (or more) wom_bench binaries back to back, interleaved, on one benchmark filter.

Machines are shared and noisy: each repetition runs every binary once, in turn, so slow
spells hit all of them alike; the table gives the median and the spread (min–max) per binary
and benchmark, and each binary's median time as a ratio to the first binary's.

  /usr/bin/python3 bench/ab_bench.py --filter BM_ServiceWom --reps 3 \
      before=/tmp/wom_bench_before after=build/release/bench/wom_bench \
      native=build/release-native/bench/wom_bench
"""
import argparse, json, statistics, subprocess, sys, tempfile, os


def run(binary, flt):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    subprocess.run([binary, f"--benchmark_filter={flt}", f"--benchmark_out={out}", "--benchmark_out_format=json"],
                   check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        doc = json.load(f)
    os.unlink(out)
    return {b["name"]: b for b in doc["benchmarks"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--filter", default="BM_ServiceWom")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--counter", default="s/step", help="counter to report (default s/step)")
    ap.add_argument("--json", help="write the raw figures here")
    ap.add_argument("binaries", nargs="+", help="LABEL=PATH")
    a = ap.parse_args()
    bins = [b.split("=", 1) for b in a.binaries]
    samples = {}  # (label, bench) -> [values]
    for r in range(a.reps):
        for label, path in bins:
            for name, b in run(path, a.filter).items():
                samples.setdefault((label, name), []).append(b.get(a.counter, b["real_time"]))
        print(f"repetition {r + 1}/{a.reps} done", file=sys.stderr)
    names = sorted({n for _, n in samples})
    first = bins[0][0]
    print(f"{'benchmark':<62} {'binary':<10} {'median ' + a.counter:>16} {'min':>10} {'max':>10} {'vs ' + first:>8}")
    for n in names:
        base = statistics.median(samples[(first, n)])
        for label, _ in bins:
            v = samples[(label, n)]
            m = statistics.median(v)
            print(f"{n:<62} {label:<10} {m:>16.4g} {min(v):>10.4g} {max(v):>10.4g} {m / base:>8.3f}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({f"{l}|{n}": v for (l, n), v in samples.items()}, f, indent=1)


if __name__ == "__main__":
    main()
