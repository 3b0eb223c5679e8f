"""Helpers for the nn-layer tests: run a function on deepgrad and on torch with the same float64
inputs and compare outputs and input gradients; float64 gradcheck."""
from __future__ import annotations

import numpy as np

import deepgrad as dg

RNG = np.random.default_rng(16)


def compare(ours, theirs, arrays, grad=(True,), rtol=1e-10, atol=1e-12):
    """Assert ``ours(*tensors)`` equals ``theirs(*torch_tensors)`` and so do the gradients of
    the inputs flagged in ``grad`` (the flag of the last listed applies to the rest)."""
    import torch

    flags = [grad[min(i, len(grad) - 1)] for i in range(len(arrays))]
    ts = [dg.tensor(np.array(a), requires_grad=f and np.asarray(a).dtype.kind == "f")
          for a, f in zip(arrays, flags)]
    tts = [torch.tensor(np.array(a), requires_grad=f and np.asarray(a).dtype.kind == "f")
           for a, f in zip(arrays, flags)]
    y, ty = ours(*ts), theirs(*tts)
    if isinstance(y, tuple):
        for extra, textra in zip(y[1:], ty[1:]):
            if extra is None or textra is None:
                assert extra is None and textra is None
                continue
            np.testing.assert_allclose(extra.numpy(), textra.detach().numpy(), rtol=rtol,
                                       atol=atol)
        y, ty = y[0], ty[0]
    assert y.shape == tuple(ty.shape), (y.shape, tuple(ty.shape))
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=rtol, atol=atol)
    if not any(t.requires_grad for t in ts):
        return y
    upstream = RNG.standard_normal(y.shape)
    y.backward(dg.tensor(upstream))
    ty.backward(torch.tensor(upstream))
    for t, tt in zip(ts, tts):
        if t.requires_grad:
            np.testing.assert_allclose(t.grad.numpy(), tt.grad.numpy(), rtol=rtol * 10,
                                       atol=atol * 10)
    return y


def gradcheck(fn, arrays, grad=(True,)):
    """float64 finite-difference gradcheck of ``fn`` at ``arrays``."""
    flags = [grad[min(i, len(grad) - 1)] for i in range(len(arrays))]
    ts = [dg.tensor(np.array(a, dtype=np.float64) if np.asarray(a).dtype.kind == "f"
                    else np.array(a), requires_grad=f and np.asarray(a).dtype.kind == "f")
          for a, f in zip(arrays, flags)]
    assert dg.autograd.gradcheck(fn, ts)
