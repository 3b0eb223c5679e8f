"""LBFGS (closure, strong Wolfe), RAdam, ASGD and Rprop against torch.optim step for step."""
import inspect

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import nn, optim
from deepgrad.optim.line_search import cubic_interpolate


def test_cubic_interpolate_finds_the_minimum_of_a_cubic():
    f = lambda x: (x - 0.3) ** 2 * (x + 2)  # noqa: E731  local minimum at 0.3
    df = lambda x: 2 * (x - 0.3) * (x + 2) + (x - 0.3) ** 2  # noqa: E731
    assert cubic_interpolate(0.0, f(0.0), df(0.0), 1.0, f(1.0), df(1.0)) == pytest.approx(0.3)
    # no real minimizer (d1^2 < g1 g2): the middle of the bounds
    assert cubic_interpolate(0.0, 0.0, 1.0, 1.0, 2 / 3, 1.0, bounds=(0.2, 0.6)) == 0.4


def test_lbfgs_solves_a_quadratic_and_checks_its_arguments():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((6, 6))
    hess = a @ a.T + np.eye(6)
    b = rng.standard_normal(6)
    x = dg.tensor(np.zeros(6), requires_grad=True)
    opt = optim.LBFGS([x], line_search_fn="strong_wolfe", tolerance_grad=1e-12,
                      tolerance_change=1e-15, max_iter=100)

    def closure():
        opt.zero_grad()
        loss = 0.5 * (x @ dg.tensor(hess) @ x) - (dg.tensor(b) * x).sum()
        loss.backward()
        return loss

    opt.step(closure)
    np.testing.assert_allclose(x._data, np.linalg.solve(hess, b), rtol=1e-7, atol=1e-9)
    with pytest.raises(ValueError, match="parameter groups"):
        optim.LBFGS([{"params": [x]}, {"params": [dg.zeros(2, requires_grad=True)]}])
    with pytest.raises(ValueError, match="strong_wolfe"):
        optim.LBFGS([x], line_search_fn="backtracking")
    with pytest.raises(RuntimeError, match="closure"):
        opt.step(None)


def test_rprop_allocation_and_errors():
    with pytest.raises(ValueError, match="Invalid eta values"):
        optim.Rprop([dg.zeros(2, requires_grad=True)], etas=(1.5, 1.2))


torch = pytest.importorskip("torch")


def _rosenbrock(x):
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def _problems(lib, dtype):
    """(params, loss function) pairs built from the same seeds in deepgrad and torch."""
    rng = np.random.default_rng(4)
    x0 = np.array([-1.5, 2.0, 0.5, -0.7, 1.2]).astype(dtype)
    X = rng.standard_normal((20, 3)).astype(dtype)
    y = (X @ np.array([1.0, -2.0, 0.5]) + 0.3 + 0.1 * rng.standard_normal(20)).astype(dtype)
    w1 = rng.standard_normal((8, 3)).astype(dtype) * 0.5
    w2 = rng.standard_normal((1, 8)).astype(dtype) * 0.5
    if lib == "dg":
        t = lambda a, g=True: dg.tensor(a.copy(), requires_grad=g)  # noqa: E731
        tanh = dg.tanh
    else:
        t = lambda a, g=True: torch.tensor(a.copy(), requires_grad=g)  # noqa: E731
        tanh = torch.tanh
    x = t(x0)
    w, b = t(np.zeros(3, dtype)), t(np.zeros(1, dtype))
    Xt, yt = t(X, False), t(y, False)
    m1, m2 = t(w1), t(w2)
    return [
        ([x], lambda: _rosenbrock(x)),
        ([w, b], lambda: ((Xt @ w + b - yt) ** 2).mean()),
        ([m1, m2], lambda: (((tanh(Xt @ m1.T) @ m2.T).reshape(-1) - yt) ** 2).mean()
         + 0.01 * (m1 ** 2).sum()),
    ]


