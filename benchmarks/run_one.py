"""Run one workload in one framework in this process; print a JSON line with its timings.

Usage: python -m benchmarks.run_one WORKLOAD {deepgrad,torch} [--steps N] [--warmup W]
"""
from __future__ import annotations

import argparse
import importlib
import json
import resource
import statistics
import time

from .workloads import WORKLOADS


def measure(workload: str, framework: str, steps: int, warmup: int, seed: int = 0) -> dict:
    """Median milliseconds per step after ``warmup`` steps, and this process's peak RSS."""
    module = importlib.import_module(WORKLOADS[workload])
    step = getattr(module, f"{framework}_step")(seed)
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1e3)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"workload": workload, "framework": framework, "ms": statistics.median(times),
            "ms_min": min(times), "peak_rss_mib": peak_kib / 1024}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("workload", choices=sorted(WORKLOADS))
    ap.add_argument("framework", choices=["deepgrad", "torch"])
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=10)
    args = ap.parse_args()
    print(json.dumps(measure(args.workload, args.framework, args.steps, args.warmup)))


if __name__ == "__main__":
    main()
