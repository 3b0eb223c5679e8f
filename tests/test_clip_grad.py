"""Gradient clipping by global norm and by value: PyTorch's semantics, no in-place writes."""
import math

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn
from deepgrad.nn.utils import clip_grad_norm_, clip_grad_value_

G1 = np.array([[3.0, -4.0], [0.0, 1.0]], np.float32)
G2 = np.array([2.0, -2.0, 1.0], np.float32)


def _params():
    ps = [nn.Parameter(np.zeros_like(G1)), nn.Parameter(np.zeros_like(G2)),
          nn.Parameter(np.zeros(2, np.float32))]  # the last has no grad
    ps[0].grad, ps[1].grad = dg.from_numpy(G1.copy()), dg.from_numpy(G2.copy())
    return ps


def _total(p):
    flat = np.concatenate([G1.ravel(), G2]).astype(np.float64)
    return np.max(np.abs(flat)) if p == math.inf else (np.abs(flat) ** p).sum() ** (1 / p)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [1.0, 100.0])
def test_clip_grad_norm(norm_type, max_norm):
    ps = _params()
    olds = [ps[0].grad._data, ps[1].grad._data]
    total = clip_grad_norm_(ps, max_norm, norm_type)
    assert isinstance(total, dg.Tensor) and total.shape == ()
    np.testing.assert_allclose(float(total), _total(norm_type), rtol=1e-6)
    coef = min(1.0, max_norm / (_total(norm_type) + 1e-6))
    np.testing.assert_allclose(ps[0].grad._data, G1 * coef, rtol=1e-6)
    np.testing.assert_allclose(ps[1].grad._data, G2 * coef, rtol=1e-6)
    np.testing.assert_array_equal(olds[0], G1)  # old arrays untouched (rebound, not in place)
    assert ps[2].grad is None


def test_clip_grad_norm_matches_torch():
    torch = pytest.importorskip("torch")
    for norm_type in (2.0, 1.5, math.inf):
        ps = _params()
        tps = [torch.zeros(2, 2, requires_grad=True), torch.zeros(3, requires_grad=True)]
        tps[0].grad, tps[1].grad = torch.from_numpy(G1.copy()), torch.from_numpy(G2.copy())
        t_total = torch.nn.utils.clip_grad_norm_(tps, 0.5, norm_type)
        total = clip_grad_norm_(ps, 0.5, norm_type)
        np.testing.assert_allclose(float(total), float(t_total), rtol=1e-6)
        for p, tp in zip(ps, tps):
            np.testing.assert_allclose(p.grad._data, tp.grad.numpy(), rtol=1e-6)


def test_nonfinite_norm():
    p = nn.Parameter(np.zeros(3, np.float32))
    p.grad = dg.from_numpy(np.array([1.0, np.inf, 2.0], np.float32))
    with pytest.raises(RuntimeError, match="inf"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    total = clip_grad_norm_([p], 1.0)
    assert math.isinf(float(total))
    np.testing.assert_array_equal(p.grad._data, [0.0, np.nan, 0.0])  # torch's result
    p.grad = dg.from_numpy(np.array([1.0, np.nan, 2.0], np.float32))
    assert math.isnan(float(clip_grad_norm_([p], 1.0)))
    assert np.all(np.isnan(p.grad._data))


def test_clip_grad_norm_no_grads_and_single_tensor():
    assert float(clip_grad_norm_([nn.Parameter(np.ones(2))], 1.0)) == 0.0
    p = nn.Parameter(np.zeros(2))
    p.grad = dg.tensor(np.array([3.0, 4.0]))
    np.testing.assert_allclose(float(clip_grad_norm_(p, 1.0)), 5.0)
    np.testing.assert_allclose(p.grad._data, [0.6, 0.8], rtol=1e-6)


def test_clip_grad_value():
    ps = _params()
    old = ps[0].grad._data
    clip_grad_value_(ps, 1.5)
    np.testing.assert_array_equal(ps[0].grad._data, np.clip(G1, -1.5, 1.5))
    np.testing.assert_array_equal(ps[1].grad._data, np.clip(G2, -1.5, 1.5))
    np.testing.assert_array_equal(old, G1)
    assert ps[0].grad._data.dtype == np.float32


@pytest.mark.parametrize("call,text", [
    (lambda ps: clip_grad_norm_(ps, -1.0), "-1.0"),
    (lambda ps: clip_grad_norm_(ps, 1.0, norm_type=0), "0.0"),
    (lambda ps: clip_grad_value_(ps, -0.5), "-0.5"),
    (lambda ps: clip_grad_value_(ps + [np.ones(2)], 0.5), "ndarray"),
])
def test_bad_input(call, text):
    with pytest.raises((ValueError, TypeError), match=text.replace(".", r"\.")):
        call(_params())
