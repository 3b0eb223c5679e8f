"""dg.save / dg.load as in PyTorch >= 2.6: file objects, types kept, whole objects behind an
allow-list, crafted pickles refused before they run."""
import io
import os
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn
from deepgrad import serialization as S
from deepgrad.serialization import CheckpointError, UnpicklingError


def _mlp():
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def test_file_objects_and_sequential_streams(tmp_path):
    buf = io.BytesIO()
    dg.save({"a": np.arange(3)}, buf)
    dg.save([1, "two", (3.0,)], buf)  # two objects back to back in one stream
    buf.seek(0)
    np.testing.assert_array_equal(dg.load(buf)["a"], np.arange(3))
    assert dg.load(buf) == [1, "two", (3.0,)]
    with open(tmp_path / "f.bin", "wb") as f:
        dg.save({"x": 1.5}, f)
    with open(tmp_path / "f.bin", "rb") as f:
        assert dg.load(f) == {"x": 1.5}

    class Pipe:  # read() only: no seek, tell or readinto
        def __init__(self, data):
            self.b = io.BytesIO(data)

        def read(self, n=-1):
            return self.b.read(n)

    assert dg.load(Pipe((tmp_path / "f.bin").read_bytes())) == {"x": 1.5}
    with pytest.raises(TypeError, match="file object"):
        dg.save({"x": 1}, 42)
    with open(tmp_path / "f.bin", encoding="latin-1") as text, \
            pytest.raises(TypeError, match="binary mode"):
        dg.load(text)


def test_types_round_trip():
    p = nn.Parameter(dg.tensor([1.0, 2.0]))
    t = dg.tensor([[1.0]], requires_grad=True)
    obj = {"od": OrderedDict([("b", 1), ("a", 2)]), "t": t, "p": p, "frozen": dg.tensor([3]),
           "arr": np.ones((2, 2), np.float16), "s": np.int16(7), "tuple": (1, [2.5, None]),
           "big": 2**70, "text": "é ✓", 3: True}
    buf = io.BytesIO()
    dg.save(obj, buf)
    buf.seek(0)
    back = dg.load(buf)
    assert type(back["od"]) is OrderedDict and list(back["od"]) == ["b", "a"]
    assert type(back["t"]) is dg.Tensor and back["t"].requires_grad
    assert type(back["p"]) is nn.Parameter and back["p"].requires_grad
    assert type(back["frozen"]) is dg.Tensor and not back["frozen"].requires_grad
    assert back["frozen"].dtype == np.int64
    assert type(back["arr"]) is np.ndarray and back["arr"].dtype == np.float16
    assert type(back["s"]) is np.int16 and back["s"] == 7
    assert back["tuple"] == (1, [2.5, None]) and back["big"] == 2**70
    assert back["text"] == "é ✓" and back[3] is True
    np.testing.assert_array_equal(back["p"].numpy(), [1.0, 2.0])


def test_flat_state_dict_of_tensors_keeps_names_for_other_tools(tmp_path):
    from safetensors.numpy import load_file

    sd = OrderedDict([("w", dg.tensor([1.0, 2.0])), ("b", np.zeros(2, np.float32))])
    dg.save(sd, tmp_path / "sd.safetensors")
    assert sorted(load_file(str(tmp_path / "sd.safetensors"))) == ["b", "w"]
    back = dg.load(tmp_path / "sd.safetensors")
    assert type(back) is OrderedDict and list(back) == ["w", "b"]
    assert type(back["w"]) is dg.Tensor and type(back["b"]) is np.ndarray


def test_whole_module_is_weights_only_refused_with_a_helpful_message(tmp_path):
    model = _mlp()
    path = tmp_path / "model.pt"
    dg.save(model, path)
    with pytest.raises(UnpicklingError) as info:
        dg.load(path)
    msg = str(info.value)
    assert str(path) in msg and "deepgrad.nn.containers.Sequential" in msg
    assert "deepgrad.nn.linear.Linear" in msg and "weights_only=False" in msg
    assert "add_safe_globals" in msg and "load_state_dict" in msg
    assert isinstance(info.value, pickle.UnpicklingError)
    assert isinstance(info.value, CheckpointError)
    assert S.get_unsafe_globals_in_checkpoint(path) == [
        "deepgrad.nn.containers.Sequential", "deepgrad.nn.linear.Linear",
        "deepgrad.nn.activation.ReLU"]


