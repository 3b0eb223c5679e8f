"""50-step trajectory parity of every optimizer against torch.optim (same kwargs, same grads)."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn

torch = pytest.importorskip("torch")

CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.5, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.05, maximize=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
    ("RMSprop", dict(lr=0.005, alpha=0.9, weight_decay=0.1, momentum=0.5)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, betas=(0.8, 0.99))),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("AdamW", dict()),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.01, weight_decay=0.1, betas=(0.8, 0.9))),
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
]


def _grad(w, a, b, t):
    """A gradient that depends on the current weights (so errors compound over the run)."""
    return (a * (w - b) + 0.1 * np.sin(t + w)).astype(np.float32)


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_trajectory_matches_torch(name, kwargs):
    rng = np.random.default_rng(0)
    shapes = [(4, 3), (3,)]
    ws = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    a = [rng.uniform(0.5, 2.0, s).astype(np.float32) for s in shapes]
    b = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    ps = [nn.Parameter(w.copy()) for w in ws]
    tps = [torch.tensor(w.copy(), requires_grad=True) for w in ws]
    opt = getattr(dg.optim, name)(ps, **kwargs)
    topt = getattr(torch.optim, name)(tps, **kwargs)
    for t in range(50):
        for p, tp, ai, bi in zip(ps, tps, a, b):
            g = _grad(p._data, ai, bi, t)
            p.grad = dg.tensor(g)
            tp.grad = torch.from_numpy(_grad(tp.detach().numpy(), ai, bi, t))
        opt.step()
        topt.step()
    for p, tp in zip(ps, tps):
        np.testing.assert_allclose(p._data, tp.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert not np.allclose(ps[0]._data, ws[0])  # it moved


def test_param_groups_match_torch():
    rng = np.random.default_rng(1)
    w1, w2 = rng.standard_normal((3, 2)).astype(np.float32), rng.standard_normal(2).astype(
        np.float32)
    p1, p2 = nn.Parameter(w1.copy()), nn.Parameter(w2.copy())
    t1, t2 = torch.tensor(w1.copy(), requires_grad=True), torch.tensor(w2.copy(),
                                                                       requires_grad=True)
    opt = dg.optim.Adam([{"params": [p1]}, {"params": [p2], "lr": 0.1}], lr=0.01)
    topt = torch.optim.Adam([{"params": [t1]}, {"params": [t2], "lr": 0.1}], lr=0.01)
    for _ in range(20):
        for p, tp in ((p1, t1), (p2, t2)):
            p.grad = dg.tensor(2 * p._data)
            tp.grad = 2 * tp.detach()
        opt.step()
        topt.step()
    np.testing.assert_allclose(p1._data, t1.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(p2._data, t2.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW",
                                  "Adamax", "NAdam"])
def test_defaults_match_torch(name):
    import inspect
    ours = inspect.signature(getattr(dg.optim, name).__init__).parameters
    theirs = inspect.signature(getattr(torch.optim, name).__init__).parameters
    for k, v in ours.items():
        if k in ("self", "params"):
            continue
        assert k in theirs, k
        assert theirs[k].default == v.default, (k, v.default, theirs[k].default)


def test_momentum_under_a_schedule_matches_torch():
    """PyTorch's buffer form (not the chapter's) is what must match once lr changes mid-run."""
    rng = np.random.default_rng(2)
    w0 = rng.standard_normal(5).astype(np.float32)
    p, tp = nn.Parameter(w0.copy()), torch.tensor(w0.copy(), requires_grad=True)
    opt, topt = dg.optim.SGD([p], lr=0.1, momentum=0.9), torch.optim.SGD([tp], lr=0.1,
                                                                           momentum=0.9)
    sched = dg.optim.lr_scheduler.StepLR(opt, step_size=7, gamma=0.3)
    tsched = torch.optim.lr_scheduler.StepLR(topt, step_size=7, gamma=0.3)
    for _ in range(50):
        p.grad = dg.tensor(p._data ** 3)
        tp.grad = tp.detach() ** 3
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
    np.testing.assert_allclose(p._data, tp.detach().numpy(), rtol=1e-5, atol=1e-6)
