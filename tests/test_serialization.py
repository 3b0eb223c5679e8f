"""dg.save / dg.load: safetensors round trips, atomic writes, bad files, PyTorch interchange."""
import json
import os
import pickle
import struct

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn
from deepgrad import serialization as S
from deepgrad.serialization import CheckpointError


def _mlp():
    return nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 3))


def test_state_dict_round_trip_keeps_names_dtypes_values(tmp_path):
    model = _mlp()
    path = tmp_path / "m.safetensors"
    dg.save(model.state_dict(), path)
    back = dg.load(path)
    ref = model.state_dict()
    assert list(back) == list(ref) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    for k in ref:
        assert back[k].dtype == ref[k].dtype and back[k].shape == ref[k].shape
        np.testing.assert_array_equal(back[k], ref[k])


def test_nested_object_round_trip_keeps_types(tmp_path):
    rng_state = dg.manual_seed(3).bit_generator.state
    obj = {
        "epoch": 4, "name": "run", "flag": True, "none": None, "lr": 0.1,
        "odd": [float("nan"), float("inf"), -float("inf")],
        "betas": (0.9, 0.999),
        "state": {0: {"step": np.float32(3.0), "buf": np.arange(6, dtype=np.float64)},
                  7: {"n": np.int64(2), "b": np.bool_(True)}},
        "zero_d": np.array(2.5, dtype=np.float32), "empty": np.zeros((0, 3), np.float32),
        "strided": np.arange(12, dtype=np.int32).reshape(3, 4).T,
        "tensor": dg.tensor([1.0, 2.0]), "rng": rng_state, "nested": [[1, [2, (3,)]]],
        "a/b": np.ones(2), "a": {"b": np.zeros(2)},  # names that flatten to the same path
    }
    path = tmp_path / "ck.safetensors"
    dg.save(obj, path)
    back = dg.load(path)
    assert back["epoch"] == 4 and back["name"] == "run" and back["flag"] is True
    assert back["none"] is None and back["lr"] == 0.1 and back["betas"] == (0.9, 0.999)
    assert np.isnan(back["odd"][0]) and back["odd"][1:] == [float("inf"), -float("inf")]
    assert set(back["state"]) == {0, 7}  # int keys stay ints (optimizer state layout)
    step = back["state"][0]["step"]
    assert type(step) is np.float32 and step == 3.0
    assert type(back["state"][7]["n"]) is np.int64 and back["state"][7]["b"] == np.True_
    np.testing.assert_array_equal(back["state"][0]["buf"], np.arange(6.0))
    assert back["zero_d"].shape == () and back["zero_d"].dtype == np.float32
    assert back["empty"].shape == (0, 3)
    np.testing.assert_array_equal(back["strided"], obj["strided"])
    np.testing.assert_array_equal(back["tensor"], [1.0, 2.0])
    assert back["rng"] == rng_state and back["nested"] == [[1, [2, (3,)]]]
    np.testing.assert_array_equal(back["a/b"], np.ones(2))
    np.testing.assert_array_equal(back["a"]["b"], np.zeros(2))
    dg.set_rng_state(back["rng"])  # a restored RNG state is usable as is
    assert dg.random.generator().random() == np.random.default_rng(3).random()


@pytest.mark.parametrize("obj, what", [
    ({"x": {1, 2}}, "set"),
    ({"x": np.array(["a", "b"])}, "dtype <U1"),
    ({"x": object()}, "object"),
    ({(1, 2): np.ones(1)}, "dict key"),
])
def test_unsupported_objects_are_named(tmp_path, obj, what):
    with pytest.raises(TypeError, match=what):  # the strict mode that checkpoints use
        dg.save(obj, tmp_path / "bad.safetensors", allow_pickle=False)
    assert not os.listdir(tmp_path)  # nothing written, no temp file left


