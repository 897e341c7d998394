#!/usr/bin/python3
"""Compare a Google Benchmark JSON run with the stored baseline.

usage: compare_baseline.py BASELINE.json CURRENT.json [--tolerance 0.25]
Prints the ratio current/baseline of each benchmark's median real time (lower is better)
and exits 1 if any is slower than baseline by more than the tolerance. Benchmarks present
in only one file are listed, not judged.
"""
import argparse, json, sys


def medians(path):
    with open(path) as f:
        data = json.load(f)
    out = {}
    for b in data["benchmarks"]:
        name = b["name"]
        if b.get("aggregate_name") == "median":
            out[name.rsplit("_median", 1)[0]] = b["real_time"]
        elif "aggregate_name" not in b and b.get("run_type") != "aggregate":
            out.setdefault(name, b["real_time"])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("baseline")
    ap.add_argument("current")
    ap.add_argument("--tolerance", type=float, default=0.25)
    a = ap.parse_args()
    base, cur = medians(a.baseline), medians(a.current)
    worst = 0.0
    for name in sorted(set(base) | set(cur)):
        if name not in base or name not in cur:
            print(f"{name:70s} only in {'baseline' if name in base else 'current'}")
            continue
        r = cur[name] / base[name]
        worst = max(worst, r)
        flag = "  REGRESSION" if r > 1 + a.tolerance else ""
        print(f"{name:70s} {base[name]:10.3f} -> {cur[name]:10.3f}  x{r:5.2f}{flag}")
    if worst > 1 + a.tolerance:
        print(f"slowest ratio {worst:.2f} exceeds 1 + {a.tolerance}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
