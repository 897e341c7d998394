#!/usr/bin/python3
"""wom cost's efficiency: pricing focal events through causal cones vs full paired runs.

Runs `wom cost` on the default scenario at a chosen size, alternating the cone path and (when
asked) the full-paired-run path back to back, and reports medians of the wall times, the work
in full-run equivalents (wall time / the wall time of one plain baseline run measured inside
the same command) and, for the pair, the speed-up as a ratio. Both paths must print the same
numbers (cost_events.csv is compared byte for byte).

    /usr/bin/python3 bench/cost_efficiency.py --n 1000000 --focal 1000 --reps 3
    /usr/bin/python3 bench/cost_efficiency.py --n 100000 --focal 20 --reps 3 --versus-full
    /usr/bin/python3 bench/cost_efficiency.py --n 1000000 --focal 1000 --reps 3 \
        --baseline bench/results/cost_efficiency_1e6.json

With --baseline the figure is compared with a stored result of the same size (exit 1 when
the full-run equivalents grew by more than 25 %); --out stores this result.
"""
import argparse
import filecmp
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_cost(wom, n, focal, extra, out):
    cmd = [wom, "cost", os.path.join(ROOT, "configs", "default.yaml"), "--set", f"graph.n={n}",
           "--replicates", "1", "--focal", str(focal), "--out", out, "-q"] + extra
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "cost.json")) as f:
        return json.load(f)["efficiency"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wom", default=os.path.join(ROOT, "build", "release", "wom"))
    ap.add_argument("--n", type=int, default=1000000, help="persons")
    ap.add_argument("--focal", type=int, default=1000, help="focal events (one replicate)")
    ap.add_argument("--reps", type=int, default=3, help="repetitions (medians are reported)")
    ap.add_argument("--channels", action="store_true", help="also price every event with each channel off")
    ap.add_argument("--versus-full", action="store_true", help="also time full paired runs (--no-cone), alternating")
    ap.add_argument("--baseline", help="stored result to compare with")
    ap.add_argument("--out", help="write this result here (JSON)")
    a = ap.parse_args()
    extra = [] if a.channels else ["--channel-focal", "0"]
    cone, full = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(a.reps):
            c = run_cost(a.wom, a.n, a.focal, extra, os.path.join(tmp, f"cone{r}"))
            cone.append(c)
            if a.versus_full:
                full.append(run_cost(a.wom, a.n, a.focal, extra + ["--no-cone"], os.path.join(tmp, f"full{r}")))
                if not filecmp.cmp(os.path.join(tmp, f"cone{r}", "cost_events.csv"),
                                   os.path.join(tmp, f"full{r}", "cost_events.csv"), shallow=False):
                    sys.exit("the cone and full paths disagree: a bug")
            print(f"rep {r}: cone {c['wall_seconds']:.2f} s = {c['full_run_equivalents']:.1f} full runs"
                  + (f"; full paired runs {full[-1]['wall_seconds']:.2f} s" if full else ""), flush=True)
    med = lambda xs: statistics.median(xs)
    res = {
        "n": a.n, "focal_events": a.focal, "channels": a.channels, "cpus": os.cpu_count(),
        "variants": cone[0]["variants_by_cone"] + cone[0]["variants_by_full_run"],
        "variants_by_full_run": cone[0]["variants_by_full_run"],
        "largest_cone": cone[0]["largest_cone"],
        "cone_agent_steps": cone[0]["cone_agent_steps"],
        "full_run_seconds_median": med([c["full_run_seconds"] for c in cone]),
        "cone_wall_seconds_median": med([c["wall_seconds"] for c in cone]),
        "full_run_equivalents_median": med([c["full_run_equivalents"] for c in cone]),
        "full_run_equivalents_per_1000_events": med([c["full_run_equivalents_per_1000_events"] for c in cone]),
    }
    if full:
        res["full_paired_wall_seconds_median"] = med([f["wall_seconds"] for f in full])
        res["speedup_median"] = med([f["wall_seconds"] / c["wall_seconds"] for c, f in zip(cone, full)])
    print(json.dumps(res, indent=1))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=1)
            f.write("\n")
    if a.baseline:
        with open(a.baseline) as f:
            base = json.load(f)
        if (base["n"], base["focal_events"], base["channels"]) != (a.n, a.focal, a.channels):
            sys.exit("baseline was measured on another size")
        ratio = res["full_run_equivalents_median"] / base["full_run_equivalents_median"]
        print(f"full-run equivalents: {ratio:.2f}x the baseline's")
        if ratio > 1.25:
            sys.exit(1)


if __name__ == "__main__":
    main()
