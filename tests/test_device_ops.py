"""Every row of the op table on the strict fake CUDA device: values and gradients equal the CPU's.

The rows come from ``test_ops_table.ROWS``, so an op added there is covered here too. Host
constants inside a row (``dg.tensor(TGT)``) land on the device because the row runs under
``dg.set_default_device("cuda")``; a host array leaking into device code raises in the fake.
"""
from __future__ import annotations

import numpy as np
import pytest
from test_ops_table import ROWS, _arrays

import deepgrad as dg


def _as_tuple(out):
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def _run(row, device):
    """Forward and backward of ``row`` on ``device``; returns (outputs, input grads) on host."""
    ts = [dg.tensor(a, requires_grad=row.grad, device=device) for a in _arrays(row, np.float64)]
    dg.set_default_device(device)
    try:
        outs = _as_tuple(row.fn(*ts))
        total = None
        for out in outs:
            assert out.device == device, (row.id, out.device)
            if out.requires_grad:
                term = (out * out.detach()).sum()  # a non-constant upstream gradient
                total = term if total is None else total + term
        if total is not None:
            total.backward()
    finally:
        dg.set_default_device(None)
    grads = []
    for t in ts:
        if t.grad is not None:
            assert t.grad.device == device, (row.id, t.grad.device)
        grads.append(None if t.grad is None else t.grad.cpu().numpy())
    return [o.cpu().numpy() for o in outs], grads


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_op_on_fake_cuda_matches_cpu(row, fake_cuda):
    cpu_outs, cpu_grads = _run(row, "cpu")
    dev_outs, dev_grads = _run(row, "cuda")
    for c, d in zip(cpu_outs, dev_outs):
        assert c.dtype == d.dtype and c.shape == d.shape, row.id
        np.testing.assert_allclose(d, c, rtol=1e-12, atol=1e-14)
    for c, d in zip(cpu_grads, dev_grads):
        assert (c is None) == (d is None), row.id
        if c is not None:
            np.testing.assert_allclose(d, c, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("row", [r for r in ROWS if r.grad][::7], ids=lambda r: r.id)
def test_gradcheck_on_fake_cuda(row, fake_cuda):
    ts = [dg.tensor(a, requires_grad=True, device="cuda") for a in _arrays(row, np.float64)]
    dg.set_default_device("cuda")
    try:
        assert dg.autograd.gradcheck(row.fn, ts)
    finally:
        dg.set_default_device(None)
