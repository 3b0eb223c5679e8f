"""The ``deepgrad`` command: help, lab, train and bench; user errors are one line + exit != 0."""
import json
import subprocess
import sys

import pytest

from deepgrad import cli


def _run(capsys, *argv):
    try:
        code = cli.main(list(argv))
    except SystemExit as e:  # argparse exits for --help and usage errors
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def test_help_lists_the_commands(capsys):
    code, out, _ = _run(capsys, "--help")
    assert code == 0
    for word in ("lab", "train", "bench"):
        assert word in out


def test_no_command_prints_help_and_fails(capsys):
    code, out, _ = _run(capsys)
    assert code != 0 and "COMMAND" in out


@pytest.mark.parametrize("argv, words", [
    (["lab", "nope"], ["unknown experiment", "nope"]),
    (["lab", "--seed", "-3"], ["--seed", "-3"]),
    (["lab", "--seed", "abc"], ["--seed", "abc"]),
    (["train", "--model", "resnet", "--data", "spirals"], ["--model", "resnet"]),
    (["train", "--model", "mlp", "--data", "cifar"], ["--data", "cifar"]),
    (["train", "--model", "mlp", "--data", "spirals", "--lr", "-1"], ["--lr", "-1"]),
    (["train", "--model", "mlp", "--data", "spirals", "--epochs", "0"], ["--epochs", "0"]),
    (["train", "--model", "mlp", "--data", "spirals", "--optimizer", "lbfgs"], ["lbfgs"]),
    (["train", "--model", "mlp", "--data", "spirals", "--batch-size", "x"], ["--batch-size"]),
    (["bench", "--rounds", "0"], ["--rounds", "0"]),
    (["frobnicate"], ["frobnicate"]),
])
def test_user_errors_are_one_line_and_nonzero(capsys, argv, words):
    code, _, err = _run(capsys, *argv)
    assert code not in (0, None)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for w in words:
        assert w in lines[0]


def test_lab_list(capsys):
    from deepgrad.lab import EXPERIMENTS

    code, out, _ = _run(capsys, "lab", "--list")
    assert code == 0
    assert [ln.split()[0] for ln in out.strip().splitlines()] == list(EXPERIMENTS)


def test_lab_writes_report_and_summary(capsys, tmp_path):
    code, out, err = _run(capsys, "lab", "activations", "--quick", "--out", str(tmp_path),
                          "--no-progress")
    assert code == 0, err
    assert "activations" in out and "report:" in out
    data = json.loads((tmp_path / "results.json").read_text())
    assert list(data["experiments"]) == ["activations"]
    assert (tmp_path / "index.html").stat().st_size > 10_000


def test_lab_exit_status_when_a_claim_fails(capsys, tmp_path, monkeypatch):
    from deepgrad.lab import activations

    real = activations.run

    def failing(quick=False, seed=0):
        r = real(quick, seed)
        r.check("made to fail", False)
        return r

    monkeypatch.setattr(activations, "run", failing)
    code, _, err = _run(capsys, "lab", "activations", "--quick", "--out", str(tmp_path),
                        "--no-progress")
    assert code == 1
    assert err.strip().splitlines() == [
        "deepgrad lab: a measured number contradicts the chapter in: activations (see the "
        "report)"]


def test_bench_without_source_checkout_is_one_line(capsys, monkeypatch):
    monkeypatch.setattr(cli, "benchmarks_root", lambda: None)
    code, _, err = _run(capsys, "bench")
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and "source checkout" in err


def test_bench_unknown_workload_is_one_line(capsys):
    if cli.benchmarks_root() is None:
        pytest.skip("no benchmarks/ folder")
    code, _, err = _run(capsys, "bench", "nonexistent_workload", "--rounds", "1")
    assert code != 0
    assert len(err.strip().splitlines()) == 1 and "nonexistent_workload" in err


def test_console_entry_point_runs_as_module():
    proc = subprocess.run([sys.executable, "-m", "deepgrad.cli", "--version"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("deepgrad ")


def test_train_mlp_with_checkpoint_and_resume(capsys, tmp_path):
    ckpt = tmp_path / "run.safetensors"
    code, out, err = _run(capsys, "train", "--model", "mlp", "--data", "spirals", "--epochs",
                          "3", "--batch-size", "32", "--lr", "0.01", "--checkpoint", str(ckpt),
                          "--no-progress", "--seed", "1")
    assert code == 0, err
    assert "mlp on spirals: 3 epochs" in out and "validation loss" in out
    acc = float(out.split("validation loss")[1].split("accuracy")[1].split()[0])
    assert acc > 0.7  # an MLP learns spirals quickly
    assert ckpt.stat().st_size > 0
    code, out, err = _run(capsys, "train", "--model", "mlp", "--data", "spirals", "--epochs",
                          "4", "--batch-size", "32", "--lr", "0.01", "--resume", str(ckpt),
                          "--no-progress", "--seed", "1")
    assert code == 0, err
    assert "resumed from" in out and "after epoch 3" in out and ": 4 epochs" in out


def test_train_recurrent_and_early_stopping(capsys):
    code, out, err = _run(capsys, "train", "--model", "gru", "--data", "first_token_memory",
                          "--epochs", "2", "--early-stopping", "1", "--no-progress")
    assert code == 0, err
    assert "gru on first_token_memory" in out


@pytest.mark.parametrize("argv, words", [
    (["--model", "lstm", "--data", "spirals"], ["lstm", "sequence", "spirals"]),
    (["--model", "lenet5", "--data", "moons"], ["lenet5", "image", "moons"]),
    (["--model", "mlp", "--data", "mnist"], ["mnist", "not found", "--download"]),
    (["--model", "mlp", "--data", "spirals", "--resume", "nonexistent.safetensors"],
     ["--resume", "nonexistent.safetensors"]),
])
def test_train_errors_are_one_line(capsys, tmp_path, argv, words):
    code, _, err = _run(capsys, "train", *argv, "--data-root", str(tmp_path), "--no-progress")
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("deepgrad train: error:"), err
    for w in words:
        assert w in lines[0]


def test_train_rejects_a_corrupt_checkpoint(capsys, tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a checkpoint at all")
    code, _, err = _run(capsys, "train", "--model", "mlp", "--data", "xor", "--resume",
                        str(bad), "--no-progress")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "bad.safetensors" in err


def test_train_lenet_on_mnist_files(capsys, tmp_path):
    from test_lab import _fake_mnist

    _fake_mnist(tmp_path, 200, 50)
    code, out, err = _run(capsys, "train", "--model", "lenet5", "--data", "mnist",
                          "--data-root", str(tmp_path), "--epochs", "1", "--no-progress")
    assert code == 0, err
    assert "lenet5 on mnist: 1 epochs" in out
