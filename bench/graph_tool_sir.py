#!/usr/bin/python3
"""wom vs graph-tool: a complete SIR epidemic on the same Barabasi-Albert graph.

Runs graph-tool's SIRState.iterate_sync (Debian python3-graph-tool) and wom's SIR model
back to back, alternating, on the same graph (exported by wom_sir_compare) and the same
initially infected agents: beta = 0.05 per contact per step, gamma = 0.1 per step, 1 %
infected. Prints per-pair times, medians and the median ratio per thread count.

usage: /usr/bin/python3 bench/graph_tool_sir.py [--build build/release] [--reps 5]
       [--threads 1 2] [--n 1000000] [--m 5] [--json out.json]
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

import numpy as np
import graph_tool.all as gt


def ours(exe, threads, a):
    out = subprocess.run([exe, "run", str(threads), str(a.n), str(a.m), str(a.seed)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def theirs(g, infected, threads, seed):
    gt.openmp_set_num_threads(threads)
    gt.seed_rng(seed)
    s = g.new_vp("int32_t", 0)
    s.a[infected] = 1
    state = gt.SIRState(g, beta=0.05, gamma=0.1, s=s)
    steps, secs = 0, 0.0
    while True:
        t0 = time.perf_counter()
        state.iterate_sync(niter=1)
        secs += time.perf_counter() - t0
        steps += 1
        if not np.any(state.get_state().a == 1):
            break
    recovered = int(np.count_nonzero(state.get_state().a == 2))
    return {"threads": threads, "seconds": secs, "steps": steps, "recovered": recovered}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build/release")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--m", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    exe = os.path.join(a.build, "bench", "wom_sir_compare")
    with tempfile.TemporaryDirectory() as d:
        info = json.loads(subprocess.run([exe, "export", d, str(a.n), str(a.m), str(a.seed)], check=True,
                                         capture_output=True, text=True).stdout)
        edges = np.fromfile(os.path.join(d, "edges.u32"), dtype=np.uint32).reshape(-1, 2)
        infected = np.fromfile(os.path.join(d, "infected.u32"), dtype=np.uint32).astype(np.int64)
    g = gt.Graph(directed=False)
    g.add_vertex(info["n"])
    g.add_edge_list(edges)
    print(f"graph: n={g.num_vertices()} edges={g.num_edges()} arcs={2 * g.num_edges()} "
          f"(wom arcs {info['arcs']}), infected {len(infected)}")
    result = {"graph": info, "runs": {}}
    for th in a.threads:
        pairs = []
        for r in range(a.reps):
            w = ours(exe, th, a)
            t = theirs(g, infected, th, a.seed + r)
            pairs.append((w, t))
            print(f"threads={th} rep={r}: wom {w['seconds']:.3f} s ({w['steps']} steps, R={w['recovered']}) | "
                  f"graph-tool {t['seconds']:.3f} s ({t['steps']} steps, R={t['recovered']}) | "
                  f"ratio {t['seconds'] / w['seconds']:.1f}x", flush=True)
        wm = statistics.median(p[0]["seconds"] for p in pairs)
        tm = statistics.median(p[1]["seconds"] for p in pairs)
        ratio = statistics.median(p[1]["seconds"] / p[0]["seconds"] for p in pairs)
        print(f"threads={th}: median wom {wm:.3f} s, graph-tool {tm:.3f} s, median ratio {ratio:.1f}x")
        result["runs"][th] = {"wom_median_s": wm, "graph_tool_median_s": tm, "median_ratio": ratio,
                              "pairs": [{"wom": p[0], "graph_tool": p[1]} for p in pairs]}
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
