#!/usr/bin/python3
"""Strong and weak scaling of the SIR and service_wom steps, from `wom bench` cases.

  /usr/bin/python3 bench/scaling.py --wom build/release/wom --threads 1 2 4 8 16 --reps 3 \\
      --out bench/results/scaling.json

Strong scaling: the same graph (--persons, default 10^6) at every thread count. Weak scaling:
--weak-persons persons per thread (default 2.5*10^5), so the work grows with the threads.
Both report the case's throughput (agent-steps/s of the measured region: the steps alone,
not building the graph) and the parallel efficiency

    efficiency(T) = throughput(T) / (T * throughput(1)),

which is speed-up / T for strong scaling and t(1) / t(T) for weak scaling. Each repetition
runs every (case, threads) once, in turn, so a slow spell of a shared machine hits all alike;
the table gives medians. Thread counts above the machine's cores are marked: they measure
oversubscription, not scaling.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

PREFIX = "wom-bench-case: "


def run_case(wom, case, threads, persons, data):
    cmd = [wom, "bench", "--case", case, "--threads", str(threads), "--persons", str(persons)]
    if data:
        cmd += ["--data", data]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith(PREFIX):
            return json.loads(line[len(PREFIX):])
    raise SystemExit(f"{' '.join(cmd)}: no result line")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wom", default="build/release/wom")
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--cases", nargs="+", default=["sir.ba", "service_wom.year"])
    ap.add_argument("--persons", type=int, default=1_000_000, help="strong scaling: persons at every thread count")
    ap.add_argument("--weak-persons", type=int, default=250_000, help="weak scaling: persons per thread")
    ap.add_argument("--no-weak", action="store_true", help="strong scaling only")
    ap.add_argument("--data", default="")
    ap.add_argument("--out", help="write the figures as JSON here")
    a = ap.parse_args()
    cores = os.cpu_count() or 1
    kinds = [("strong", lambda t: a.persons)]
    if not a.no_weak:
        kinds.append(("weak", lambda t: a.weak_persons * t))
    samples = {}  # (kind, case, threads) -> [throughput]
    seconds = {}
    total = a.reps * len(kinds) * len(a.cases) * len(a.threads)
    done = 0
    for r in range(a.reps):
        for kind, persons in kinds:
            for case in a.cases:
                for t in a.threads:
                    res = run_case(a.wom, case, t, persons(t), a.data)
                    samples.setdefault((kind, case, t), []).append(res["work"] / res["seconds"])
                    seconds.setdefault((kind, case, t), []).append(res["seconds"])
                    done += 1
                    if sys.stderr.isatty():
                        print(f"\rscaling: {done}/{total} runs", end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    rows = []
    print(f"machine: {cores} cores; medians of {a.reps} repetitions")
    print("| scaling | case | threads | persons | region (s) | agent-steps/s | speed-up | efficiency |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for kind, persons in kinds:
        for case in a.cases:
            one = statistics.median(samples[(kind, case, a.threads[0])]) / a.threads[0]
            for t in a.threads:
                thr = statistics.median(samples[(kind, case, t)])
                sec = statistics.median(seconds[(kind, case, t)])
                eff = thr / (t * one)
                mark = " (oversubscribed)" if t > cores else ""
                rows.append({"scaling": kind, "case": case, "threads": t, "persons": persons(t), "seconds": sec,
                             "throughput": thr, "efficiency": eff, "oversubscribed": t > cores,
                             "samples": samples[(kind, case, t)]})
                print(f"| {kind} | {case} | {t}{mark} | {persons(t):,} | {sec:.3f} | {thr:.3g} | "
                      f"{thr / one:.2f} | {eff:.0%} |")
    if a.out:
        with open(a.out + ".tmp", "w") as f:
            json.dump({"cores": cores, "reps": a.reps, "rows": rows}, f, indent=1)
        os.replace(a.out + ".tmp", a.out)


if __name__ == "__main__":
    main()
