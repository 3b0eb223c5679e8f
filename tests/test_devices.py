"""The device layer: device objects, the registry, Tensor.to/cuda/cpu, factories' device=,
dg.cuda, seeding, cross-device errors and the CPU-only settings (on the strict fake device)."""
from __future__ import annotations

import os
import subprocess
import sys

import fake_device
import numpy as np
import pytest

import deepgrad as dg
from deepgrad import backend, nn


def test_device_objects_parse_compare_and_hash():
    d = dg.device("cuda:1")
    assert (d.type, d.index, str(d), repr(d)) == ("cuda", 1, "cuda:1",
                                                  "device(type='cuda', index=1)")
    assert dg.device("cuda", 1) == d and hash(dg.device("cuda", 1)) == hash(d)
    assert d == "cuda:1" and d == "cuda" and d != "cuda:0" and d != "cpu"
    assert dg.device("cuda") != dg.device("cuda:0")  # PyTorch: no index is not index 0
    assert dg.device("cpu") == "cpu" and dg.device(d) == d
    assert dg.tensor([1.0]).device == "cpu" and dg.tensor([1.0]).device == dg.device("cpu")
    for bad, match in (("tpu", "Expected one of cpu"), ("cuda:x", "Invalid device string"),
                       ("cpu:1", "CPU device index")):
        with pytest.raises(RuntimeError, match=match):
            dg.device(bad)


def test_cuda_without_cupy_is_a_clear_error():
    if dg.cuda.is_available():
        pytest.skip("a real CUDA device is present")
    assert dg.cuda.device_count() == 0
    dg.cuda.manual_seed_all(3)  # ignored without CUDA, as in PyTorch
    with pytest.raises(RuntimeError, match=r"not available.*deepgrad\[cuda\]|no CUDA GPU"):
        dg.zeros(2, device="cuda")
    with pytest.raises(RuntimeError, match="not available"):
        dg.ones(2).cuda()


def test_register_device_and_dg_cuda(fake_cuda):
    assert dg.cuda.is_available() and dg.cuda.device_count() == fake_device.DEVICE_COUNT
    assert dg.cuda.current_device() == 0
    assert backend.get_array_module(dg.zeros(2, device="cuda")._data) is fake_cuda
    with dg.cuda.device(1):
        assert dg.zeros(2, device="cuda").device == "cuda:1"
    dg.cuda.set_device(1)
    try:
        assert dg.cuda.current_device() == 1 and dg.ones(1, device="cuda").device == "cuda:1"
    finally:
        dg.cuda.set_device(0)
    with pytest.raises(RuntimeError, match="out of range"):
        dg.zeros(1, device="cuda:5")
    with pytest.raises(ValueError, match="cpu"):
        backend.register_device("cpu", fake_cuda)


def test_tensor_to_cuda_cpu_round_trip_and_signatures(fake_cuda):
    x = dg.tensor([[1.0, 2.0], [3.0, 4.0]])
    y = x.cuda()
    assert y.device == "cuda:0" and y.is_cuda and not x.is_cuda
    assert y.cuda() is y and x.cpu() is x and x.to("cpu") is x
    assert isinstance(y._data, fake_device.ndarray)
    z = y.cpu()
    assert z.device == "cpu" and isinstance(z._data, np.ndarray)
    np.testing.assert_array_equal(z.numpy(), x.numpy())
    assert x.to(dg.float64).dtype == np.float64 and x.to("float64").dtype == np.float64
    w = x.to("cuda", dg.float64)
    assert w.device == "cuda" and w.dtype == np.float64
    assert x.to(device="cuda:1").device == "cuda:1" and x.cuda(1).device == "cuda:1"
    assert x.to(w).device == "cuda" and x.to(w).dtype == np.float64
    c = y.to("cuda", copy=True)
    assert c is not y and c.device == "cuda"
    with pytest.raises(TypeError, match="unexpected keyword"):
        x.to(devices="cuda")


def test_to_device_is_differentiable(fake_cuda):
    x = dg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = (x.cuda() * dg.tensor([2.0, 2.0, 2.0], device="cuda")).sum()
    y.backward()
    assert x.grad.device == "cpu"
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 2.0])


def test_numpy_on_a_device_tensor_raises_pytorch_message(fake_cuda):
    y = dg.ones(2, device="cuda")
    msg = ("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the "
           "tensor to host memory first.")
    with pytest.raises(TypeError) as err:
        y.numpy()
    assert str(err.value) == msg
    with pytest.raises(TypeError):
        np.asarray(y)
    assert "device='cuda:0'" in repr(y)
    assert float(y.sum()) == 2.0 and y.tolist() == [1.0, 1.0]


def test_cross_device_ops_name_both_devices_and_the_op(fake_cuda):
    a, b = dg.ones(3, device="cuda"), dg.ones(3)
    with pytest.raises(RuntimeError, match=r"Add: .*two devices, cuda:0 and cpu"):
        a + b
    with pytest.raises(RuntimeError, match=r"MatMul.*cpu and cuda:0"):
        dg.ones(2, 3) @ dg.ones(3, 2, device="cuda")
    with pytest.raises(RuntimeError, match=r"cuda:0 and cuda:1"):
        a * dg.ones(3, device="cuda:1")
    assert (a + 2).device == "cuda" and (2.5 * a).dtype == np.float32  # scalars fit any device