def test_whole_module_loads_with_allow_list_or_trust(tmp_path):
    model = _mlp()
    path = tmp_path / "model.pt"
    dg.save(model, path)
    x = dg.randn(5, 3)
    classes = [nn.Sequential, nn.Linear, nn.ReLU]
    with S.safe_globals(classes):
        back = dg.load(path)
    assert S.get_safe_globals() == []  # the block's allow-list is gone after it
    back.eval()
    np.testing.assert_array_equal(back(x).numpy(), model(x).numpy())
    assert isinstance(back[0].weight, nn.Parameter) and back[0].weight.requires_grad
    assert back[0].weight is back[0]._parameters["weight"]  # one object, as before saving
    assert [n for n, _ in back.named_parameters()] == [n for n, _ in model.named_parameters()]
    with pytest.raises(UnpicklingError):
        dg.load(path)
    S.add_safe_globals(classes)
    try:
        assert isinstance(dg.load(path), nn.Sequential)
    finally:
        S.clear_safe_globals()
    trusted = dg.load(path, weights_only=False)
    np.testing.assert_array_equal(trusted(x).numpy(), model(x).numpy())


def test_tied_weights_stay_tied(tmp_path):
    a, b = nn.Linear(3, 3), nn.Linear(3, 3)
    b.weight = a.weight
    dg.save([a, b], tmp_path / "tied.pt")
    with S.safe_globals([nn.Linear]):
        a2, b2 = dg.load(tmp_path / "tied.pt")
    assert a2.weight is b2.weight and a2.bias is not b2.bias


class _Evil:
    def __reduce__(self):
        return (os.system, (f"touch {MARKER}",))


MARKER = "/tmp/fh/deepgrad-pwned"


def test_crafted_pickle_never_runs(tmp_path):
    if os.path.exists(MARKER):
        os.unlink(MARKER)
    path = tmp_path / "evil.pt"
    dg.save({"payload": _Evil(), "w": np.ones(2)}, path)  # save pickles the reduce
    with pytest.raises(UnpicklingError, match=r"refused the global (posix|os|nt)\.system"):
        dg.load(path)
    assert not os.path.exists(MARKER)
    assert S.get_unsafe_globals_in_checkpoint(path)[0].endswith(".system")


def test_unimportable_class_with_weights_only_false(tmp_path):
    tensors = {}
    data = S._pickle.dumps(0, tensors).tobytes()
    # swap the pickled int for a global that does not exist
    crafted = b"\x80\x04\x8c\x0fno_such_module_\x94\x8c\x03Net\x94\x93\x94."
    assert data.startswith(b"\x80\x04")
    buf = io.BytesIO()
    meta = {"format": "deepgrad", S.META_KEY: '{"version": 2, "object": {"__pickle__": "p"}}'}
    for chunk in S._format.encode_file({"p": np.frombuffer(crafted, np.uint8)}, meta):
        buf.write(chunk)
    buf.seek(0)
    with pytest.raises(CheckpointError, match="cannot be imported here.*define it"):
        dg.load(buf, weights_only=False)


def test_pickle_and_unknown_files_are_refused(tmp_path):
    path = tmp_path / "legacy.pt"
    path.write_bytes(pickle.dumps({"w": [1.0]}, protocol=2))
    with pytest.raises(CheckpointError, match="a pickle file.*could run code"):
        dg.load(path)
    with pytest.raises(TypeError, match="unexpected keyword"):
        dg.load(path, bogus=1)


def test_map_location_and_weights_only_none_are_accepted(tmp_path):
    dg.save({"w": dg.tensor([1.0])}, tmp_path / "m.pt")
    for loc in (None, "cpu", lambda storage, loc: storage, {"cuda:0": "cpu"}):
        back = dg.load(tmp_path / "m.pt", map_location=loc, weights_only=None)
        np.testing.assert_array_equal(back["w"].numpy(), [1.0])
