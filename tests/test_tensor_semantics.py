"""PyTorch's semantics on the tensor surface: dtype objects, the default dtype, type promotion,
error types, factories' dtypes, memory sharing, conversions and formatting."""
from __future__ import annotations

import numpy as np
import pytest

import deepgrad as dg

DTYPES = ["float32", "float64", "float16", "int8", "int16", "int32", "int64", "uint8", "bool"]


def test_dtype_objects_and_aliases():
    assert dg.float is dg.float32 and dg.double is dg.float64 and dg.half is dg.float16
    assert dg.long is dg.int64 and dg.int is dg.int32 and dg.bool is dg.bool_
    for name in DTYPES:
        d = getattr(dg, name if name != "bool" else "bool_")
        assert dg.zeros(2, dtype=d).dtype == d
        assert dg.tensor([1, 0], dtype=d).dtype == np.dtype(d)
    assert dg.tensor([1.0]).dtype == dg.float32
    # Python's types as dtypes mean what PyTorch reads: float is float64, int is int64.
    assert dg.zeros(2, dtype=float).dtype == dg.float64 and dg.ones(1, dtype=int).dtype == dg.int64


def test_bfloat16_is_rounded_float32_storage():
    x = dg.tensor([1.0 + 2 ** -9, 3.14159, -1e-3], dtype=dg.bfloat16)
    assert x.dtype == dg.float32
    np.testing.assert_array_equal(x.numpy(), dg.bfloat16.round(x.numpy()))
    y = dg.tensor([3.14159]).bfloat16()
    assert y.item() == 3.140625  # bfloat16 keeps 8 significant bits


def test_default_dtype_get_set():
    assert dg.get_default_dtype() is dg.float32
    try:
        dg.set_default_dtype(dg.float64)
        assert dg.tensor([1.5]).dtype == dg.float64
        assert dg.zeros(2).dtype == dg.float64 and dg.arange(0.0, 1.0, 0.5).dtype == dg.float64
        assert (dg.tensor([1, 2]) + 2.5).dtype == dg.float64
        assert dg.exp(dg.tensor([1])).dtype == dg.float64
    finally:
        dg.set_default_dtype(dg.float32)
    with pytest.raises(TypeError):
        dg.set_default_dtype(dg.int64)


@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("b", DTYPES + ["py_int", "py_float", "py_bool", "0d_float64",
                                        "0d_int64"])
def test_promotion_matches_torch(a, b):
    torch = pytest.importorskip("torch")

    def make(m, name, values):
        if name.startswith("py_"):
            return {"py_int": 3, "py_float": 2.5, "py_bool": True}[name]
        if name.startswith("0d_"):
            return m.tensor(1, dtype=getattr(m, name[3:]))
        return m.tensor(values, dtype=getattr(m, name))

    for op in ("add", "mul", "sub", "maximum", "div", "eq"):
        if op == "sub" and "bool" in a + b:
            continue  # PyTorch refuses bool subtraction
        if op == "maximum" and b.startswith("py_"):
            continue  # torch.maximum takes tensors only
        got = getattr(dg, op)(make(dg, a, [1, 0, 1]), make(dg, b, [2, 1, 1]))
        want = getattr(torch, op)(make(torch, a, [1, 0, 1]), make(torch, b, [2, 1, 1]))
        assert got.dtype.name == str(want.dtype).replace("torch.", ""), (op, a, b)
        np.testing.assert_allclose(got.numpy().astype(float), want.numpy().astype(float),
                                   rtol=1e-3)


