"""Module.__setattr__ (PyTorch's type rules) and Sequential: None layers, deletion, and the
opt-in ReLU/max-pool reordering as a user inspecting activations sees it, against PyTorch."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn

torch = pytest.importorskip("torch")
tnn = torch.nn

PARAM_MSG = r"cannot assign '[\w.]+' as parameter 'weight' \([\w.]+\.Parameter or None expected\)"
CHILD_MSG = r"cannot assign '[\w.]+' as child module 'sub' \([\w.]+\.Module or None expected\)"


@pytest.mark.parametrize("value", ["tensor", "int", "module"])
def test_assigning_a_non_parameter_to_a_parameter_name_raises_like_torch(value):
    make = {"tensor": (lambda: dg.zeros(3, 2), lambda: torch.zeros(3, 2)),
            "int": (lambda: 5, lambda: 5),
            "module": (lambda: nn.Linear(1, 1), lambda: tnn.Linear(1, 1))}[value]
    for lib, layer, v in ((torch, tnn.Linear(2, 3), make[1]()), (dg, nn.Linear(2, 3), make[0]())):
        with pytest.raises(TypeError, match=PARAM_MSG):
            layer.weight = v
        # nothing changed: still a registered parameter, still in the state dict
        assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"], lib
        assert list(layer.state_dict()) == ["weight", "bias"]


def test_parameter_set_to_none_keeps_its_slot_like_torch():
    names = []
    for layer, param in ((tnn.Linear(2, 3), tnn.Parameter), (nn.Linear(2, 3), nn.Parameter)):
        layer.weight = None
        assert layer.weight is None and [n for n, _ in layer.named_parameters()] == ["bias"]
        with pytest.raises(TypeError, match=PARAM_MSG):  # still a parameter slot
            layer.weight = layer.bias.detach()
        layer.weight = param(layer.bias.detach()[:, None] * 1)
        names.append(list(layer.state_dict()))
    assert names[0] == names[1] == ["weight", "bias"]  # back in its old position


@pytest.mark.parametrize("value", [lambda lib: lib.zeros(1), lambda lib: 3])
def test_assigning_a_non_module_to_a_child_name_raises_like_torch(value):
    for lib, mod in ((torch, tnn), (dg, nn)):
        m = mod.Module()
        m.sub = mod.Linear(1, 1)
        with pytest.raises(TypeError, match=CHILD_MSG):
            m.sub = value(lib)
        assert [n for n, _ in m.named_parameters()] == ["sub.weight", "sub.bias"]
        m.sub = None
        assert list(m.named_parameters()) == [] and list(m.state_dict()) == []


def test_a_parameter_may_replace_a_child_module_like_torch():
    for mod in (tnn, nn):
        m = mod.Module()
        m.sub = mod.Linear(1, 1)
        m.sub = mod.Parameter(m.sub.weight.detach() * 1)
        assert list(m.state_dict()) == ["sub"] and list(m.children()) == []


def _pair(layers):
    """The same Sequential in torch and deepgrad (same weights); ``layers`` names each layer."""
    def build(mod):
        out = []
        for kind, *args in layers:
            out.append(getattr(mod, kind)(*args))
        return mod.Sequential(*out)

    t = build(tnn)
    d = build(nn)
    d.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    return t, d


MLP = [("Linear", 3, 4), ("ReLU",), ("Linear", 4, 4), ("Tanh",), ("Linear", 4, 2)]


def test_sequential_layer_set_to_none_never_runs():
    t, d = _pair(MLP)
    t[1] = None
    d[1] = None
    assert len(d) == len(t) == 5
    assert [n for n, _ in d.named_modules()] == [n for n, _ in t.named_modules()]
    assert list(d.state_dict()) == list(t.state_dict())
    with pytest.raises(TypeError):
        t(torch.ones(1, 3))
    with pytest.raises(TypeError, match=r"Sequential: layer '1' is None.*del seq\[1\]"):
        d(dg.ones(1, 3))
    d[1] = nn.Identity()  # the slot takes a module again, in its place
    t[1] = tnn.Identity()
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(d(dg.from_numpy(x)).numpy(), t(torch.from_numpy(x)).detach(),
                               rtol=1e-6, atol=1e-6)


def test_none_slots_from_the_constructor_append_and_slices_like_torch():
    for mod in (tnn, nn):
        s = mod.Sequential(mod.Linear(2, 2), None)
        s.append(None)
        assert len(s) == 3 and len(s[1:]) == 2 and list(s._modules) == ["0", "1", "2"]


@pytest.mark.parametrize("index", [1, -2, slice(1, 3)])
def test_sequential_delete_renumbers_like_torch(index):
    t, d = _pair(MLP)
    del t[index]
    del d[index]
    assert list(d._modules) == list(t._modules)
    assert list(d.state_dict()) == list(t.state_dict())
    x = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)
    if isinstance(index, slice):  # Linear(3, 4) then Tanh then Linear(4, 2)
        np.testing.assert_allclose(d(dg.from_numpy(x)).numpy(),
                                   t(torch.from_numpy(x)).detach(), rtol=1e-6, atol=1e-6)
    assert d[len(d) - 1] is getattr(d, str(len(d) - 1))
    with pytest.raises(IndexError):
        del d[10]


# ---- the ReLU / max-pool reordering, as hooks see it --------------------------------------
CNN = [("Conv2d", 2, 3, 3, 1, 1), ("ReLU",), ("MaxPool2d", 2), ("Flatten",), ("Linear", 12, 2)]


def _torch_activations(t, x):
    seen = {}

    def hook(name):
        def fn(module, inputs, output):
            seen[name] = (inputs[0].detach().numpy().copy(), output.detach().numpy().copy())
        return fn

    handles = [t[i].register_forward_hook(hook(name)) for i, name in ((1, "relu"), (2, "pool"))]
    out = t(torch.from_numpy(x)).detach().numpy()
    for h in handles:
        h.remove()
    return seen, out


def _wrap_forward(module, name, seen):
    """A user's way to watch a layer without hooks: replace ``forward`` on the instance."""
    forward = module.forward

    def spy(x):
        y = forward(x)
        seen[name] = (x.numpy().copy(), y.numpy().copy())
        return y

    module.forward = spy


