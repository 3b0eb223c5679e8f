"""Module hooks (forward pre/post, full backward and backward-pre) and the rest of the Module API,
against torch.nn.Module where torch is installed."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn


def two(lib):
    """A module with two tensor inputs and a non-tensor one (grad_input: one per tensor)."""

    class Two(lib.Module):
        def __init__(self):
            super().__init__()
            self.lin = lib.Linear(3, 2)

        def forward(self, a, scale, b):
            return self.lin(a * scale + b * b), b.sum()

    return Two().double()


def test_forward_hooks_replace_inputs_and_outputs_in_order():
    lin = nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    h2 = lin.register_forward_hook(lambda m, args, out: calls.append("second") or out + 1)
    lin.register_forward_hook(lambda m, args, out: calls.append("first"), prepend=True)
    y = lin(dg.ones((1, 2)))
    np.testing.assert_allclose(y._data, lin.bias._data[None] + 1, rtol=1e-6)
    assert calls == ["first", "second"]
    h1.remove(), h2.remove()
    np.testing.assert_allclose(lin(dg.zeros((1, 2)))._data, lin.bias._data[None], rtol=1e-6)
    with lin.register_forward_pre_hook(lambda m, a, k: ((a[0] + 1,), k), with_kwargs=True):
        np.testing.assert_allclose(lin(dg.zeros((1, 2)))._data,
                                   (lin.weight._data.sum(1) + lin.bias._data)[None], rtol=1e-6)
    np.testing.assert_allclose(lin(dg.zeros((1, 2)))._data, lin.bias._data[None], rtol=1e-6)


def test_always_call_hook_runs_when_forward_raises():
    lin = nn.Linear(2, 2)
    seen = []
    lin.register_forward_hook(lambda m, a, out: seen.append("always"), always_call=True)
    lin.register_forward_hook(lambda m, a, out: seen.append("normal"))
    with pytest.raises(ValueError):
        lin(dg.ones((1, 5)))
    assert seen == ["always"]
    with pytest.raises(RuntimeError, match="forward pre-hook must return"):
        lin.register_forward_pre_hook(lambda m, a, k: 3, with_kwargs=True)
        lin(dg.ones((1, 2)))


def test_buffers_paths_modes_and_conversions():
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    net[0].register_buffer("scratch", dg.zeros(3), persistent=False)
    assert "0.scratch" not in net.state_dict()
    assert [n for n, _ in net.named_buffers(prefix="net")][:3] == [
        "net.0.scratch", "net.1.running_mean", "net.1.running_var"]
    assert net.get_submodule("1") is net[1] and net.get_parameter("0.bias") is net[0].bias
    assert net.get_buffer("1.running_mean") is net[1].running_mean
    with pytest.raises(AttributeError, match="has no attribute `2`"):
        net.get_submodule("2")
    assert [n for n, _ in net.named_parameters(recurse=False)] == []
    assert not net.eval().training and all(not m.training for m in net.modules())
    with pytest.raises(ValueError, match="boolean"):
        net.train("yes")
    assert net.half()[0].weight.dtype == np.float16 and net.double()[0].weight.dtype == np.float64
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    inits = []
    net.apply(lambda m: inits.append(type(m).__name__))
    assert inits == ["Linear", "BatchNorm1d", "Sequential"]
    shared = nn.Linear(1, 1)
    tied = nn.Sequential(shared, shared)
    assert len(list(tied.named_modules())) == 2
    assert len(list(tied.named_modules(remove_duplicate=False))) == 3
    assert len(list(tied.named_parameters(remove_duplicate=False))) == 4


torch = pytest.importorskip("torch")


def _copy(ours, theirs):
    theirs.load_state_dict({k: torch.from_numpy(np.asarray(v)) for k, v in
                            ours.state_dict().items()}, strict=False)


def _recording_hooks(model, log, replace=None):
    handles = []
    for name, m in model.named_modules():
        if not name:
            continue

        def hook(mod, gin, gout, name=name):
            log.append((name, [None if g is None else np.asarray(g.numpy() if hasattr(
                g, "numpy") and not isinstance(g, np.ndarray) else g) for g in gin],
                [np.asarray(g.detach().numpy() if hasattr(g, "detach") else g.numpy())
                 for g in gout]))
            if replace is not None and name == replace:
                return tuple(None if g is None else g * 2 for g in gin)

        handles.append(m.register_full_backward_hook(hook))
    return handles


def _clean(log):
    out = []
    for name, gin, gout in log:
        gin = [None if g is None else np.asarray(g.detach().numpy() if hasattr(g, "detach")
                                                 else g) for g in gin]
        out.append((name, gin, gout))
    return out


@pytest.mark.parametrize("replace", [None, "1"])
@pytest.mark.parametrize("input_grad", [False, True])
def test_full_backward_hooks_see_torchs_gradients(replace, input_grad):
    rng = np.random.default_rng(0)
    ours = nn.Sequential(nn.Linear(4, 5, dtype=np.float64), nn.Tanh(),
                         nn.Linear(5, 2, dtype=np.float64))
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Tanh(),
                                 torch.nn.Linear(5, 2)).double()
    _copy(ours, theirs)
    x = rng.standard_normal((3, 4))
    log, tlog = [], []
    _recording_hooks(ours, log, replace), _recording_hooks(theirs, tlog, replace)
    xd, xt = dg.tensor(x, requires_grad=input_grad), torch.tensor(x, requires_grad=input_grad)
    w = rng.standard_normal((3, 2))
    (ours(xd) * dg.tensor(w)).sum().backward()
    (theirs(xt) * torch.tensor(w)).sum().backward()
    log, tlog = _clean(log), _clean(tlog)
    assert [e[0] for e in log] == [e[0] for e in tlog] == ["2", "1", "0"]
    for (_, gin, gout), (_, tgin, tgout) in zip(log, tlog):
        assert [g is None for g in gin] == [g is None for g in tgin]
        for a, b in zip(gin + gout, tgin + tgout):
            if a is not None:
                np.testing.assert_allclose(a, b, atol=1e-12)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad._data, q.grad.numpy(), atol=1e-12)
    if input_grad:
        np.testing.assert_allclose(xd.grad._data, xt.grad.numpy(), atol=1e-12)


def test_backward_pre_hook_and_multi_input_module_match_torch():
    rng = np.random.default_rng(1)
    ours, theirs = two(nn), two(torch.nn)
    _copy(ours, theirs)
    seen, tseen = [], []
    for m, log in ((ours, seen), (theirs, tseen)):
        m.register_full_backward_pre_hook(lambda mod, gout: (gout[0] * 3, gout[1]))
        m.register_full_backward_hook(
            lambda mod, gin, gout, log=log: log.append([None if g is None else np.array(
                g.detach().numpy() if hasattr(g, "detach") else g.numpy()) for g in gin + gout]))
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    ad, bd = dg.tensor(a), dg.tensor(b, requires_grad=True)
    at, bt = torch.tensor(a), torch.tensor(b, requires_grad=True)
    y, s = ours(ad, 0.5, bd)
    (y.sum() + s * 2).backward()
    yt, st = theirs(at, 0.5, bt)
    (yt.sum() + st * 2).backward()
    assert len(seen[0]) == len(tseen[0]) == 5  # (a, scale, b) then the two grad_outputs
    assert seen[0][1] is None and tseen[0][1] is None  # the non-tensor argument
    for x, t in zip(seen[0][::2] + seen[0][3:4], tseen[0][::2] + tseen[0][3:4]):
        np.testing.assert_allclose(x, t, atol=1e-12)  # a needs no grad: zeros in both
    assert not seen[0][0].any()
    np.testing.assert_allclose(bd.grad._data, bt.grad.numpy(), atol=1e-12)


def test_module_names_and_state_dict_keys_match_torch():
    ours = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU())
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2),
                                 torch.nn.ReLU())
    assert [n for n, _ in ours.named_modules(prefix="m")] == \
        [n for n, _ in theirs.named_modules(prefix="m")]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert [n for n, _ in ours.named_parameters(prefix="p")] == \
        [n for n, _ in theirs.named_parameters(prefix="p")]
    assert [n for n, _ in ours[1].named_buffers(recurse=False)] == \
        [n for n, _ in theirs[1].named_buffers(recurse=False)]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.zero_grad()
    assert all(p.grad is None for p in ours.parameters())
