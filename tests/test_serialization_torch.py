"""Files written by torch.save load in deepgrad, weights-only, without importing torch."""
import io
import os
import zipfile

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn
from deepgrad import serialization as S
from deepgrad.serialization import CheckpointError, UnpicklingError

torch = pytest.importorskip("torch")


def _torch_bytes(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def test_torch_state_dict_loads_into_the_same_deepgrad_model(tmp_path):
    torch.manual_seed(0)
    tnet = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2),
                               torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(8, 3))
    tnet.train()
    tnet(torch.randn(4, 1, 4, 4))  # move the running statistics off their start
    tnet.eval()
    path = tmp_path / "net.pt"
    torch.save(tnet.state_dict(), path)
    state = dg.load(path)
    assert list(state) == list(tnet.state_dict())
    for k, v in tnet.state_dict().items():
        assert isinstance(state[k], dg.Tensor)
        assert state[k].dtype == v.numpy().dtype
        np.testing.assert_array_equal(state[k].numpy(), v.numpy())
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(),
                        nn.Linear(8, 3))
    net.load_state_dict(state)
    net.eval()
    x = np.random.default_rng(0).standard_normal((2, 1, 4, 4)).astype(np.float32)
    with torch.no_grad():
        want = tnet(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(net(dg.tensor(x)).numpy(), want, rtol=1e-5, atol=1e-6)


def test_views_parameters_scalars_and_optimizer_state(tmp_path):
    base = torch.arange(12.0)
    model = torch.nn.Linear(2, 2)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    model(torch.ones(1, 2)).sum().backward()
    opt.step()
    obj = {"t": base.reshape(3, 4).t(), "slice": base[5:8], "zero_d": torch.tensor(2.5),
           "empty": torch.zeros(0, 3), "p": torch.nn.Parameter(torch.ones(2)),
           "ints": torch.tensor([1, 2], dtype=torch.int32), "bool": torch.tensor([True]),
           "u16": torch.tensor([1, 65535], dtype=torch.uint16), "opt": opt.state_dict(),
           "meta": ("text", 3, 1.5, None), "dev": torch.device("cpu")}
    back = dg.load(io.BytesIO(_torch_bytes(obj)), map_location="cpu")
    np.testing.assert_array_equal(back["t"].numpy(), obj["t"].numpy())
    np.testing.assert_array_equal(back["slice"].numpy(), [5.0, 6.0, 7.0])
    assert back["zero_d"].shape == () and back["zero_d"].item() == 2.5
    assert back["empty"].shape == (0, 3)
    assert isinstance(back["p"], nn.Parameter) and back["p"].requires_grad
    assert back["ints"].dtype == np.int32 and back["bool"].dtype == np.bool_
    assert back["u16"].dtype == np.uint16 and back["u16"].numpy().tolist() == [1, 65535]
    assert back["meta"] == ("text", 3, 1.5, None) and back["dev"] == "cpu"
    tstate = obj["opt"]["state"][0]
    np.testing.assert_array_equal(back["opt"]["state"][0]["exp_avg"].numpy(),
                                  tstate["exp_avg"].numpy())
    assert back["opt"]["param_groups"][0]["betas"] == (0.9, 0.999)


def test_half_precision(tmp_path):
    values = torch.tensor([1.5, -2.25, 3.0e38, 1e-3])
    path = tmp_path / "half.pt"
    torch.save({"bf": values.to(torch.bfloat16), "h": values[:2].half()}, path)
    with pytest.warns(UserWarning, match=r"bfloat16 tensor\(s\) \('bf'\) loaded as float32"):
        back = dg.load(path)
    assert back["bf"].dtype == np.float32 and back["h"].dtype == np.float16
    np.testing.assert_array_equal(back["bf"].numpy(),
                                  values.to(torch.bfloat16).float().numpy())
    np.testing.assert_array_equal(back["h"].numpy(), [1.5, -2.25])
    from safetensors.torch import save_file

    save_file({"w": values.to(torch.bfloat16)}, str(tmp_path / "bf.safetensors"))
    with pytest.warns(UserWarning, match="'w'"):
        w = dg.load(tmp_path / "bf.safetensors")["w"]
    np.testing.assert_array_equal(w, values.to(torch.bfloat16).float().numpy())


@pytest.mark.parametrize("dtype, name", [(torch.complex64, "complex64"),
                                         (torch.float8_e4m3fn, "float8_e4m3fn")])
def test_unsupported_dtype_names_file_tensor_and_dtype(tmp_path, dtype, name):
    path = tmp_path / "odd.pt"
    torch.save({"ok": torch.ones(2), "odd": torch.ones(2).to(dtype)}, path)
    with pytest.raises(CheckpointError, match=rf"odd.pt: tensor 'odd' has dtype {name}"):
        dg.load(path)


def test_unsupported_safetensors_dtype(tmp_path):
    from safetensors.torch import save_file

    save_file({"f8": torch.ones(2).to(torch.float8_e5m2)}, str(tmp_path / "f8.safetensors"))
    with pytest.raises(CheckpointError, match="f8.safetensors: tensor 'f8' has dtype F8_E5M2"):
        dg.load(tmp_path / "f8.safetensors")


def test_whole_torch_model_is_refused_with_names(tmp_path):
    path = tmp_path / "whole.pt"
    torch.save(torch.nn.Linear(2, 2), path)
    with pytest.raises(UnpicklingError, match="torch.nn.modules.linear.Linear"):
        dg.load(path)
    assert "torch.nn.modules.linear.Linear" in S.get_unsafe_globals_in_checkpoint(path)
    with pytest.raises(UnpicklingError, match="PyTorch object deepgrad does not rebuild"):
        dg.load(path, weights_only=False)


def _rewrite_pickle(data: bytes, new_pickle: bytes) -> bytes:
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = new_pickle if info.filename.endswith("data.pkl") else src.read(info)
            dst.writestr(info.filename, body)
    return out.getvalue()


MARKER = "/tmp/fh/deepgrad-torch-pwned"


@pytest.mark.parametrize("payload, refused", [
    (f"cos\nsystem\n(Vtouch {MARKER}\ntR.".encode(), "os.system"),
    (b"\x80\x02ctorch._utils\n_rebuild_qtensor\n)R.", "torch._utils._rebuild_qtensor"),
    (b"\x80\x02cbuiltins\neval\n(V1+1\ntR.", "builtins.eval"),
])
def test_crafted_torch_files_never_run_code(tmp_path, payload, refused):
    if os.path.exists(MARKER):
        os.unlink(MARKER)
    path = tmp_path / "evil.pt"
    path.write_bytes(_rewrite_pickle(_torch_bytes({"w": torch.ones(2)}), payload))
    with pytest.raises(UnpicklingError, match=refused.replace(".", r"\.")):
        dg.load(path)
    assert not os.path.exists(MARKER)


def test_crafted_strides_cannot_read_outside_the_storage(tmp_path):
    data = _torch_bytes({"w": torch.ones(4)})
    pkl = zipfile.ZipFile(io.BytesIO(data)).read("archive/data.pkl")
    # the size tuple (4,) is BININT1 4 then TUPLE1: claim 400 elements instead
    bad = pkl.replace(b"K\x04\x85", b"M\x90\x01\x85", 1)
    assert bad != pkl
    path = tmp_path / "strided.pt"
    path.write_bytes(_rewrite_pickle(data, bad))
    with pytest.raises(UnpicklingError, match="reaches element 399 of a storage of 4"):
        dg.load(path)


def test_storage_size_mismatch_and_damaged_zip(tmp_path):
    data = _torch_bytes({"w": torch.ones(4)})
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info.filename, body[:8] if info.filename.endswith("data/0") else body)
    (tmp_path / "short.pt").write_bytes(out.getvalue())
    with pytest.raises(CheckpointError, match="storage data/0 holds 8 bytes, but its tensor "
                                              "needs 16"):
        dg.load(tmp_path / "short.pt")
    (tmp_path / "cut.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="cut.pt"):
        dg.load(tmp_path / "cut.pt")
