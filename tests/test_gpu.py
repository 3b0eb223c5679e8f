"""Real-GPU checks (``-m gpu``): CuPy on an NVIDIA GPU against the CPU, fused kernels included.

Skipped without CuPy and a CUDA device; the strict fake device (``test_device_*.py``) runs the
same code paths everywhere else.
"""
from __future__ import annotations

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn, optim

pytestmark = pytest.mark.gpu

cupy = pytest.importorskip("cupy")
if not dg.cuda.is_available():
    pytest.skip("no CUDA GPU visible to CuPy", allow_module_level=True)


def test_round_trip_and_arrays_are_cupy():
    x = dg.randn(3, 4)
    y = x.cuda()
    assert isinstance(y._data, cupy.ndarray) and y.device == "cuda:0"
    np.testing.assert_array_equal(y.cpu().numpy(), x.numpy())


def test_op_table_on_the_gpu_matches_cpu():
    from test_device_ops import _run
    from test_ops_table import ROWS

    for row in ROWS:
        cpu_outs, cpu_grads = _run(row, "cpu")
        dev_outs, dev_grads = _run(row, "cuda")
        for c, d in zip(cpu_outs, dev_outs):
            np.testing.assert_allclose(d, c, rtol=1e-9, atol=1e-11, err_msg=row.id)
        for c, d in zip(cpu_grads, dev_grads):
            if c is not None:
                np.testing.assert_allclose(d, c, rtol=1e-9, atol=1e-11, err_msg=row.id)


@pytest.mark.parametrize("name,kwargs", [("adam", dict(lr=0.01)), ("adamw", dict(lr=0.01)),
                                         ("sgd", dict(lr=0.1, momentum=0.9)),
                                         ("sgd", dict(lr=0.1, momentum=0.9, nesterov=True))])
def test_fused_optimizer_kernels_match_cpu(name, kwargs):
    from test_device_training import _trajectory

    p_cpu, _ = _trajectory(name, kwargs, "cpu", steps=6)
    p_gpu, _ = _trajectory(name, kwargs, "cuda", steps=6)
    np.testing.assert_allclose(p_gpu.cpu().numpy(), p_cpu.numpy(), rtol=1e-10, atol=1e-12)


def test_cnn_and_lstm_train_on_the_gpu():
    from deepgrad.models import lenet5

    model = lenet5().cuda()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x = dg.randn(16, 1, 28, 28, device="cuda")
    y = dg.randint(0, 10, (16,), device="cuda")
    first = None
    for _ in range(20):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        first = float(loss) if first is None else first
    assert float(loss) < 0.5 * first
    lstm = nn.LSTM(8, 16, batch_first=True).cuda()
    out, _ = lstm(dg.randn(4, 5, 8, device="cuda"))
    out.sum().backward()
    assert all(p.grad.device == "cuda" for p in lstm.parameters())
