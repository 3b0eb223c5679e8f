"""Plot helpers for the lab (matplotlib's object API: no pyplot, no global backend switch)."""
from __future__ import annotations

import io
from typing import Callable

import numpy

try:
    from matplotlib.figure import Figure as _MplFigure
except ImportError as exc:  # the lab extra is missing
    raise ImportError("the lab needs matplotlib: pip install 'deepgrad[lab]'") from exc

# Colours that stay distinguishable in print and for common colour-vision deficiencies.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
           "#000000", "#999999"]


def figure(ncols: int = 1, nrows: int = 1, width: float = 4.2, height: float = 3.4,
           **subplot_kw):
    """A new Figure with an ``nrows x ncols`` grid; returns ``(fig, axes)`` (axes flattened to a
    list). Rendering goes through the Agg canvas that ``Figure`` owns, which needs no display."""
    fig = _MplFigure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, subplot_kw=subplot_kw or None)
    return fig, list(axes.ravel())


def to_png(fig, dpi: int = 90) -> bytes:
    """Render a Figure to PNG bytes (metadata without a timestamp, so bytes repeat)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def grid(X: numpy.ndarray, steps: int = 150, margin: float = 0.5):
    """A mesh covering the 2-D points ``X`` (N, 2): returns ``(xx, yy, points (steps^2, 2))``."""
    lo = X.min(axis=0) - margin
    hi = X.max(axis=0) + margin
    xx, yy = numpy.meshgrid(numpy.linspace(lo[0], hi[0], steps),
                            numpy.linspace(lo[1], hi[1], steps))
    pts = numpy.stack([xx.ravel(), yy.ravel()], axis=1).astype(numpy.float32)
    return xx, yy, pts


def decision_regions(ax, predict: Callable[[numpy.ndarray], numpy.ndarray], X: numpy.ndarray,
                     y: numpy.ndarray, title: str = "", steps: int = 150) -> None:
    """Shade the classes that ``predict`` (points (M, 2) -> labels (M,)) gives over the plane
    and scatter the data ``X`` (N, 2) coloured by ``y`` (N,)."""
    from matplotlib.colors import ListedColormap

    xx, yy, pts = grid(X, steps)
    labels = numpy.unique(y)
    z = numpy.searchsorted(labels, predict(pts)).reshape(xx.shape)
    cmap = ListedColormap(PALETTE[:len(labels)])
    ax.contourf(xx, yy, z, levels=numpy.arange(len(labels) + 1) - 0.5, cmap=cmap, alpha=0.25)
    ax.scatter(X[:, 0], X[:, 1], c=numpy.searchsorted(labels, y), cmap=cmap,
               s=60 if len(X) <= 20 else 12,
               edgecolors="k", linewidths=0.3, vmin=0, vmax=len(labels) - 1)
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
