"""Figures from wom's output folders: sweeps (``wom sweep``) and cost folders (``wom cost``).

Each figure is a function that returns the table it plotted (a pandas DataFrame) and a
command, run from the repository root with Debian's Python (numpy, pandas, matplotlib, scipy):

    python3 -m analysis.response DIR --x KEY --metric M      # response curve of a sweep, 95 % CI
    python3 -m analysis.heatmap DIR --x K1 --y K2 --metric M # mean and CI half-width over a grid
    python3 -m analysis.morris DIR                           # mu*-sigma per metric (sensitivity.csv)
    python3 -m analysis.sobol DIR                            # S1 and ST with CIs, and convergence in N
    python3 -m analysis.cost DIR                             # a wom cost folder: partition, by whom, channels

Every command writes STEM.png and STEM.svg, by default under DIR/figures/, else ``--out STEM``.
Plots are headless (matplotlib's Agg backend) in the Okabe-Ito colour-blind-safe palette
(analysis/_plot.py).
"""

__all__ = ["response", "heatmap", "morris", "sobol", "cost"]
