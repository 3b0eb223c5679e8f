"""The lab's records: an Experiment (what the chapter claims) and its Result (what we measured)."""
from __future__ import annotations

import importlib
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy

from ..random import manual_seed


@dataclass(frozen=True)
class Experiment:
    """One experiment of the chapter, as the registry lists it.

    Attributes:
        name: the CLI name (``deepgrad lab NAME``).
        title: the section heading in the report.
        claim: the chapter's claim, in one sentence, that the experiment puts to the test.
        formula: the formula behind it, in plain text (the report shows it verbatim).
        module: the module whose ``run(quick, seed)`` performs it (imported on first use, so
            listing experiments does not import matplotlib).
    """

    name: str
    title: str
    claim: str
    formula: str
    module: str

    def run(self, quick: bool = False, seed: int = 0) -> "Result":
        """Run the experiment and return its Result (same seed, same numbers)."""
        return importlib.import_module(self.module).run(quick=quick, seed=seed)


@dataclass
class Figure:
    """A rendered figure: PNG bytes plus the words under it."""

    title: str
    png: bytes
    caption: str = ""


@dataclass
class Table:
    """A small table of measured numbers (one row per configuration)."""

    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)

    def add(self, *values: Any) -> None:
        """Append a row; it must have one value per column."""
        if len(values) != len(self.columns):
            raise ValueError(f"Table.add: {len(values)} values for {len(self.columns)} columns "
                             f"{self.columns}")
        self.rows.append([_plain(v) for v in values])


@dataclass
class Result:
    """What one run of an experiment produced; everything the report and results.json show.

    ``numbers`` holds every measured number (JSON-able, deterministic for a seed); ``timings``
    holds wall-clock figures, which vary from run to run and are kept apart for that reason.
    ``checks`` maps each statement of the chapter to whether the measured numbers bear it out.
    """

    name: str
    title: str
    claim: str
    formula: str
    seed: int
    quick: bool
    command: str
    figures: list[Figure] = field(default_factory=list)
    table: Table = field(default_factory=lambda: Table(["quantity", "value"]))
    numbers: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, bool] = field(default_factory=dict)
    summary: str = ""
    seconds: float = 0.0
    _t0: float = field(default=0.0, repr=False)
    _c0: float = field(default=0.0, repr=False)

    def add_figure(self, fig, title: str, caption: str = "") -> None:
        """Render a matplotlib Figure to PNG and keep it."""
        from .plots import to_png

        self.figures.append(Figure(title, to_png(fig), caption))

    def record(self, key: str, value: Any) -> Any:
        """Store a measured number (or a nested list/dict of them) under ``key``; returns it."""
        self.numbers[key] = _plain(value)
        return value

    def check(self, statement: str, holds: bool) -> bool:
        """Record whether one statement of the chapter holds in this run."""
        self.checks[statement] = bool(holds)
        return bool(holds)

    def finish(self, summary: str) -> "Result":
        """Set the one-line summary and the elapsed time; returns self."""
        self.summary = summary
        self.seconds = time.perf_counter() - self._t0
        # CPU time as well: on a shared machine wall time swings with the load, CPU time less.
        self.timings["cpu_seconds"] = round(time.process_time() - self._c0, 3)
        return self

    @property
    def passed(self) -> bool:
        """True when every check holds."""
        return all(self.checks.values())

    def to_json(self) -> dict[str, Any]:
        """Everything but the figures' pixels, as JSON-able data."""
        return {
            "name": self.name, "title": self.title, "claim": self.claim,
            "formula": self.formula, "seed": self.seed, "quick": self.quick,
            "command": self.command, "summary": self.summary,
            "seconds": round(self.seconds, 3), "checks": self.checks,
            "table": {"columns": self.table.columns, "rows": self.table.rows},
            "numbers": self.numbers, "timings": self.timings,
            "figures": [{"title": f.title, "caption": f.caption, "png_bytes": len(f.png)}
                        for f in self.figures],
        }


def start(name: str, quick: bool, seed: int, columns: list[str] | None = None) -> Result:
    """Seed every random source and open the Result of experiment ``name``."""
    from .registry import EXPERIMENTS

    exp = EXPERIMENTS[name]
    manual_seed(seed)
    command = f"deepgrad lab {name} --seed {seed}" + (" --quick" if quick else "")
    res = Result(exp.name, exp.title, exp.claim, exp.formula, seed, quick, command,
                 table=Table(columns or ["quantity", "value"]))
    res._t0 = time.perf_counter()
    res._c0 = time.process_time()
    return res


def _plain(v: Any) -> Any:
    """NumPy scalars/arrays to Python numbers/lists, floats rounded to 6 significant digits
    (so that results.json reads well and tiny float noise does not show)."""
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, numpy.ndarray):
        return _plain(v.tolist())
    if isinstance(v, (bool, numpy.bool_)):
        return bool(v)
    if isinstance(v, (int, numpy.integer)):
        return int(v)
    if isinstance(v, (float, numpy.floating)):
        f = float(v)
        if not math.isfinite(f) or f == 0.0:
            return f if math.isfinite(f) else str(f)
        return float(f"{f:.6g}")
    return v
