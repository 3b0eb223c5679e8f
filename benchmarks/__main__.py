"""python -m benchmarks [WORKLOAD ...] [--rounds R] [--steps N]: deepgrad vs PyTorch, side by side.

Each (workload, framework) runs in its own process, so peak RSS is its own; PyTorch and deepgrad
run back to back in each round (in alternating order), and the reported ratio is the median of the
per-round ratios (the machine drifts, so a ratio of two distant runs means little).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys

from .workloads import WORKLOADS

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _run(workload: str, framework: str, steps: int, warmup: int, threads: int | None) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.run_one", workload, framework,
           "--steps", str(steps), "--warmup", str(warmup)]
    env = dict(os.environ)
    if threads:  # both frameworks read these at start-up (BLAS and OpenMP pools)
        env.update({k: str(threads) for k in _THREAD_VARS})
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(workloads, rounds: int = 3, steps: int = 50, warmup: int = 10,
        threads: int | None = None) -> list[dict]:
    """Benchmark each workload; returns one summary dict per workload."""
    have_torch = importlib.util.find_spec("torch") is not None
    rows = []
    for w in workloads:
        dg_runs, torch_runs, ratios = [], [], []
        for r in range(rounds):
            # Alternate which framework goes first (ABBA), so that a machine drifting faster or
            # slower during a round favours neither side.
            order = ("torch", "deepgrad") if r % 2 == 0 else ("deepgrad", "torch")
            for framework in order:
                if framework == "deepgrad":
                    dg_runs.append(_run(w, "deepgrad", steps, warmup, threads))
                elif have_torch:
                    torch_runs.append(_run(w, "torch", steps, warmup, threads))
            if have_torch:
                ratios.append(dg_runs[-1]["ms"] / torch_runs[-1]["ms"])
        row = {"workload": w, "deepgrad_ms": statistics.median(r["ms"] for r in dg_runs),
               "deepgrad_rss_mib": max(r["peak_rss_mib"] for r in dg_runs)}
        if have_torch:
            row.update(torch_ms=statistics.median(r["ms"] for r in torch_runs),
                       torch_rss_mib=max(r["peak_rss_mib"] for r in torch_runs),
                       ratio=statistics.median(ratios), ratio_min=min(ratios),
                       ratio_max=max(ratios))
        rows.append(row)
        print(_format(row), flush=True)
    return rows


def _format(r: dict) -> str:
    s = (f"{r['workload']:<8} deepgrad {r['deepgrad_ms']:8.3f} ms/step  "
         f"RSS {r['deepgrad_rss_mib']:6.0f} MiB")
    if "ratio" in r:
        s += (f" | torch {r['torch_ms']:8.3f} ms/step  RSS {r['torch_rss_mib']:6.0f} MiB"
              f" | ratio {r['ratio']:.2f} (range {r['ratio_min']:.2f}-{r['ratio_max']:.2f})")
    else:
        s += " | torch not installed: no ratio"
    return s


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    ap.add_argument("workloads", nargs="*", default=list(WORKLOADS), help=f"of {list(WORKLOADS)}")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--threads", type=int, help="threads for both frameworks (default: theirs, "
                    "i.e. all cores); 1 gives steadier ratios on a busy machine")
    ap.add_argument("--json", help="also write the rows to this file")
    args = ap.parse_args(argv)
    unknown = [w for w in args.workloads if w not in WORKLOADS]
    if unknown:
        ap.error(f"unknown workload(s) {unknown}; choose from {list(WORKLOADS)}")
    rows = run(args.workloads, args.rounds, args.steps, args.warmup, args.threads)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