@pytest.mark.parametrize("problem", [0, 1, 2], ids=["rosenbrock", "least-squares", "mlp"])
@pytest.mark.parametrize("kwargs", [
    dict(lr=0.1, max_iter=5, history_size=4),
    dict(line_search_fn="strong_wolfe"),
    dict(line_search_fn="strong_wolfe", max_iter=4, max_eval=6, history_size=2, lr=0.5),
    dict(tolerance_change=1e-4, max_iter=50, lr=0.05),
])
def test_lbfgs_trajectory_matches_torch(problem, kwargs):
    params, loss_fn = _problems("dg", np.float64)[problem]
    tparams, tloss_fn = _problems("torch", np.float64)[problem]
    opt, topt = optim.LBFGS(params, **kwargs), torch.optim.LBFGS(tparams, **kwargs)

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    def tclosure():
        topt.zero_grad()
        loss = tloss_fn()
        loss.backward()
        return loss

    # the MLP's matmuls sum in another order than torch's: that 1e-16 roundoff grows over
    # dozens of quasi-Newton iterations near the optimum, so its bound is looser
    rtol, atol = (1e-5, 1e-6) if problem == 2 else (1e-8, 1e-10)
    first = None
    for _ in range(4):
        loss, tloss = opt.step(closure), topt.step(tclosure)
        first = float(loss.item()) if first is None else first
        assert float(loss.item()) == pytest.approx(float(tloss.item()), rel=rtol, abs=atol)
        for p, tp in zip(params, tparams):
            np.testing.assert_allclose(p._data, tp.detach().numpy(), rtol=rtol, atol=atol)
        st, tst = opt.state[params[0]], topt.state[tparams[0]]
        assert (st["func_evals"], st["n_iter"]) == (tst["func_evals"], tst["n_iter"])
    if "line_search_fn" in kwargs:  # without a line search a fixed lr may diverge (as torch)
        assert float(closure().item()) < first


def test_lbfgs_float32_and_state_dict_resume_match_torch():
    params, loss_fn = _problems("dg", np.float32)[2]
    tparams, tloss_fn = _problems("torch", np.float32)[2]
    kwargs = dict(line_search_fn="strong_wolfe", history_size=3, max_iter=5)
    opt, topt = optim.LBFGS(params, **kwargs), torch.optim.LBFGS(tparams, **kwargs)

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    def tclosure():
        topt.zero_grad()
        loss = tloss_fn()
        loss.backward()
        return loss

    opt.step(closure), topt.step(tclosure)
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert set(sd["state"][0]) == set(tsd["state"][0])  # PyTorch's state keys
    assert sd["param_groups"][0].keys() == tsd["param_groups"][0].keys()
    again = optim.LBFGS(params, **kwargs)
    again.load_state_dict(sd)
    again.step(closure), topt.step(tclosure)
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p._data, tp.detach().numpy(), rtol=1e-4, atol=1e-5)


CASES = [
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, betas=(0.8, 0.99))),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.05, lambd=1e-3, alpha=0.5, t0=10, weight_decay=0.1)),
    ("ASGD", dict(lr=0.05, maximize=True, t0=3)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2))),
    ("Rprop", dict(maximize=True)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_trajectory_matches_torch(name, kwargs, dtype):
    rng = np.random.default_rng(0)
    shapes = [(4, 3), (3,)]
    ws = [rng.standard_normal(s).astype(dtype) for s in shapes]
    a = [rng.uniform(0.5, 2.0, s).astype(dtype) for s in shapes]
    b = [rng.standard_normal(s).astype(dtype) for s in shapes]
    ps = [nn.Parameter(w.copy()) for w in ws]
    tps = [torch.tensor(w.copy(), requires_grad=True) for w in ws]
    opt = getattr(optim, name)(ps, **kwargs)
    topt = getattr(torch.optim, name)(tps, **kwargs)
    for t in range(60):
        for p, tp, ai, bi in zip(ps, tps, a, b):
            p.grad = dg.tensor((ai * (p._data - bi) + 0.1 * np.sin(t + p._data)).astype(dtype))
            w = tp.detach().numpy()
            tp.grad = torch.from_numpy((ai * (w - bi) + 0.1 * np.sin(t + w)).astype(dtype))
        opt.step(None)
        topt.step()
    # ASGD: torch keeps eta in float32, so float64 runs agree to float32 rounding of eta
    tight = dtype == np.float64 and name != "ASGD"
    for p, tp in zip(ps, tps):
        np.testing.assert_allclose(p._data, tp.detach().numpy(), rtol=1e-10 if tight else 1e-5,
                                   atol=1e-12 if tight else 1e-6)
        assert p._data.dtype == dtype
    assert not np.allclose(ps[0]._data, ws[0])
    assert set(opt.state_dict()["state"][0]) <= set(topt.state_dict()["state"][0])


@pytest.mark.parametrize("name", ["RAdam", "ASGD", "Rprop", "LBFGS"])
def test_defaults_match_torch(name):
    ours = inspect.signature(getattr(optim, name).__init__).parameters
    theirs = inspect.signature(getattr(torch.optim, name).__init__).parameters
    for k, v in ours.items():
        if k in ("self", "params"):
            continue
        assert k in theirs, k
        assert theirs[k].default == v.default, (k, v.default, theirs[k].default)
