"""dg.accelerator answers truthfully; dg.backends accepts PyTorch's settings."""
from __future__ import annotations

import importlib.util

import pytest

import deepgrad as dg
from deepgrad import accelerator

HAVE_CUPY = importlib.util.find_spec("cupy") is not None


def test_cpu_only_machine_says_so(monkeypatch):
    monkeypatch.setattr(dg.cuda, "device_count", lambda: 0)
    assert dg.accelerator.is_available() is False
    assert dg.accelerator.current_accelerator() is None
    assert dg.accelerator.device_count() == 0
    with pytest.raises(RuntimeError, match="no accelerator"):
        dg.accelerator.current_device_index()
    dg.accelerator.synchronize()  # nothing queued: returns


def test_answers_follow_dg_cuda(monkeypatch):
    assert accelerator.device_count() == dg.cuda.device_count()
    assert accelerator.is_available() == dg.cuda.is_available()


def test_a_visible_gpu_is_reported(monkeypatch):
    monkeypatch.setattr(dg.cuda, "device_count", lambda: 2)
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
    assert dg.backends.cuda.is_built() == HAVE_CUPY
    dg.backends.cuda.matmul.allow_tf32 = False


def test_same_answer_as_torch_on_this_machine():
    torch = pytest.importorskip("torch")
    if HAVE_CUPY:
        pytest.skip("CuPy present: deepgrad's CUDA and torch's CPU build may differ")
    assert dg.accelerator.is_available() == torch.accelerator.is_available()
    assert dg.backends.mps.is_available() == torch.backends.mps.is_available()