def test_float_functions_of_int_tensors_are_float32():
    x = dg.tensor([1, 2, 3])
    for f in (dg.exp, dg.log, dg.sqrt, dg.sin, dg.sigmoid, dg.erf, dg.log1p):
        assert f(x).dtype == dg.float32, f
    assert (x / x).dtype == dg.float32 and (x // 2).dtype == dg.int64
    assert (x % 2).dtype == dg.int64 and dg.floor(x).dtype == dg.int64
    assert (dg.tensor([-7]) // 2).item() == -4 and (dg.tensor([-7]) % 3).item() == 2
    assert dg.fmod(dg.tensor([-7]), 3).item() == -1


def test_errors_have_torch_types_and_name_the_op():
    a, b = dg.zeros(2, 3), dg.zeros(4)
    with pytest.raises(RuntimeError, match="add.*\\(2, 3\\).*\\(4,\\)"):
        a + b
    with pytest.raises(ValueError):  # the same error also is a ValueError (older deepgrad code)
        a + b
    with pytest.raises(RuntimeError, match="mm"):
        dg.mm(a, a)
    with pytest.raises(IndexError):
        a[5]
    with pytest.raises(IndexError):
        a.sum(3)
    with pytest.raises(RuntimeError, match="gather"):
        dg.gather(a, 1, dg.tensor([[0, 7]]))
    with pytest.raises(RuntimeError, match="mean"):
        dg.tensor([1, 2]).mean()
    with pytest.raises(RuntimeError, match="bitwise_and"):
        dg.zeros(2) & dg.zeros(2)


def test_factories_dtypes_and_values():
    assert dg.arange(5).dtype == dg.int64 and dg.arange(0, 1, 0.25).dtype == dg.float32
    assert dg.arange(5, dtype=dg.float64).dtype == dg.float64
    assert dg.full((2,), 3).dtype == dg.int64 and dg.full((2,), True).dtype == dg.bool_
    assert dg.full((2,), 1.5).dtype == dg.float32 and dg.full(3, 0.5).shape == (3,)
    np.testing.assert_allclose(dg.linspace(0, 1, 5).numpy(), [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_allclose(dg.logspace(0, 2, 3).numpy(), [1, 10, 100])
    assert dg.eye(2, 3).shape == (2, 3) and dg.empty(2, 3).shape == (2, 3)
    dg.manual_seed(0)
    assert dg.randint(5, (100,)).numpy().max() < 5 and dg.randint(3, 5, (9,)).numpy().min() >= 3
    assert sorted(dg.randperm(6).tolist()) == list(range(6))
    assert dg.rand_like(dg.zeros(2, dtype=dg.float64)).dtype == dg.float64
    assert dg.randn_like(dg.zeros(3)).shape == (3,)
    assert set(dg.bernoulli(dg.full((1000,), 0.3)).unique().tolist()) <= {0.0, 1.0}
    assert abs(dg.bernoulli(dg.full((4000,), 0.3)).mean().item() - 0.3) < 0.05
    counts = np.bincount(dg.multinomial(dg.tensor([0.2, 0.8]), 4000, True).numpy(), minlength=2)
    assert abs(counts[1] / 4000 - 0.8) < 0.05
    no_repeat = dg.multinomial(dg.ones(2, 5), 5).numpy()
    assert all(sorted(r) == list(range(5)) for r in no_repeat)
    z = dg.normal(dg.zeros(5000), 2.0)
    assert abs(z.std().item() - 2.0) < 0.1 and z.dtype == dg.float32
    assert dg.normal(1.0, 0.5, (3, 2)).shape == (3, 2)


def test_from_numpy_and_as_tensor_share_memory():
    a = np.zeros(3)
    t = dg.from_numpy(a)
    a[0] = 5
    assert t[0].item() == 5 and t.dtype == dg.float64
    u = dg.as_tensor(a)
    a[1] = 7
    assert u[1].item() == 7
    assert dg.tensor(a)[1].item() == 7 and dg.tensor(a).numpy() is not a


def test_item_tolist_format_type_and_casts():
    x = dg.tensor([1.25, -2.5])
    assert x[0].item() == 1.25 and x.tolist() == [1.25, -2.5]
    assert f"{x.sum():.3f}" == "-1.250" and f"{dg.tensor(3)}" == "3"
    assert x.type() == "torch.FloatTensor" and x.long().type() == "torch.LongTensor"
    assert x.type(dg.float64).dtype == dg.float64 and x.type("torch.IntTensor").dtype == dg.int32
    assert x.double().dtype == dg.float64 and x.half().dtype == dg.float16
    assert x.long().tolist() == [1, -2] and x.int().dtype == dg.int32 and x.bool().all()
    assert x.byte().dtype == dg.uint8 and x.char().dtype == dg.int8 and x.short().dtype == dg.int16
    w = dg.tensor([1.0, 2.0], requires_grad=True)
    w.double().sum().backward()
    assert w.grad.dtype == dg.float32 and w.grad.tolist() == [1.0, 1.0]


def test_setitem_records_and_writes():
    x = dg.zeros(3, 4)
    v = x[0]
    x[0, 1:3] = 2.0  # no graph: written into the array, views see it
    assert v.tolist() == [0, 2, 2, 0]
    w = dg.tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        w[0, 0] = 1.0
    with dg.no_grad():
        w[0, 0] = 5.0
    assert w[0, 0].item() == 5.0
    y = w * 2
    memory = y._data
    y[:, 1] = dg.tensor([7.0, 8.0])
    assert y._data is memory and memory[0, 1] == 7.0  # in place, as PyTorch: views see it
    assert y._version == 1
    y.sum().backward()
    assert w.grad.tolist() == [[2.0, 0.0, 2.0], [2.0, 0.0, 2.0]]
    e = (w * 1).exp()  # exp saves its output: changing it in place makes backward refuse
    e[0, 0] = 0.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        e.sum().backward()


def test_advanced_indexing_uses_torch_dim_order():
    x = dg.arange(24).reshape(2, 3, 4)
    assert x[0, :, [0, 1]].shape == (3, 2)  # NumPy would give (2, 3)
    assert x[:, 1, [0, 1, 2]].shape == (2, 3)
    assert x[[0, 1], :, [1, 2]].shape == (2, 3)  # separated index arrays: broadcast dims first
    assert x[x > 20].tolist() == [21, 22, 23]


def test_registry_gives_function_method_and_alias():
    from deepgrad.ops.registry import OPS, namespace

    assert dg.cumsum is OPS["cumsum"].fn and dg.Tensor.cumsum is OPS["cumsum"].fn
    assert dg.clip is dg.clamp and dg.Tensor.swapaxes is dg.transpose
    assert "relu" in namespace("F") and "cumsum" not in namespace("F")
    assert dg.linalg.inv is OPS["linalg.inv"].fn
    import deepgrad.nn.functional as F
    from deepgrad.ops.arithmetic import add

    assert F.relu is dg.relu and dg.add is add


def test_in_place_methods_write_through_and_refuse_unsafe_casts():
    x = dg.tensor([1.0, 4.0])
    view = x[:]
    assert x.sqrt_() is x and view.tolist() == [1.0, 2.0]
    with pytest.raises(RuntimeError, match="can't be cast"):
        dg.tensor([1, 4]).sqrt_()
    w = dg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        w.exp_()
    y = w * 1
    y.pow_(2).masked_fill_(dg.tensor([True, False]), 0.0)
    y.sum().backward()
    assert w.grad.tolist() == [0.0, 4.0]


def test_special_namespace_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).uniform(0.2, 0.8, 6)
    for name in dg.special.__all__:
        if name in ("polygamma", "multigammaln"):
            got = getattr(dg.special, name)(1, dg.tensor(x)) if name == "polygamma" else \
                dg.special.multigammaln(dg.tensor(x + 2), 2)
            want = getattr(torch.special, name)(1, torch.tensor(x)) if name == "polygamma" \
                else torch.special.multigammaln(torch.tensor(x + 2), 2)
        elif name == "xlogy":
            got, want = dg.special.xlogy(dg.tensor(x), 2.0), torch.special.xlogy(
                torch.tensor(x), 2.0)
        elif name in ("logsumexp", "softmax", "log_softmax"):
            got = getattr(dg.special, name)(dg.tensor(x), 0)
            want = getattr(torch.special, name)(torch.tensor(x), 0)
        else:
            got = getattr(dg.special, name)(dg.tensor(x))
            want = getattr(torch.special, name)(torch.tensor(x))
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-8, err_msg=name)
