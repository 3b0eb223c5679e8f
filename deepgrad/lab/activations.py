"""Experiment ``activations``: the activation functions, their autograd derivatives, softmax."""
from __future__ import annotations

import numpy

from .. import functional as F
from ..autograd.tensor import Tensor
from . import progress
from .plots import PALETTE, figure
from .record import Result, start

# Each activation with the closed-form derivative the chapter gives, to hold autograd against.
_FUNCTIONS = {
    "sigmoid": (F.sigmoid, lambda x: _sig(x) * (1 - _sig(x))),
    "tanh": (F.tanh, lambda x: 1 - numpy.tanh(x) ** 2),
    "softsign": (F.softsign, lambda x: 1 / (1 + numpy.abs(x)) ** 2),
    "relu": (F.relu, lambda x: (x > 0).astype(x.dtype)),
    "softplus": (F.softplus, lambda x: _sig(x)),
}
SOFTMAX_EXAMPLE = [3.0, 1.0, 0.2, -1.0]


def _sig(x):
    return 0.5 * (1 + numpy.tanh(0.5 * x))


def _value_and_derivative(fn, x: numpy.ndarray):
    """f(x) and df/dx by reverse mode (the sum's gradient is the elementwise derivative)."""
    t = Tensor(x, requires_grad=True)
    y = fn(t)
    y.sum().backward()
    return y._data, t.grad._data


def run(quick: bool = False, seed: int = 0) -> Result:
    """Plot the five activations and their derivatives; check autograd against the formulas;
    apply softmax to an example vector. ``quick`` samples the axis more coarsely."""
    res = start("activations", quick, seed,
                ["function", "f'(0)", "max f'", "f'(-5)", "f'(5)", "range on [-5, 5]"])
    progress.total(len(_FUNCTIONS) + 1)
    x = numpy.linspace(-5, 5, 201 if quick else 1001)  # float64: exact comparison with formulas
    fig, (ax_f, ax_d) = figure(2)
    worst = 0.0
    for i, (name, (fn, deriv)) in enumerate(_FUNCTIONS.items()):
        y, dy = _value_and_derivative(fn, x)
        worst = max(worst, float(numpy.abs(dy - deriv(x)).max()))
        ends = _value_and_derivative(fn, numpy.array([-5.0, 0.0, 5.0]))[1]
        res.table.add(name, ends[1], dy.max(), ends[0], ends[2], f"[{y.min():.3g}, {y.max():.3g}]")
        res.record(name, {"max_derivative": dy.max(), "derivative_at_0": ends[1],
                          "derivative_at_-5": ends[0], "derivative_at_5": ends[2]})
        ax_f.plot(x, y, color=PALETTE[i], label=name)
        ax_d.plot(x, dy, color=PALETTE[i], label=name)
        progress.tick()
    ax_f.set_title("f(x)", fontsize=9)
    ax_d.set_title("f'(x) by autograd", fontsize=9)
    ax_f.set_ylim(-1.5, 5)
    for ax in (ax_f, ax_d):
        ax.axhline(0, color="0.7", lw=0.6)
        ax.axvline(0, color="0.7", lw=0.6)
        ax.legend(fontsize=8)
    res.add_figure(fig, "Activations and their derivatives",
                   "Derivatives come from backward() and match the closed forms to "
                   f"{worst:.1e}. Sigmoid's slope peaks at 1/4; sigmoid, tanh and softsign "
                   "flatten out for large |x|, ReLU's slope stays 1 for every x > 0.")
    res.record("max_abs_error_vs_formula", worst)

    z = numpy.array(SOFTMAX_EXAMPLE)
    p = F.softmax(Tensor(z), dim=0)._data
    p_shift = F.softmax(Tensor(z + 1000.0), dim=0)._data  # stable: exp(1003) would overflow
    res.record("softmax_input", z)
    res.record("softmax_output", p)
    fig, (ax,) = figure(1, width=5)
    pos = numpy.arange(len(z))
    ax.bar(pos - 0.2, z, 0.4, color=PALETTE[0], label="scores z")
    ax.bar(pos + 0.2, p, 0.4, color=PALETTE[1], label="softmax(z)")
    for i, v in enumerate(p):
        ax.text(i + 0.2, v + 0.05, f"{v:.3f}", ha="center", fontsize=8)
    ax.set_xticks(pos, [f"z{i + 1}" for i in pos])
    ax.axhline(0, color="0.5", lw=0.6)
    ax.legend(fontsize=8)
    res.add_figure(fig, "Softmax of an example score vector",
                   f"softmax({SOFTMAX_EXAMPLE}) = [{', '.join(f'{v:.3f}' for v in p)}]: "
                   "positive, summing to 1, in the scores' order.")
    progress.tick()

    d = res.numbers
    res.check("autograd derivatives equal the closed forms (max error < 1e-9)", worst < 1e-9)
    res.check("sigmoid's derivative never exceeds 1/4",
              abs(d["sigmoid"]["max_derivative"] - 0.25) < 1e-6)
    res.check("sigmoid and tanh saturate: f'(5) < 5% of f'(0)",
              all(d[n]["derivative_at_5"] < 0.05 * d[n]["derivative_at_0"]
                  for n in ("sigmoid", "tanh")))
    res.check("ReLU's derivative is 1 for x > 0 and 0 for x < 0",
              d["relu"]["derivative_at_5"] == 1.0 and d["relu"]["derivative_at_-5"] == 0.0)
    res.check("softmax is a distribution in the scores' order",
              abs(p.sum() - 1) < 1e-12 and (p > 0).all()
              and (numpy.argsort(p) == numpy.argsort(z)).all())
    res.check("softmax is shift-invariant and stable (z + 1000 gives the same p)",
              numpy.allclose(p, p_shift, atol=1e-12))
    return res.finish(f"sigmoid' <= {d['sigmoid']['max_derivative']:.3f}; "
                      f"softmax({SOFTMAX_EXAMPLE}) = [{', '.join(f'{v:.2f}' for v in p)}]")
