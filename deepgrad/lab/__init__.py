"""The lab: the chapter's experiments, each reusable from Python, and their HTML report.

``deepgrad lab`` (or ``run_lab()``) runs them and writes ``index.html`` and ``results.json``;
``EXPERIMENTS["perceptron"].run(quick=True, seed=0)`` runs one and returns its ``Result``.
"""
from .record import Experiment, Figure, Result, Table
from .registry import EXPERIMENTS
from .report import render_html, write_report
from .runner import resolve, run_lab

__all__ = ["EXPERIMENTS", "Experiment", "Figure", "Result", "Table", "render_html", "resolve",
           "run_lab", "write_report"]