@pytest.mark.parametrize("fail_at", ["fsync", "replace", "write"])
def test_crash_mid_save_keeps_previous_file(tmp_path, monkeypatch, fail_at):
    path = tmp_path / "ck.safetensors"
    dg.save({"w": np.ones(4, np.float32)}, path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("simulated crash")

    if fail_at == "write":  # die after part of the bytes reached the temp file
        real_fdopen = os.fdopen

        class HalfFile:
            def __init__(self, f):
                self.f = f

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.f.close()

            def write(self, data):
                self.f.write(data[: len(data) // 2])
                boom()

        monkeypatch.setattr(S.os, "fdopen", lambda fd, mode: HalfFile(real_fdopen(fd, mode)))
    else:
        monkeypatch.setattr(S.os, fail_at, boom)
    with pytest.raises(OSError, match="simulated crash"):
        dg.save({"w": np.zeros(1000, np.float32)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    np.testing.assert_array_equal(dg.load(path)["w"], np.ones(4, np.float32))
    assert os.listdir(tmp_path) == ["ck.safetensors"]  # the temp file was removed


def _saved_bytes(tmp_path):
    path = tmp_path / "good.safetensors"
    dg.save({"model": _mlp().state_dict(), "epoch": 1}, path)
    return path.read_bytes()


def _flip(data: bytes, pos: int) -> bytes:
    return data[:pos] + bytes([data[pos] ^ 0xFF]) + data[pos + 1:]


@pytest.mark.parametrize("make, match", [
    (lambda b: b[: len(b) - 10], "truncated file"),
    (lambda b: b[:200], "truncated file"),
    (lambda b: b[:5], "too short"),
    (lambda b: b"", "too short"),
    (lambda b: b"hello, I am a text file and not a checkpoint", "not a safetensors file"),
    (lambda b: pickle.dumps({"w": [1.0, 2.0]}), "a pickle file"),
    (lambda b: _flip(b, 20), "corrupted safetensors header"),
    (lambda b: _flip(b, len(b) - 3), "corrupted"),  # a flipped bit in tensor data
])
def test_bad_files_raise_clear_errors_naming_the_file(tmp_path, make, match):
    data = make(_saved_bytes(tmp_path))
    path = tmp_path / "bad.safetensors"
    path.write_bytes(data)
    with pytest.raises(CheckpointError, match=match) as info:
        dg.load(path)
    assert str(path) in str(info.value)


def test_missing_file_and_newer_format(tmp_path):
    with pytest.raises(FileNotFoundError):
        dg.load(tmp_path / "nope.safetensors")
    from safetensors.numpy import save_file

    meta = {S.META_KEY: json.dumps({"version": 99, "object": None})}
    save_file({"x": np.ones(1)}, str(tmp_path / "new.safetensors"), metadata=meta)
    with pytest.raises(CheckpointError, match="newer deepgrad"):
        dg.load(tmp_path / "new.safetensors")


def test_header_length_past_end_is_truncated(tmp_path):
    path = tmp_path / "h.safetensors"
    path.write_bytes(struct.pack("<Q", 5000) + b'{"a": 1}')
    with pytest.raises(CheckpointError, match="truncated"):
        dg.load(path)


@pytest.mark.parametrize("other", [
    lambda: nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 4)),  # shape mismatch
    lambda: nn.Sequential(nn.Linear(5, 7), nn.ReLU()),  # unexpected keys in the file
    lambda: nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 3), nn.Linear(3, 1)),
])
def test_mismatched_model_is_left_unchanged(tmp_path, other):
    path = tmp_path / "m.safetensors"
    dg.save(_mlp().state_dict(), path)
    model = other()
    before = model.state_dict()
    with pytest.raises(CheckpointError, match="does not match the model") as info:
        S.load_into(model, path)
    assert str(path) in str(info.value)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


def test_load_into_matching_model(tmp_path):
    src, dst = _mlp(), _mlp()
    dg.save(src.state_dict(), tmp_path / "m.safetensors")
    S.load_into(dst, tmp_path / "m.safetensors")
    x = dg.randn(4, 5)
    np.testing.assert_array_equal(dst(x).numpy(), src(x).numpy())


def test_deepgrad_file_loads_into_torch_and_back(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file, save_file

    model = _mlp()
    dg.save(model.state_dict(), tmp_path / "dg.safetensors")
    tmodel = torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.ReLU(), torch.nn.Linear(7, 3))
    tmodel.load_state_dict(load_file(str(tmp_path / "dg.safetensors")))  # strict: names match
    x = np.random.default_rng(0).standard_normal((6, 5)).astype(np.float32)
    with torch.no_grad():
        want = tmodel(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(model(dg.tensor(x)).numpy(), want, rtol=1e-5, atol=1e-6)

    torch.manual_seed(1)
    tmodel2 = torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.ReLU(), torch.nn.Linear(7, 3))
    save_file(tmodel2.state_dict(), str(tmp_path / "pt.safetensors"))
    model2 = _mlp()
    model2.load_state_dict(dg.load(tmp_path / "pt.safetensors"))
    with torch.no_grad():
        want2 = tmodel2(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(model2(dg.tensor(x)).numpy(), want2, rtol=1e-5, atol=1e-6)
    assert not np.allclose(want, want2)  # the second model really has other weights


def test_process_killed_mid_save_leaves_previous_file(tmp_path):
    import signal
    import subprocess
    import sys
    import textwrap

    path = tmp_path / "ck.safetensors"
    dg.save({"w": np.ones(4, np.float32)}, path)
    before = path.read_bytes()
    # the child stops inside the save, after writing the temp file and before the rename
    code = textwrap.dedent(f"""
        import sys, time, numpy as np
        import deepgrad as dg
        from deepgrad import serialization as S
        def hang(fd):
            print("writing", flush=True)
            time.sleep(60)
        S.os.fsync = hang
        dg.save({{"w": np.zeros(100000, np.float32)}}, {str(path)!r})
    """)
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                             cwd=repo)  # `python -c` imports deepgrad from its cwd
    try:
        assert child.stdout.readline().strip() == "writing"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
    assert path.read_bytes() == before
    np.testing.assert_array_equal(dg.load(path)["w"], np.ones(4, np.float32))
    leftovers = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
    assert len(leftovers) == 1  # the killed save's temp file...
    dg.save({"w": np.zeros(2, np.float32)}, path)
    assert os.listdir(tmp_path) == ["ck.safetensors"]  # ...is gone after the next save
