"""dg.accelerator answers truthfully; dg.backends accepts PyTorch's settings."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

import deepgrad as dg
from deepgrad import accelerator, backend


def test_cpu_only_machine_says_so(monkeypatch):
    monkeypatch.setattr(backend, "cupy", None)
    assert dg.accelerator.is_available() is False
    assert dg.accelerator.current_accelerator() is None
    assert dg.accelerator.device_count() == 0
    with pytest.raises(RuntimeError, match="no accelerator"):
        dg.accelerator.current_device_index()
    dg.accelerator.synchronize()  # nothing queued: returns


def test_cupy_without_a_gpu_counts_zero(monkeypatch):
    def no_driver():
        raise RuntimeError("cudaErrorNoDevice")

    fake = SimpleNamespace(cuda=SimpleNamespace(runtime=SimpleNamespace(getDeviceCount=no_driver)))
    monkeypatch.setattr(backend, "cupy", fake)
    assert accelerator.device_count() == 0 and accelerator.current_accelerator() is None


def test_a_visible_gpu_is_reported(monkeypatch):
    fake = SimpleNamespace(cuda=SimpleNamespace(runtime=SimpleNamespace(
        getDeviceCount=lambda: 2)))
    monkeypatch.setattr(backend, "cupy", fake)
    assert accelerator.is_available() and accelerator.device_count() == 2
    current = accelerator.current_accelerator()
    assert str(getattr(current, "type", current)) == "cuda"
    with pytest.raises(ValueError, match="out of range"):
        accelerator.set_device_index(5)


def test_backends_settings_are_accepted_and_read_back():
    cudnn = dg.backends.cudnn
    old = cudnn.benchmark, cudnn.deterministic
    try:
        cudnn.benchmark, cudnn.deterministic = True, True
        assert dg.backends.cudnn.benchmark and dg.backends.cudnn.deterministic
    finally:
        cudnn.benchmark, cudnn.deterministic = old
    assert cudnn.enabled is True and cudnn.is_available() is False and cudnn.version() is None
    assert dg.backends.mps.is_available() is False and dg.backends.mps.is_built() is False
    assert dg.backends.cuda.is_built() == (backend.cupy is not None)
    dg.backends.cuda.matmul.allow_tf32 = False


def test_same_answer_as_torch_on_this_machine():
    torch = pytest.importorskip("torch")
    if backend.cupy is not None:
        pytest.skip("CuPy present: deepgrad's CUDA and torch's CPU build may differ")
    assert dg.accelerator.is_available() == torch.accelerator.is_available()
    assert dg.backends.mps.is_available() == torch.backends.mps.is_available()
