#!/usr/bin/env python3
"""What the sweep machinery costs: a sweep of P points x R replicates of an N-person run,
against the same runs done one by one with `wom run`, and the gain from graph reuse.

    bench/sweep_bench.py [--wom build/release/wom] [--points 200] [--replicates 5]
                         [--n 100000] [--steps 365] [--out bench/results/sweep.json]

Runs, back to back on this machine: (1) `wom sweep` (graphs shared between points), (2) `wom
sweep --no-graph-reuse`, (3) one `wom run --replicates R` per point with the point's values.
Reports runs/s, the ratio of (1) and (2) to (3), and checks that every row of (1) equals the
matching replicate of (3). Timings, not a test: quote them with the machine's load.
"""
import argparse, csv, json, os, subprocess, sys, tempfile, time

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wom", default="build/release/wom")
    ap.add_argument("--points", type=int, default=200)
    ap.add_argument("--replicates", type=int, default=5)
    ap.add_argument("--n", type=int, default=100000)
    ap.add_argument("--steps", type=int, default=365)
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    wom = os.path.abspath(a.wom)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory() as d:
        spec = os.path.join(d, "s.yaml")
        with open(spec, "w") as f:
            f.write(f"""base: {root}/configs/default.yaml
seed: 1
design: random
points: {a.points}
vary:
  params.policy.acknowledge_rate: {{min: 0, max: 1}}
  params.talk.negativity_bias: {{min: 0.5, max: 2.0}}
replicates: {a.replicates}
metrics: [npv, customers_end]
overrides: {{time.steps: {a.steps}, graph.n: {a.n}}}
""")
        def timed(cmd):
            t = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            return time.perf_counter() - t
        t_sweep = timed([wom, "sweep", spec, "--out", os.path.join(d, "reuse"), "-q"])
        t_fresh = timed([wom, "sweep", spec, "--out", os.path.join(d, "fresh"), "-q", "--no-graph-reuse"])
        with open(os.path.join(d, "reuse", "design.csv")) as f:
            design = list(csv.DictReader(f))
        rows = {}
        with open(os.path.join(d, "reuse", "results.csv")) as f:
            for r in csv.DictReader(f):
                rows[(int(r["point_id"]), int(r["replicate"]))] = r
        t_runs, mismatches = 0.0, 0
        keys = [k for k in design[0] if k != "point_id"]
        for p in design:
            out = os.path.join(d, "run")
            cmd = [wom, "run", os.path.join(root, "configs/default.yaml"), "--seed", "1", "--replicates",
                   str(a.replicates), "--set", f"time.steps={a.steps}", "--set", f"graph.n={a.n}", "--out", out,
                   "--force"]
            for k in keys:
                cmd += ["--set", f"{k}={p[k]}"]
            t_runs += timed(cmd)
            with open(os.path.join(out, "summary.json")) as f:
                s = json.load(f)
            for rep in range(a.replicates):
                got = float(rows[(int(p["point_id"]), rep)]["npv"])
                if got != s["per_replicate"][rep]["metrics"]["npv"]:
                    mismatches += 1
    runs = a.points * a.replicates
    res = {
        "points": a.points, "replicates": a.replicates, "n": a.n, "steps": a.steps, "runs": runs,
        "cpus": os.cpu_count(),
        "sweep_s": round(t_sweep, 2), "sweep_no_reuse_s": round(t_fresh, 2), "wom_run_one_by_one_s": round(t_runs, 2),
        "runs_per_s": round(runs / t_sweep, 2),
        "ratio_sweep_to_runs": round(t_sweep / t_runs, 3),
        "ratio_sweep_no_reuse_to_runs": round(t_fresh / t_runs, 3),
        "graph_reuse_gain": round(t_fresh / t_sweep, 3),
        "rows_differing_from_wom_run": mismatches,
    }
    print(json.dumps(res, indent=2))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=2)
    return 1 if mismatches else 0

if __name__ == "__main__":
    sys.exit(main())
