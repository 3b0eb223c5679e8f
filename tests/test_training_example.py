"""examples/train_mlp.py runs end to end with few epochs, writes its checkpoint and resumes."""
import importlib.util
import pathlib

import deepgrad as dg

EXAMPLE = pathlib.Path(__file__).resolve().parents[1] / "examples" / "train_mlp.py"


def _example():
    spec = importlib.util.spec_from_file_location("train_mlp_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_trains_checkpoints_and_resumes(tmp_path, capsys):
    example = _example()
    ckpt = tmp_path / "mlp.safetensors"
    acc = example.main(["--epochs", "4", "--checkpoint", str(ckpt)])
    out = capsys.readouterr()
    assert "test accuracy" in out.out and "Epoch 4/4" in out.err  # the progress bar ran
    assert acc > 0.9  # digits (scikit-learn is a test dependency): ~0.99 after 4 epochs
    assert ckpt.exists() and dg.load(ckpt)["format"] == "deepgrad.checkpoint"
    acc2 = example.main(["--epochs", "6", "--checkpoint", str(ckpt), "--resume",
                         "--no-progress"])
    out = capsys.readouterr()
    assert "resuming from" in out.out and out.err == ""
    assert acc2 > 0.8


def test_example_spirals_without_scikit_learn_path(tmp_path, capsys):
    acc = _example().main(["--dataset", "spirals", "--epochs", "10", "--no-progress",
                           "--checkpoint", str(tmp_path / "s.safetensors")])
    assert "spirals" in capsys.readouterr().out and acc > 0.7  # 3 classes: chance is 1/3