def test_factories_take_device_and_like_keeps_it(fake_cuda):
    for t in (dg.zeros(2, 3, device="cuda"), dg.ones(2, device="cuda"),
              dg.full((2,), 7, device="cuda"), dg.empty(2, device="cuda"),
              dg.randn(2, device="cuda"), dg.rand(2, device="cuda"),
              dg.randint(0, 5, (3,), device="cuda"), dg.randperm(4, device="cuda"),
              dg.arange(5, device="cuda"), dg.linspace(0, 1, 5, device="cuda"),
              dg.eye(3, device="cuda"), dg.tensor([1, 2], device="cuda"),
              dg.as_tensor(np.ones(2), device="cuda")):
        assert t.device == "cuda", t
    assert dg.full((2,), 7, device="cuda").dtype == np.int64
    assert dg.arange(5, device="cuda").cpu().tolist() == [0, 1, 2, 3, 4]
    src = dg.ones(2, 2, device="cuda:1", dtype=dg.float64)
    for fn in (dg.zeros_like, dg.ones_like, dg.randn_like, dg.rand_like):
        t = fn(src)
        assert t.device == "cuda:1" and t.dtype == np.float64
    assert dg.full_like(src, 3.0).device == "cuda:1"
    assert dg.zeros_like(src, device="cpu").device == "cpu"


def test_manual_seed_repeats_device_draws(fake_cuda):
    dg.manual_seed(5)
    a = dg.randn(4, device="cuda").cpu().numpy()
    dg.manual_seed(5)
    b = dg.randn(4, device="cuda").cpu().numpy()
    np.testing.assert_array_equal(a, b)
    dg.cuda.manual_seed(9)
    c = dg.rand(3, device="cuda").cpu().numpy()
    dg.cuda.manual_seed_all(9)
    np.testing.assert_array_equal(dg.rand(3, device="cuda").cpu().numpy(), c)
    dg.manual_seed(5)
    cpu = dg.randn(4).numpy()
    dg.manual_seed(5)
    dg.randn(4, device="cuda")  # device draws leave the CPU stream alone
    np.testing.assert_array_equal(dg.randn(4).numpy(), cpu)


def test_module_to_cuda_state_dict_and_load(fake_cuda):
    m = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    host = {k: v.copy() for k, v in m.state_dict().items()}
    m.cuda()
    assert all(t.device == "cuda" for t in list(m.parameters()) + list(m.buffers()))
    sd = m.state_dict()
    assert all(isinstance(v, fake_device.ndarray) for v in sd.values())  # devices kept
    m.load_state_dict(host)  # host arrays are copied onto the module's device
    assert all(t.device == "cuda" for t in m.parameters())
    m.cpu()
    assert all(isinstance(t._data, np.ndarray) for t in m.parameters())
    m.load_state_dict(sd)  # and device arrays onto the host
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v, sd[k].get())


def test_save_writes_host_copies(fake_cuda, tmp_path):
    m = nn.Linear(2, 3).cuda()
    dg.save(m.state_dict(), tmp_path / "m.safetensors")
    dg.save({"w": m.weight, "nested": [m.bias._data]}, tmp_path / "n.safetensors")
    dg.save(m, tmp_path / "whole.safetensors")
    loaded = dg.load(tmp_path / "m.safetensors")
    assert isinstance(loaded["weight"], np.ndarray)  # state dicts hold arrays
    np.testing.assert_array_equal(loaded["weight"], m.weight.cpu().numpy())
    assert isinstance(dg.load(tmp_path / "n.safetensors")["nested"][0], np.ndarray)
    whole = dg.load(tmp_path / "whole.safetensors", weights_only=False)
    assert whole.weight.device == "cpu"
    np.testing.assert_array_equal(whole.weight.numpy(), m.weight.cpu().numpy())


def test_get_array_module_on_the_cpu_and_long_runs():
    from deepgrad.backend import get_array_module, long_runs, xp

    assert get_array_module(np.ones(2), 1.0) is np and xp is np
    with long_runs(fake_device.fake_cupy):  # a no-op for any module but NumPy
        pass


@pytest.mark.parametrize("env,expected", [("1", "False"), (None, "True")])
def test_malloc_tuning_can_be_turned_off(env, expected):
    if not sys.platform.startswith("linux"):
        pytest.skip("malloc tuning is Linux-only")
    environ = {k: v for k, v in os.environ.items() if k != "DEEPGRAD_NO_MALLOC_TUNING"}
    if env is not None:
        environ["DEEPGRAD_NO_MALLOC_TUNING"] = env
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-c",
                          "import deepgrad.backend as b; print(b.MALLOC_TUNED)"],
                         env=environ, cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == expected


def test_the_fake_device_catches_host_leaks(fake_cuda):
    from deepgrad.autograd.function import Function

    class Leaky(Function):  # the bug the fake exists to catch: a NumPy array made on the host
        def forward(self, x):
            return x + np.ones(x.shape, x.dtype)

    with pytest.raises(TypeError, match="host numpy.ndarray"):
        Leaky().apply(dg.ones(3, device="cuda"))
    a = fake_cuda.ones(3)
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.asarray(a)
    with pytest.raises(TypeError, match="numpy.concatenate"):
        np.concatenate([a, a])
    with pytest.raises(TypeError, match="host numpy.ndarray"):
        a[...] = np.zeros(3)
    for name in ("setbufsize", "errstate", "seterr"):
        assert not hasattr(fake_cuda, name)
    total = a.sum()
    assert isinstance(total, fake_device.ndarray) and total.shape == ()  # a 0-d device array
    host = a.get()
    assert isinstance(host, np.ndarray) and not isinstance(a, np.ndarray)
    assert (a.astype(np.float32) * np.float32(2)).dtype == np.float32  # NumPy scalars: fine


def test_detect_anomaly_names_the_op_on_the_device(fake_cuda):
    x = dg.tensor([1.0, 0.0], device="cuda", requires_grad=True)
    with pytest.raises(RuntimeError, match="Log"):
        with dg.detect_anomaly():
            dg.log(x - 1.0)
