"""Run a selection of experiments with a progress bar each, write the report, print a summary."""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import IO, Iterable

from . import progress
from .record import Result
from .registry import EXPERIMENTS


def resolve(names: Iterable[str] | None) -> list[str]:
    """The experiment names to run, in registry order; raises ValueError naming unknown ones."""
    if not names:
        return list(EXPERIMENTS)
    names = list(dict.fromkeys(names))
    unknown = [n for n in names if n not in EXPERIMENTS]
    if unknown:
        raise ValueError(f"unknown experiment(s) {', '.join(unknown)}; choose from "
                         f"{', '.join(EXPERIMENTS)}")
    return [n for n in EXPERIMENTS if n in names]


def run_lab(names: Iterable[str] | None = None, quick: bool = False, seed: int = 0,
            out: str | Path | None = "deepgrad-report", show_progress: bool | None = None,
            stream: IO[str] | None = None) -> list[Result]:
    """Run experiments and write their report.

    Args:
        names: experiments to run (None or empty: all, in the chapter's order).
        quick: the short form of each experiment (all of them in under a minute).
        seed: the seed every experiment starts from (same seed, same numbers).
        out: the report folder (``index.html``, ``results.json``); None writes nothing.
        show_progress: tqdm bars on (True), off (False) or only on a terminal (None).
        stream: where the summary table goes (default stdout).

    Returns:
        The Results, in the order run.
    """
    stream = sys.stdout if stream is None else stream
    results = []
    with single_threaded_blas():
        for name in resolve(names):
            with progress.bar(name, show_progress):
                results.append(EXPERIMENTS[name].run(quick=quick, seed=seed))
    write_summary(results, stream)
    if out is not None:
        from .report import write_report

        print(f"report: {write_report(results, out).resolve()}", file=stream)
    return results


def single_threaded_blas():
    """Limit BLAS to one thread while the lab runs (via threadpoolctl, which scikit-learn of
    the lab extra brings; a no-op without it).

    The lab's matrices are small: threads cost more than they give, and on a busy machine
    spinning BLAS threads made a 1000x128 @ 128x128 product 20 ms instead of 0.8 ms. One thread
    also fixes the order of floating-point sums, so the same seed gives the same bits.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def write_summary(results: list[Result], stream: IO[str]) -> str:
    """Print the end-of-run table (experiment, checks held, seconds, headline); returns it."""
    width = max([len(r.name) for r in results] + [10])
    lines = [f"{'experiment':<{width}}  checks  seconds  result", "-" * (width + 60)]
    for r in results:
        n_ok = sum(r.checks.values())
        flag = "" if r.passed else "  <-- a claim FAILED"
        lines.append(f"{r.name:<{width}}  {n_ok:>2}/{len(r.checks):<3}  {r.seconds:7.1f}  "
                     f"{r.summary}{flag}")
    total = sum(r.seconds for r in results)
    lines.append(f"{'total':<{width}}          {total:7.1f}")
    text = "\n".join(lines)
    print(text, file=stream)
    return text
