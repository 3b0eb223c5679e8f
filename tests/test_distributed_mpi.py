"""Data-parallel training under a real ``mpiexec -n 2``: collectives, exactness, faults, resume.

Each test launches ``mpiexec -n N python -m mpi4py tests/mpi_scripts/...`` in its own process
group with a timeout (the whole group is killed on expiry, so a hung collective cannot outlive
the test); the scripts assert and ``python -m mpi4py`` turns any failure into an aborted job.
Skipped, with the reason, when mpi4py or mpiexec is missing (``pip install 'deepgrad[mpi]'``).
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = Path(__file__).resolve().parent / "mpi_scripts"


def _mpiexec() -> str | None:
    beside = Path(sysconfig.get_path("scripts")) / "mpiexec"
    return str(beside) if beside.exists() else shutil.which("mpiexec")


def _is_hydra(mpiexec: str | None) -> bool:
    """MPICH's launcher (the tests use its -print-all-exitcodes and its oversubscription)."""
    if mpiexec is None:
        return False
    try:
        out = subprocess.run([mpiexec, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "HYDRA" in out.stdout


MPIEXEC = _mpiexec()
pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("mpi4py") is None,
                       reason="mpi4py is not installed (pip install 'deepgrad[mpi]')"),
    pytest.mark.skipif(MPIEXEC is None, reason="no mpiexec on PATH (pip install mpich)"),
    pytest.mark.skipif(MPIEXEC is not None and not _is_hydra(MPIEXEC),
                       reason=f"{MPIEXEC} is not MPICH's mpiexec (Hydra), which these tests "
                       "drive (pip install mpich)"),
]


def run_mpi(args: list, n: int = 2, timeout: float = 120.0, mpi4py: bool = True,
            launcher_args=(), cwd=None):
    """Run ``mpiexec -n n [python -m mpi4py] args``; returns (returncode, output, seconds)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    cmd = [MPIEXEC, *launcher_args, "-n", str(n), sys.executable]
    cmd += (["-m", "mpi4py"] if mpi4py else []) + [str(a) for a in args]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            env=env, cwd=cwd or ROOT, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        pytest.fail(f"{' '.join(cmd)} did not finish in {timeout} s:\n{out[-3000:]}")
    return proc.returncode, out, time.perf_counter() - t0


def ok(args: list, n: int = 2, **kw) -> str:
    code, out, _ = run_mpi(args, n, **kw)
    assert code == 0, out[-4000:]
    return out


def test_collectives_on_tensors():
    out = ok([SCRIPTS / "collectives.py"])
    assert out.count("collectives OK") == 2


def test_ddp_and_syncbatchnorm_match_one_process_with_the_whole_batch():
    # float64 to 1e-12 (float32 to rounding), several buckets, a short last batch, no_sync
    # accumulation, SyncBatchNorm's statistics and running buffers, unused parameters
    out = ok([SCRIPTS / "exactness.py"])
    assert out.count("exactness OK") == 2


def test_trainer_on_two_ranks_matches_one_process(tmp_path):
    # losses, metrics, val logs (so EarlyStopping/ReduceLROnPlateau) and weights equal the
    # one-process run with twice the batch; logs and checkpoints come from rank 0 only
    out = ok([SCRIPTS / "trainer_run.py", "compare", tmp_path])
    assert out.count("trainer OK, 6 epochs") == 2
    assert (tmp_path / "ck.safetensors").exists() and (tmp_path / "log0.csv").exists()


@pytest.mark.parametrize("how", ["raise", "die"])
def test_a_failing_rank_ends_the_job_fast_and_its_checkpoint_resumes_on_other_rank_counts(
        tmp_path, how):
    code, out, seconds = run_mpi([SCRIPTS / "trainer_run.py", "crash", tmp_path, how],
                                 launcher_args=["-print-all-exitcodes"])
    assert code != 0 and seconds < 60, (code, seconds, out[-3000:])
    if how == "raise":  # the error and the rank that raised it
        assert "ValueError: injected failure on rank 1" in out, out[-3000:]
        assert "rank 1" in out, out[-3000:]
    else:  # the launcher names each rank's exit status; rank 1 exited with 7
        assert "Exit codes:" in out and ("1792" in out or ",7" in out), out[-3000:]
    # the checkpoint written at the end of epoch 2 is intact and continues the run exactly,
    # on one rank and on two
    for n in (1, 2):
        out = ok([SCRIPTS / "trainer_run.py", "resume", tmp_path], n=n)
        assert out.count("resume OK") == n


def _train_lines(out: str) -> list[str]:
    return [ln for ln in out.splitlines() if ln.startswith(("mlp on", "train loss", "resumed"))]


def test_deepgrad_train_under_mpiexec_equals_one_process(tmp_path):
    common = ["--model", "mlp", "--data", "moons", "--epochs", "2", "--no-progress"]
    ck = tmp_path / "ck.safetensors"
    two = ok(["-m", "deepgrad.cli", "train", *common, "--batch-size", "16", "--checkpoint", ck],
             cwd=tmp_path)
    assert ck.exists()
    one = ok(["-m", "deepgrad.cli", "train", *common, "--batch-size", "32"], n=1,
             cwd=tmp_path)
    lines = _train_lines(two)
    assert len(lines) == 2 and lines == _train_lines(one), (two, one)  # rank 0 prints, once
    # the console-script form (no python -m mpi4py) and a resume on a different rank count
    resumed = ok(["-m", "deepgrad.cli", "train", *common[:4], "--epochs", "3", "--no-progress",
                  "--batch-size", "32", "--resume", ck], n=1, mpi4py=False, cwd=tmp_path)
    assert "resumed from" in resumed and "3 epochs" in resumed


def test_collective_error_names_the_problem_on_every_rank():
    code, out, _ = run_mpi(["-c", "import deepgrad.distributed as d, deepgrad as dg; "
                            "d.init_process_group(); d.broadcast(dg.zeros(2), src=5)"])
    assert code != 0
    assert "broadcast: src=5 is not a rank of this group (0 .. 1)" in out


def test_wheel_allreduce_moves_buffers_not_pickles():
    # a plain check that the collectives use buffer calls: the float64 sum is exact. One write
    # per rank: the ranks share the launcher's stdout, and print's pieces could interleave.
    out = ok(["-c", "import numpy as np, deepgrad as dg, deepgrad.distributed as d; "
              "d.init_process_group(); t = dg.tensor(np.full(100000, 0.1)); d.all_reduce(t); "
              "import sys; sys.stdout.write('sum %r\\n' % float(t.numpy().sum()))"])
    sums = [float(ln.split()[1]) for ln in out.splitlines() if ln.startswith("sum")]
    assert len(sums) == 2 and np.allclose(sums, 20000.0)


def test_ddp_example_runs_on_two_ranks():
    pytest.importorskip("sklearn")  # the digits
    out = ok([ROOT / "examples" / "ddp_digits.py", "--epochs", "1"])
    lines = [ln for ln in out.splitlines() if "test accuracy" in ln]  # rank 0 reports, once
    assert len(lines) == 1 and lines[0].startswith("2 rank(s)"), out
    assert float(lines[0].split()[-1]) > 0.5, out
