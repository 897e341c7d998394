#!/usr/bin/env python3
"""Retweets received per user: a wom run's event log against the real Higgs retweet cascade.

Higgs (SNAP higgs-twitter, De Domenico et al. 2013): lines ``A B w`` of
``higgs-retweet_network.edgelist.gz`` mean that user A retweeted user B ``w`` times, so the
retweets user B received is B's in-strength. Every user in the file posted something (a tweet
that was retweeted, or a retweet), so the posters are the file's nodes.

wom: the ``--events`` log of a service_wom run (CSV, optionally .gz, columns
``replicate,step,from,to,channel,valence,generation``). A ``retweet`` record means ``to``
retweeted the post of ``from`` (the followee whose tweet or retweet it saw). Two attributions
of a retweet are reported:

* **followee** - to ``from``, the account whose post was retweeted (who told whom);
* **original** - to the tweeter who started the cascade (the preceding ``tweet_post`` record:
  the records of one tweet are contiguous), as Twitter credits a native retweet of a retweet.

Posters are the users who posted a tweet (``tweet_post``) or a retweet (``to`` of ``retweet``).
The Higgs file holds only users who took part in a retweet (gave or received one): users whose
tweets were never retweeted and who never retweeted are missing, so its share of posters with a
retweet received is the share among participants. For wom that share is also reported on the
same footing (participants: retweeters and the tweeters they retweeted).
Several logs (e.g. runs with different seeds) are pooled, each run's persons counted as
distinct users.

For each distribution the script prints the share of posters with at least one retweet
received, the mean (over posters, and over those with at least one), the maximum, the share of
all retweets that went to the top 1 % of receivers, and a discrete power-law fit of the tail
(Clauset, Shalizi & Newman 2009: maximum-likelihood exponent for each candidate x_min, x_min
chosen by the smallest Kolmogorov-Smirnov distance; standard error from the Fisher
information). It plots the complementary CDFs P(X >= x | X >= 1) on log-log axes with the fitted
tails (PNG, matplotlib Agg).

Run from the repository root:
    /usr/bin/python3 analysis/retweets_vs_higgs.py out/twitter-events-*.csv.gz
Needs numpy, and matplotlib for the plot (Debian: python3-numpy, python3-matplotlib).
"""

import argparse
import csv
import gzip
import os
import sys

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_HIGGS = os.path.join(REPO, "data", "higgs-retweet_network.edgelist.gz")
DEFAULT_PLOT = os.path.join(REPO, "analysis", "figures", "retweets_vs_higgs.png")

# Bernoulli numbers B_2j / (2j)! for the Euler-Maclaurin tail of the Hurwitz zeta function.
_EM = [1 / 6 / 2, -1 / 30 / 24, 1 / 42 / 720, -1 / 30 / 40320, 5 / 66 / 3628800, -691 / 2730 / 479001600,
       7 / 6 / 87178291200]


def hurwitz_zeta(s, q):
    """zeta(s, q) = sum_{k>=0} (q + k)^-s for s > 1 and q >= 1 (scalar s, scalar or array q).

    Euler-Maclaurin with 12 explicit terms and 7 correction terms: relative error below 1e-12
    for 1 < s < 8 and q >= 1.
    """
    q = np.asarray(q, dtype=float)
    n = 12
    k = np.arange(n, dtype=float)
    head = np.sum((q[..., None] + k) ** -s, axis=-1)
    a = q + n
    tail = a ** (1 - s) / (s - 1) + 0.5 * a ** -s
    rising = s  # s (s+1) ... (s+2j-2)
    for j, c in enumerate(_EM, start=1):
        tail = tail + c * rising * a ** (-s - 2 * j + 1)
        rising *= (s + 2 * j - 1) * (s + 2 * j)
    return head + tail


