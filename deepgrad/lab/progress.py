"""The progress bar of the running experiment (a tqdm bar on the terminal, or nothing).

Experiments keep the ``run(quick, seed)`` signature, so they report progress through this
module instead of an argument: ``total(n)`` once they know how many steps they will take, then
``tick()`` per step. Outside ``bar(...)`` both do nothing, so ``run`` works the same from Python.
"""
from __future__ import annotations

import contextlib
import sys

_ACTIVE: list = []


@contextlib.contextmanager
def bar(desc: str, enabled: bool | None = None):
    """Show one tqdm bar named ``desc`` while the block runs.

    Args:
        desc: the label (the experiment's name).
        enabled: True/False forces the bar on/off; None shows it only on a terminal.
    """
    from tqdm.auto import tqdm

    disable = (not sys.stderr.isatty()) if enabled is None else not enabled
    with tqdm(total=None, desc=f"{desc:<16}", unit="step", leave=True, disable=disable,
              dynamic_ncols=True, file=sys.stderr) as b:
        _ACTIVE.append(b)
        try:
            yield b
        finally:
            _ACTIVE.pop()
            if not disable and b.total and b.n < b.total:
                b.n = b.total  # a stage that stopped early (e.g. converged) still ends full
                b.refresh()


def total(n: int) -> None:
    """Add ``n`` steps to the current bar's total (experiments may call it once per stage)."""
    if _ACTIVE:
        b = _ACTIVE[-1]
        b.total = (b.total or 0) + int(n)
        b.refresh()


def tick(n: int = 1) -> None:
    """Advance the current bar by ``n`` steps."""
    if _ACTIVE:
        _ACTIVE[-1].update(n)
