"""2-D test functions for drawing optimizer paths (contour maps, saddle points).

Each function takes ``x, y`` (Tensors for optimization, or NumPy arrays for a contour grid:
only ``+ - * **`` are used) and returns ``f(x, y)`` of their broadcast shape.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


def beale(x, y):
    """Beale: ``(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2``; min 0 at (3, 0.5).

    Flat valleys and steep walls: plain SGD crawls, adaptive methods cut across.
    """
    return ((1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2
            + (2.625 - x + x * y ** 3) ** 2)


def rosenbrock(x, y, a: float = 1.0, b: float = 100.0):
    """Rosenbrock's banana: ``(a - x)^2 + b (y - x^2)^2``; min 0 at ``(a, a^2)``."""
    return (a - x) ** 2 + b * (y - x * x) ** 2


def elongated_quadratic(x, y, scale: float = 20.0):
    """Ill-conditioned bowl ``0.1 x^2 + 0.1 scale y^2`` (condition number ``scale``); min (0, 0).

    Gradient descent zig-zags across the narrow axis; momentum damps the zig-zag.
    """
    return 0.1 * x * x + (0.1 * scale) * y * y


def saddle(x, y):
    """Saddle ``x^2 - y^2``: a stationary point at (0, 0) that is a minimum along x only.

    Started on (or near) the x axis, gradient descent stalls at the saddle; momentum and noise
    escape along y. Unbounded below, so paths leave the plot.
    """
    return x * x - y * y


def himmelblau(x, y):
    """Himmelblau: ``(x^2 + y - 11)^2 + (x + y^2 - 7)^2``; four minima of value 0, e.g. (3, 2)."""
    return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2


@dataclass(frozen=True)
class Surface:
    """A test function with the view and start point that show it well.

    Attributes:
        fn: ``f(x, y)``.
        start: default starting point ``(x0, y0)``.
        xlim: ``(xmin, xmax)`` of the contour plot.
        ylim: ``(ymin, ymax)``.
        minima: known minimizers (empty for unbounded functions).
    """

    fn: Callable
    start: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    minima: tuple[tuple[float, float], ...] = field(default_factory=tuple)


#: the chapter's figures by name
SURFACES = {
    "beale": Surface(beale, (1.0, 1.4), (-4.5, 4.5), (-4.5, 4.5), ((3.0, 0.5),)),
    "rosenbrock": Surface(rosenbrock, (-1.5, 2.0), (-2.0, 2.0), (-1.0, 3.0), ((1.0, 1.0),)),
    "elongated_quadratic": Surface(elongated_quadratic, (-4.0, 1.5), (-5.0, 5.0), (-2.0, 2.0),
                                   ((0.0, 0.0),)),
    "saddle": Surface(saddle, (1.0, 1e-3), (-1.5, 1.5), (-1.5, 1.5)),
    "himmelblau": Surface(himmelblau, (0.0, 0.0), (-5.0, 5.0), (-5.0, 5.0),
                          ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                           (3.584428, -1.848126))),
}

__all__ = ["beale", "rosenbrock", "elongated_quadratic", "saddle", "himmelblau", "Surface",
           "SURFACES"]