def _golden_max(f, lo, hi, iters=80):
    """Maximiser of a unimodal f on [lo, hi] by golden-section search."""
    g = (np.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(iters):
        if fc > fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    return (a + b) / 2


def fit_power_law(x, min_tail=10):
    """Discrete power law p(x) = x^-alpha / zeta(alpha, x_min) fitted to the tail x >= x_min.

    Returns a dict with alpha, its standard error, x_min, the tail size and the KS distance, or
    None when fewer than `min_tail` values are positive.
    """
    x = np.sort(np.asarray(x, dtype=float))
    x = x[x >= 1]
    if x.size < min_tail:
        return None
    best = None
    for xmin in np.unique(x):
        tail = x[x >= xmin]
        n = tail.size
        if n < min_tail:
            break
        slog = np.log(tail).sum()
        alpha = _golden_max(lambda a: -n * np.log(hurwitz_zeta(a, xmin)) - a * slog, 1.0001, 8.0)
        # KS distance between the empirical and fitted CDFs on the tail's distinct values.
        vals, counts = np.unique(tail, return_counts=True)
        emp = np.cumsum(counts) / n
        fit = 1.0 - hurwitz_zeta(alpha, vals + 1) / hurwitz_zeta(alpha, xmin)
        d = np.max(np.abs(emp - fit))
        if best is None or d < best["ks"]:
            best = {"alpha": alpha, "xmin": xmin, "n_tail": n, "ks": d}
    # Standard error: 1 / sqrt(n * d^2/dalpha^2 log zeta(alpha, x_min)) (Fisher information).
    a, xmin, n = best["alpha"], best["xmin"], best["n_tail"]
    h = 1e-3
    lz = [np.log(hurwitz_zeta(a + k * h, xmin)) for k in (-1, 0, 1)]
    info = (lz[0] - 2 * lz[1] + lz[2]) / h**2
    best["se"] = 1.0 / np.sqrt(n * info) if info > 0 else float("nan")
    return best


def power_law_sampler(alpha, xmin, cap=10**6):
    """A sampler of the discrete power law x >= x_min: exact inverse CDF up to `cap`, then the
    continuous approximation of Clauset et al. (2009, eq. D.6) beyond it."""
    xs = np.arange(xmin, cap + 1, dtype=float)
    surv = hurwitz_zeta(alpha, xs) / hurwitz_zeta(alpha, xmin)  # P(X >= x), decreasing
    p_beyond = hurwitz_zeta(alpha, cap + 1) / hurwitz_zeta(alpha, xmin)

    def draw(size, rng):
        r = rng.random(size)
        idx = np.searchsorted(-surv, -r, side="right") - 1  # largest x with P(X >= x) >= r
        out = xs[np.clip(idx, 0, xs.size - 1)]
        beyond = r < p_beyond
        if beyond.any():
            out[beyond] = np.floor((cap + 0.5) * (r[beyond] / p_beyond) ** (-1 / (alpha - 1)) + 0.5)
        return out

    return draw


def bootstrap_p(x, fit, reps, rng):
    """Goodness-of-fit p-value of Clauset et al. (2009, §4.1): the share of semi-parametric
    synthetic data sets (power-law tail above x_min, the observed body below it), each refitted
    with its own x_min, whose KS distance is at least the observed one."""
    x = np.asarray(x, dtype=float)
    body = x[x < fit["xmin"]]
    n, n_tail = x.size, fit["n_tail"]
    draw = power_law_sampler(fit["alpha"], fit["xmin"])
    worse = 0
    for _ in range(reps):
        k = rng.binomial(n, n_tail / n) if body.size else n
        synth = np.concatenate([draw(k, rng), rng.choice(body, n - k)]) if body.size else draw(n, rng)
        f = fit_power_law(synth)
        worse += f is not None and f["ks"] >= fit["ks"]
    return worse / reps


def summarize(received, posters, participants, label, bootstrap=0, rng=None):
    """Summary figures of retweets received per poster (`received`: counts of users with >= 1)."""
    received = np.asarray(received, dtype=float)
    total = received.sum()
    top = np.sort(received)[::-1]
    k = max(1, int(round(0.01 * top.size)))
    fit = fit_power_law(received)
    if fit is not None and bootstrap > 0:
        fit["p"] = bootstrap_p(received, fit, bootstrap, rng)
        fit["p_reps"] = bootstrap
    return {
        "label": label,
        "posters": posters,
        "receivers": int(received.size),
        "share_received": received.size / posters if posters else float("nan"),
        "participants": participants,
        "share_participants": received.size / participants if participants else float("nan"),
        "retweets": int(total),
        "mean_posters": total / posters if posters else float("nan"),
        "mean_receivers": received.mean() if received.size else float("nan"),
        "median_receivers": float(np.median(received)) if received.size else float("nan"),
        "max": int(received.max()) if received.size else 0,
        "top1pct_share": top[:k].sum() / total if total else float("nan"),
        "fit": fit,
        "values": received,
    }


def read_higgs(path):
    """In-strength (retweets received) of every retweeted user, and the number of users."""
    data = np.loadtxt(path, dtype=np.int64)
    a, b, w = data[:, 0], data[:, 1], data[:, 2]
    users = np.union1d(a, b).size
    ids, inv = np.unique(b, return_inverse=True)
    return np.bincount(inv, weights=w), users


def read_events(path, replicate=0):
    """Retweets received per user by followee and by original tweeter, the number of posters and
    the number of participants in a retweet (retweeters and retweeted tweeters)."""
    opener = gzip.open if path.endswith(".gz") else open
    frm, to, root_of = [], [], []
    posters = set()
    root = None
    with opener(path, "rt", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        need = ["replicate", "from", "to", "channel"]
        missing = [c for c in need if c not in header]
        if missing:
            sys.exit(f"{path}: not a wom event log (missing columns {', '.join(missing)})")
        ir, i_from, i_to, i_ch = (header.index(c) for c in need)
        for row in reader:
            ch = row[i_ch]
            if ch != "tweet_post" and ch != "retweet":
                continue
            if int(row[ir]) != replicate:
                continue
            if ch == "tweet_post":
                root = int(row[i_from])
                posters.add(root)
            else:
                if root is None:
                    sys.exit(f"{path}: a retweet record precedes every tweet_post record")
                f, t = int(row[i_from]), int(row[i_to])
                frm.append(f)
                to.append(t)
                root_of.append(root)
                posters.add(t)
    by_followee = np.unique(np.asarray(frm, dtype=np.int64), return_counts=True)[1]
    by_original = np.unique(np.asarray(root_of, dtype=np.int64), return_counts=True)[1]
    participants = np.union1d(np.asarray(to, dtype=np.int64), np.asarray(root_of, dtype=np.int64)).size
    return by_followee, by_original, len(posters), participants


def ccdf(values):
    """Distinct values x and P(X >= x) of a sample."""
    v = np.sort(np.asarray(values, dtype=float))
    xs, first = np.unique(v, return_index=True)
    return xs, 1.0 - first / v.size


def report(rows):
    """Markdown table of the summary figures."""
    def fmt_fit(f):
        if f is None:
            return "n/a", "n/a", "n/a", "n/a"
        p = ""
        if "p" in f:
            p = f"p = {f['p']:.2f}" if f["p"] > 0 else f"p < {1 / f['p_reps']:.2g}"
            p = f" ({p}, {f['p_reps']} bootstraps)"
        return f"{f['alpha']:.2f} ± {f['se']:.2f}", f"{int(f['xmin'])}", f"{f['n_tail']:,}", f"{f['ks']:.3f}{p}"

    lines = ["| | " + " | ".join(r["label"] for r in rows) + " |", "|---" * (len(rows) + 1) + "|"]
    fields = [
        ("posters (tweeted or retweeted)", lambda r: f"{r['posters']:,}"),
        ("users with ≥ 1 retweet received", lambda r: f"{r['receivers']:,}"),
        ("share of posters with ≥ 1 retweet received", lambda r: f"{r['share_received']:.3f}"),
        ("users in a retweet (gave or received one)", lambda r: f"{r['participants']:,}"),
        ("share of those with ≥ 1 retweet received", lambda r: f"{r['share_participants']:.3f}"),
        ("retweets", lambda r: f"{r['retweets']:,}"),
        ("mean per poster", lambda r: f"{r['mean_posters']:.3f}"),
        ("mean per user with ≥ 1", lambda r: f"{r['mean_receivers']:.2f}"),
        ("median per user with ≥ 1", lambda r: f"{r['median_receivers']:.0f}"),
        ("max", lambda r: f"{r['max']:,}"),
        ("P(X ≥ 2 / 10 / 100 / 1000 given X ≥ 1)",
         lambda r: " / ".join(f"{np.mean(r['values'] >= k):.3g}" for k in (2, 10, 100, 1000))),
        ("share of retweets to the top 1 % of receivers", lambda r: f"{r['top1pct_share']:.3f}"),
        ("tail exponent α (p(x) ∝ x^−α), ± SE", lambda r: fmt_fit(r["fit"])[0]),
        ("x_min (by KS)", lambda r: fmt_fit(r["fit"])[1]),
        ("users in the tail (x ≥ x_min)", lambda r: fmt_fit(r["fit"])[2]),
        ("KS distance (goodness of fit)", lambda r: fmt_fit(r["fit"])[3]),
    ]
    for name, f in fields:
        lines.append(f"| {name} | " + " | ".join(f(r) for r in rows) + " |")
    return "\n".join(lines)


def plot(rows, path, title):
    try:
        import matplotlib
    except ImportError:
        sys.exit("the plot needs matplotlib (Debian: apt install python3-matplotlib); --plot '' skips it")

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    styles = ["o", "s", "^", "D"]
    colors = ["#222222", "#d62728", "#1f77b4", "#2ca02c"]
    for i, r in enumerate(rows):
        if not r["values"].size:
            continue
        xs, p = ccdf(r["values"])
        ax.loglog(xs, p, styles[i % 4], ms=3.5, mfc="none", color=colors[i % 4],
                  label=f"{r['label']} ({r['receivers']:,} users)")
        f = r["fit"]
        if f is not None:
            xf = np.unique(np.round(np.logspace(np.log10(f["xmin"]), np.log10(xs.max()), 60)))
            pf = f["n_tail"] / r["values"].size * hurwitz_zeta(f["alpha"], xf) / hurwitz_zeta(f["alpha"], f["xmin"])
            ax.loglog(xf, pf, "-", color=colors[i % 4], lw=1,
                      label=f"  power law α = {f['alpha']:.2f}, x ≥ {int(f['xmin'])}")
    ax.set_xlabel("retweets received per user, x")
    ax.set_ylabel("P(X ≥ x | X ≥ 1)")
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="major", lw=0.3, alpha=0.5)
    ax.legend(fontsize=7.5, frameon=False)
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("events", nargs="+",
                    help="event log(s) of wom runs (wom run CONFIG --events FILE), .csv or .csv.gz; pooled")
    ap.add_argument("--higgs", default=DEFAULT_HIGGS, help="higgs-retweet_network.edgelist(.gz) (default: %(default)s)")
    ap.add_argument("--replicate", type=int, default=0, help="replicate of the event log to read (default 0)")
    ap.add_argument("--plot", default=DEFAULT_PLOT, help="output PNG, '' for none (default: %(default)s)")
    ap.add_argument("--title", default="Retweets received per user: wom vs the Higgs cascade")
    ap.add_argument("--bootstrap", type=int, default=0, metavar="N",
                    help="goodness-of-fit p-value of each power-law fit from N semi-parametric bootstraps "
                         "(Clauset et al. 2009; about half a second each, mostly Higgs; default 0 = off)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the bootstraps (default 1)")
    args = ap.parse_args()

    for p in args.events + [args.higgs]:
        if not os.path.exists(p):
            sys.exit(f"{p}: no such file")
    higgs, higgs_users = read_higgs(args.higgs)
    followee, original, posters, participants = [], [], 0, 0
    for path in args.events:
        fo, orig, n, m = read_events(path, args.replicate)
        if n == 0:
            sys.exit(f"{path}: no tweet_post or retweet records (were tweets on and the log written?)")
        followee.append(fo)
        original.append(orig)
        posters += n
        participants += m
    followee, original = np.concatenate(followee), np.concatenate(original)
    runs = f" ({len(args.events)} runs)" if len(args.events) > 1 else ""
    rng = np.random.default_rng(args.seed)
    rows = [
        summarize(higgs, higgs_users, higgs_users, "Higgs (SNAP)", args.bootstrap, rng),
        summarize(original, posters, participants, f"wom{runs}, to original tweeter", args.bootstrap, rng),
        summarize(followee, posters, participants, f"wom{runs}, to followee retweeted", args.bootstrap, rng),
    ]
    print(report(rows))
    if args.plot:
        plot(rows, args.plot, args.title)
        print(f"\nplot: {os.path.relpath(args.plot)}")


if __name__ == "__main__":
    main()
