"""The ``deepgrad`` command: ``lab`` (the chapter's experiments), ``train`` and ``bench``.

Every failure the user can cause (an unknown name, a bad value, a missing file or extra) ends
with one line on stderr and a non-zero exit status, never a traceback.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

EXIT_USAGE = 2  # bad command line (argparse's convention)
EXIT_ERROR = 1  # the command ran and failed (missing data, failed claim, benchmark error)


class CLIError(Exception):
    """A user-facing failure: its message is printed as one line."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (``deepgrad lab: error: ...``), not usage + error."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if v <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {v}")
    return v


def _nonneg_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {v}")
    return v


def _positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not v > 0 or v == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive finite number, got {text}")
    return v


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (subcommands lab, train, bench)."""
    from .lab.registry import EXPERIMENTS
    from .lab.train_command import DATASETS, MODELS, OPTIMIZER_NAMES

    p = _Parser(prog="deepgrad", description="deepgrad: a deep-learning framework on NumPy. "
                "Run the chapter's experiments, train a model, or benchmark against PyTorch.")
    p.add_argument("--version", action="version", version=f"deepgrad {_version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    lab = sub.add_parser("lab", help="run the chapter's experiments and write an HTML report",
                         description="Run the chapter's experiments (all by default) and write "
                         "DIR/index.html and DIR/results.json. Exit status 1 if a measured "
                         "number contradicts the chapter's claim.")
    lab.add_argument("names", nargs="*", metavar="NAME",
                     help=f"experiments to run, of: {', '.join(EXPERIMENTS)}")
    lab.add_argument("--quick", action="store_true", help="the short form (all in under 60 s)")
    lab.add_argument("--out", default="deepgrad-report", metavar="DIR",
                     help="report folder (default: ./deepgrad-report)")
    lab.add_argument("--seed", type=_nonneg_int, default=0, metavar="N",
                     help="seed (default 0): same seed, same numbers")
    lab.add_argument("--list", action="store_true", help="list the experiments and exit")
    lab.add_argument("--no-progress", action="store_true", help="no progress bars")

    tr = sub.add_parser("train", help="train a model on a dataset",
                        description="Train a model with a progress bar and print final metrics. "
                        "Under mpiexec -n N (pip install 'deepgrad[mpi]') the N processes train "
                        "one model together, each on its share of every batch: --batch-size is "
                        "per process.")
    tr.add_argument("--model", required=True, choices=list(MODELS), metavar="MODEL",
                    help=f"one of: {', '.join(MODELS)}")
    tr.add_argument("--data", required=True, choices=list(DATASETS), metavar="DATA",
                    help=f"one of: {', '.join(DATASETS)}")
    tr.add_argument("--optimizer", default="adam", choices=OPTIMIZER_NAMES, metavar="NAME",
                    help=f"one of: {', '.join(OPTIMIZER_NAMES)} (default adam)")
    tr.add_argument("--lr", type=_positive_float, default=None, help="learning rate "
                    "(default: the optimizer's PyTorch default)")
    tr.add_argument("--epochs", type=_positive_int, default=10, metavar="N")
    tr.add_argument("--batch-size", type=_positive_int, default=64, metavar="B")
    tr.add_argument("--checkpoint", metavar="PATH", help="save a training checkpoint here "
                    "after every epoch")
    tr.add_argument("--resume", metavar="PATH", help="continue from this checkpoint")
    tr.add_argument("--early-stopping", type=_positive_int, metavar="PATIENCE",
                    help="stop after PATIENCE epochs without a better val_loss")
    tr.add_argument("--data-root", metavar="DIR", help="folder of the MNIST/Fashion-MNIST files")
    tr.add_argument("--download", action="store_true",
                    help="fetch missing MNIST/Fashion-MNIST files (checksums verified)")
    tr.add_argument("--seed", type=_nonneg_int, default=0, metavar="N")
    tr.add_argument("--no-progress", action="store_true", help="no progress bar")

    be = sub.add_parser("bench", help="benchmark deepgrad against PyTorch (source checkout)",
                        description="Run the benchmark harness (python -m benchmarks) from the "
                        "source checkout: deepgrad vs PyTorch, side by side.")
    be.add_argument("workloads", nargs="*", metavar="WORKLOAD")
    be.add_argument("--rounds", type=_positive_int, default=3)
    be.add_argument("--steps", type=_positive_int, default=50)
    be.add_argument("--warmup", type=_nonneg_int, default=10)
    be.add_argument("--json", metavar="PATH", help="also write the rows to this file")
    return p


def _cmd_lab(args) -> int:
    from .lab.registry import EXPERIMENTS

    if args.list:
        for e in EXPERIMENTS.values():
            print(f"{e.name:<18} {e.title}")
        return 0
    from .lab.runner import resolve, run_lab

    try:
        resolve(args.names)
    except ValueError as e:
        raise CLIError(str(e)) from None
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise CLIError("the lab needs matplotlib: pip install 'deepgrad[lab]'") from None
    results = run_lab(args.names, quick=args.quick, seed=args.seed, out=args.out,
                      show_progress=False if args.no_progress else None)
    failed = [r.name for r in results if not r.passed]
    if failed:
        print(f"deepgrad lab: a measured number contradicts the chapter in: {', '.join(failed)} "
              f"(see the report)", file=sys.stderr)
        return EXIT_ERROR
    return 0


def _cmd_bench(args) -> int:
    root = benchmarks_root()
    if root is None:
        raise CLIError("the benchmark harness (benchmarks/) ships with the source checkout, not "
                       "the installed package: run 'deepgrad bench' from a clone installed with "
                       "pip install -e .")
    cmd = [sys.executable, "-m", "benchmarks", *args.workloads, "--rounds", str(args.rounds),
           "--steps", str(args.steps), "--warmup", str(args.warmup)]
    if args.json:
        cmd += ["--json", str(Path(args.json).resolve())]
    proc = subprocess.run(cmd, cwd=root, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        raise CLIError(f"benchmark failed: {lines[-1] if lines else f'exit {proc.returncode}'}")
    return 0


def benchmarks_root() -> Path | None:
    """The repository root holding ``benchmarks/`` next to the package, or None if installed
    without the source tree."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "benchmarks" / "__main__.py").is_file() else None


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``deepgrad`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        if args.command == "lab":
            return _cmd_lab(args)
        if args.command == "bench":
            return _cmd_bench(args)
        from .lab.train_command import train_command

        return train_command(args)
    except CLIError as e:
        print(f"deepgrad {args.command}: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"deepgrad {args.command}: interrupted", file=sys.stderr)
        return 130


def _version() -> str:
    from . import __version__

    return __version__


if __name__ == "__main__":
    sys.exit(main())
