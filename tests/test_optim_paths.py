"""2-D optimizer paths and the test surfaces used for the chapter's figures."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad import optim
from deepgrad.optim import surfaces as S


@pytest.mark.parametrize("name", sorted(S.SURFACES))
def test_surface_minima_and_numpy_grid(name):
    s = S.SURFACES[name]
    for mx, my in s.minima:
        assert abs(s.fn(mx, my)) < 1e-9
    xs, ys = np.meshgrid(np.linspace(*s.xlim, 5), np.linspace(*s.ylim, 4))
    assert s.fn(xs, ys).shape == (4, 5)


def test_surface_gradients_pass_gradcheck():
    x = dg.tensor(0.7, dtype=dg.float64, requires_grad=True)
    y = dg.tensor(-0.4, dtype=dg.float64, requires_grad=True)
    for s in S.SURFACES.values():
        assert dg.autograd.gradcheck(s.fn, [x, y])


def test_trace_plain_gd_matches_hand_rule():
    path = optim.trace(optim.SGD, S.elongated_quadratic, (-4.0, 1.5), steps=10, lr=0.1)
    assert path.shape == (11, 2) and path.dtype == np.float64
    w = np.array([-4.0, 1.5])
    for k in range(10):
        w = w - 0.1 * np.array([0.2 * w[0], 4.0 * w[1]])
        np.testing.assert_allclose(path[k + 1], w, rtol=1e-12)


@pytest.mark.parametrize("opt,kwargs", [("sgd", dict(lr=1e-3, momentum=0.9)),
                                        ("adam", dict(lr=0.05)), ("rmsprop", dict(lr=0.01)),
                                        ("nadam", dict(lr=0.05))])
def test_optimizers_reach_rosenbrock_valley_or_beale_minimum(opt, kwargs):
    beale = S.SURFACES["beale"]
    path = optim.trace(opt, beale.fn, beale.start, steps=1500, **kwargs)
    assert np.linalg.norm(path[-1] - np.array(beale.minima[0])) < 0.1, path[-1]


def test_saddle_escape_and_box_stop():
    gd = optim.trace("sgd", S.saddle, (1.0, 0.0), steps=100, lr=0.1)
    np.testing.assert_allclose(gd[-1], [0.8 ** 100, 0.0], atol=1e-12)  # stuck at the saddle
    mom = optim.trace("sgd", S.saddle, (1.0, 1e-3), steps=400, lr=0.1, momentum=0.9,
                      bound=10.0)
    assert len(mom) < 401 and abs(mom[-1, 1]) > 10.0  # escaped along y, stopped at the box
    diverged = optim.trace("sgd", S.rosenbrock, (-1.5, 2.0), steps=50, lr=0.01)
    assert len(diverged) < 51 and np.all(np.isfinite(diverged))


def test_trace_many_and_bad_input():
    paths = optim.trace_many({"gd": ("sgd", dict(lr=0.1)), "adam": (optim.Adam, dict(lr=0.1))},
                             S.himmelblau, (0.0, 0.0), steps=5)
    assert list(paths) == ["gd", "adam"] and all(p.shape == (6, 2) for p in paths.values())
    with pytest.raises(ValueError, match="'lbfgs'"):
        optim.trace("lbfgs", S.saddle, (1.0, 1.0))
    with pytest.raises(ValueError, match=r"\(3,\)"):
        optim.trace("sgd", S.saddle, (1.0, 1.0, 0.0))
    with pytest.raises(TypeError, match="one-element"):
        optim.trace("sgd", lambda x, y: dg.stack([x, y]), (1.0, 1.0), lr=0.1)