def _same_activations(got, want):
    assert set(got) == set(want)
    for name in want:
        for a, b in zip(got[name], want[name]):
            assert a.shape == b.shape, name
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("opt_in", [False, True])
def test_watched_relu_and_pool_see_what_torch_shows(opt_in):
    torch.manual_seed(0)
    t, d = _pair(CNN)
    if opt_in:
        d.pool_before_relu()
    x = np.random.default_rng(2).standard_normal((2, 2, 4, 4)).astype(np.float32)
    want, out = _torch_activations(t, x)
    seen = {}
    _wrap_forward(d[1], "relu", seen)
    _wrap_forward(d[2], "pool", seen)
    np.testing.assert_allclose(d(dg.from_numpy(x)).numpy(), out, rtol=1e-5, atol=1e-6)
    _same_activations(seen, want)
    assert [n for n, _ in d.named_modules()] == [n for n, _ in t.named_modules()]


def test_a_registered_hook_turns_the_reordering_off(monkeypatch):
    # Whatever its flavour, a hook lives in a ``*hook*`` registry on the module: with one
    # non-empty, the pair runs in the written order.
    _, d = _pair(CNN)
    d.pool_before_relu()
    seen, forward = [], nn.ReLU.forward
    monkeypatch.setattr(nn.ReLU, "forward", lambda self, x: seen.append(x.shape) or
                        forward(self, x))
    x = dg.ones(1, 2, 4, 4)
    d(x)
    assert seen[-1] == (1, 3, 2, 2)  # reordered
    for layer in (d[1], d[2]):
        layer.__dict__["_forward_hooks"] = {0: lambda *a: None}
        d(x)
        assert seen[-1] == (1, 3, 4, 4)  # the written order
        layer.__dict__["_forward_hooks"] = {}
    d(x)
    assert seen[-1] == (1, 3, 2, 2)


@pytest.mark.skipif(not hasattr(nn.Module, "register_forward_hook"),
                    reason="deepgrad.nn.Module has no forward hooks in this build")
@pytest.mark.parametrize("which", ["relu", "pool"])
def test_forward_hooks_see_what_torch_shows_with_the_opt_in(which):
    torch.manual_seed(0)
    t, d = _pair(CNN)
    d.pool_before_relu()
    x = np.random.default_rng(3).standard_normal((2, 2, 4, 4)).astype(np.float32)
    want, _ = _torch_activations(t, x)
    seen = {}
    layer = d[1] if which == "relu" else d[2]

    def hook(module, inputs, output):
        seen[which] = (inputs[0].numpy().copy(), output.numpy().copy())

    layer.register_forward_hook(hook)
    d(dg.from_numpy(x))
    _same_activations(seen, {which: want[which]})
