"""The chapter's perceptron: the classic rule separates AND and OR, never XOR; the XOR example."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
AND = np.array([-1, -1, -1, 1])
OR = np.array([-1, 1, 1, 1])
XOR = np.array([-1, 1, 1, -1])


@pytest.mark.parametrize("target", [AND, OR], ids=["AND", "OR"])
@pytest.mark.parametrize("lr", [1.0, 0.1])
def test_separates_and_or_exactly(target, lr):
    p = nn.Perceptron(2)
    errors = p.fit(X, target, epochs=100, lr=lr)
    assert errors[-1] == 0 and len(errors) < 100  # stopped early once separated
    assert p.accuracy(X, target) == 1.0
    np.testing.assert_array_equal(p.predict(X), target)


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("lr", [1.0, 0.5])
def test_cannot_separate_xor(shuffle, lr):
    p = nn.Perceptron(2)
    best = 0.0
    for _ in range(50):
        assert p.fit(X, XOR, epochs=1, lr=lr, shuffle=shuffle)[0] > 0  # never an error-free epoch
        best = max(best, p.accuracy(X, XOR))
    assert best <= 0.75


def test_classic_rule_update_by_hand():
    p = nn.Perceptron(2)
    # Zero weights give net 0 -> o = -1; t = 1 so w += lr (t - o) x = 0.5 * 2 * x, w0 += 1.
    assert p.fit(np.array([[1.0, 3.0]]), np.array([1]), epochs=1, lr=0.5) == [1]
    np.testing.assert_allclose(p.weight.numpy(), [[1.0, 3.0]])
    np.testing.assert_allclose(p.bias.numpy(), [1.0])
    # A correct sample changes nothing.
    assert p.fit(np.array([[1.0, 3.0]]), np.array([1]), epochs=1) == [0]
    np.testing.assert_allclose(p.weight.numpy(), [[1.0, 3.0]])


def test_outputs_and_parameters():
    p = nn.Perceptron(3)
    out = p(dg.tensor(np.zeros((2, 3))))
    assert isinstance(out, dg.Tensor) and set(out.numpy().tolist()) <= {-1.0, 1.0}
    assert list(p.state_dict()) == ["weight", "bias"] and "in_features=3" in repr(p)


def test_bad_inputs_are_named():
    p = nn.Perceptron(2)
    with pytest.raises(ValueError, match=r"\(4, 3\)"):
        p.predict(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="-1 or 1"):
        p.fit(X, np.array([0, 1, 1, 0]))
    with pytest.raises(ValueError, match=r"\(3,\)"):
        p.fit(X, np.array([1, -1, 1]))


def _load_example():
    path = Path(__file__).resolve().parents[1] / "examples" / "xor.py"
    spec = importlib.util.spec_from_file_location("xor_example", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_xor_example_perceptron_fails_and_mlp_reaches_100_percent(capsys):
    result = _load_example().main(verbose=True)
    runs = result["perceptron"]
    assert runs["AND"]["final_accuracy"] == 1.0 and runs["OR"]["final_accuracy"] == 1.0
    assert runs["XOR"]["best_accuracy"] <= 0.75
    mlp = result["mlp"]
    assert mlp["accuracy"] == 1.0
    assert mlp["losses"][-1] < 0.05 * mlp["losses"][0]
    np.testing.assert_array_equal(mlp["outputs"] > 0.5, XOR > 0)
    printed = capsys.readouterr().out
    assert "accuracy 100%" in printed and "XOR" in printed
