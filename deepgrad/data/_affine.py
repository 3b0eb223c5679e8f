"""Affine image resampling on arrays (bilinear or nearest): the engine of geometric transforms."""
from __future__ import annotations

import numpy

from ..backend import get_array_module

INTERPOLATIONS = ("bilinear", "nearest")


def affine_matrices(angle, scale, shear, translate, height: int, width: int) -> numpy.ndarray:
    """Inverse affine maps (output pixel -> source pixel) about the image centre, one per sample.

    The forward map is ``p_out = A (p_in - c) + c + t`` with ``A = R(angle) S(scale) Sh(shear)``,
    ``c = ((W - 1) / 2, (H - 1) / 2)`` and pixel coordinates ``p = (x, y)`` (x right, y down), so
    a positive angle turns the picture counter-clockwise as displayed (like torchvision).

    Args:
        angle, scale, shear: (N,) rotation (degrees), zoom factor, x-shear (degrees).
        translate: (N, 2) shift ``(tx, ty)`` in pixels.

    Returns:
        (N, 2, 3) matrices ``M`` with ``p_in = M[:, :, :2] p_out + M[:, :, 2]``.
    """
    theta, phi = numpy.deg2rad(angle), numpy.deg2rad(shear)
    cos, sin = numpy.cos(theta), numpy.sin(theta)
    # A = R S Sh with R = [[cos, sin], [-sin, cos]] (y down), S = s I, Sh = [[1, tan phi], [0, 1]].
    a = numpy.empty((len(theta), 2, 2))
    a[:, 0, 0], a[:, 0, 1] = cos * scale, scale * (cos * numpy.tan(phi) + sin)
    a[:, 1, 0], a[:, 1, 1] = -sin * scale, scale * (cos - sin * numpy.tan(phi))
    det = a[:, 0, 0] * a[:, 1, 1] - a[:, 0, 1] * a[:, 1, 0]
    inv = numpy.empty_like(a)
    inv[:, 0, 0], inv[:, 1, 1] = a[:, 1, 1] / det, a[:, 0, 0] / det
    inv[:, 0, 1], inv[:, 1, 0] = -a[:, 0, 1] / det, -a[:, 1, 0] / det
    c = numpy.array([(width - 1) / 2.0, (height - 1) / 2.0])
    # p_in = inv (p_out - c - t) + c = inv p_out + (c - inv (c + t))
    offset = c - numpy.einsum("nij,nj->ni", inv, c + numpy.asarray(translate, dtype=float))
    return numpy.concatenate([inv, offset[:, :, None]], axis=2)


def affine_sample(images, matrices, interpolation: str = "bilinear", fill: float = 0.0):
    """Resample a batch of images through per-sample inverse affine maps.

    Points that fall outside the image take the value ``fill``; bilinear weights blend the
    border with ``fill`` (the image is padded by one ``fill`` pixel and indices are clipped into
    the padding, so no per-pixel bounds test is needed).

    Args:
        images: (N, C, H, W) float array.
        matrices: (N, 2, 3) from ``affine_matrices``.
        interpolation: 'bilinear' or 'nearest'.

    Returns:
        (N, C, H, W) array of ``images``' dtype.
    """
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"affine_sample: interpolation must be one of {INTERPOLATIONS}, got "
                         f"{interpolation!r}")
    xp = get_array_module(images)
    n, c, h, w = images.shape
    ys, xs = xp.mgrid[0:h, 0:w]
    grid = xp.stack([xs.ravel(), ys.ravel(), xp.ones(h * w)]).astype(xp.float64)  # (3, HW)
    src = xp.asarray(matrices) @ grid  # (N, 2, HW)
    sx, sy = src[:, 0], src[:, 1]
    padded = xp.pad(images.transpose(0, 2, 3, 1), ((0, 0), (1, 1), (1, 1), (0, 0)),
                    constant_values=fill)  # (N, H + 2, W + 2, C)
    rows = xp.arange(n)[:, None]
    if interpolation == "nearest":
        ix = xp.clip(xp.floor(sx + 0.5).astype(xp.int64) + 1, 0, w + 1)
        iy = xp.clip(xp.floor(sy + 0.5).astype(xp.int64) + 1, 0, h + 1)
        out = padded[rows, iy, ix]
    else:
        x0, y0 = xp.floor(sx), xp.floor(sy)
        wx, wy = (sx - x0)[..., None], (sy - y0)[..., None]
        ix0 = xp.clip(x0.astype(xp.int64) + 1, 0, w + 1)
        iy0 = xp.clip(y0.astype(xp.int64) + 1, 0, h + 1)
        ix1, iy1 = xp.clip(ix0 + 1, 0, w + 1), xp.clip(iy0 + 1, 0, h + 1)
        # A point left of the padding has x0 + 1 < 0; both clipped corners are then fill.
        ix1 = xp.where(x0 + 1 < 0, 0, ix1)
        iy1 = xp.where(y0 + 1 < 0, 0, iy1)
        top = padded[rows, iy0, ix0] * (1 - wx) + padded[rows, iy0, ix1] * wx
        bottom = padded[rows, iy1, ix0] * (1 - wx) + padded[rows, iy1, ix1] * wx
        out = top * (1 - wy) + bottom * wy
    return out.reshape(n, h, w, c).transpose(0, 3, 1, 2).astype(images.dtype)
