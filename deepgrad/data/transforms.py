"""Transforms for dataset expansion: random image geometry, signal noise, text synonyms.

All work on NumPy arrays (no image library) and draw their randomness from ``generator=`` or,
by default, from the library generator at call time, so ``deepgrad.manual_seed`` repeats them.
Image arrays are ``(H, W)`` or ``(C, H, W)`` for one image (one random draw) or
``(N, C, H, W)`` for a batch (an independent draw per image). Shapes and dtypes are kept.
Use them through ``TransformDataset(dataset, transform)``.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy

from ..random import generator as _library_generator
from ._affine import INTERPOLATIONS, affine_matrices, affine_sample


class Compose:
    """Apply ``transforms`` in order: ``Compose([RandomRotation(10), Normalize(0.5, 0.5)])``."""

    def __init__(self, transforms: Sequence[Callable]) -> None:
        self.transforms = list(transforms)

    def __call__(self, x):
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self) -> str:
        inner = ", ".join(repr(t) for t in self.transforms)
        return f"Compose([{inner}])"


class _Random:
    """Base of the random transforms: resolves the generator at call time."""

    generator = None

    def rng(self) -> numpy.random.Generator:
        return self.generator or _library_generator()


def _as_batch(x, name: str) -> tuple[numpy.ndarray, tuple]:
    """View an image or batch as (N, C, H, W); also return the shape to restore."""
    x = numpy.asarray(x)
    if x.ndim == 2:
        return x[None, None], x.shape
    if x.ndim == 3:
        return x[None], x.shape
    if x.ndim == 4:
        return x, x.shape
    raise ValueError(f"{name}: expected an image (H, W) or (C, H, W) or a batch (N, C, H, W), "
                     f"got shape {x.shape}")


def _range(name: str, value, default_center: float = 0.0, symmetric: bool = True):
    """``v`` -> ``(center - v, center + v)``; a pair is kept. Checks order."""
    if numpy.ndim(value) == 0:
        if symmetric and value < 0:
            raise ValueError(f"{name} must be >= 0 when given as a number, got {value}")
        lo, hi = default_center - value, default_center + value
    else:
        lo, hi = (float(v) for v in value)
    if lo > hi:
        raise ValueError(f"{name} range must have low <= high, got ({lo}, {hi})")
    return float(lo), float(hi)


class RandomAffine(_Random):
    """Random rotation, translation, zoom and shear about the image centre.

    Args:
        degrees: angle range: ``d`` means U(-d, d), or a pair (lo, hi). Positive turns the
            picture counter-clockwise.
        translate: (fx, fy): shift up to ``fx * W`` and ``fy * H`` pixels either way.
        scale: (lo, hi) zoom factor range (> 1 enlarges the content).
        shear: x-shear angle range in degrees, like ``degrees``.
        interpolation: 'bilinear' or 'nearest'.
        fill: value of pixels mapped from outside the image.
        generator: NumPy Generator (default: the library generator).
    """

    def __init__(self, degrees=0.0, translate=None, scale=None, shear=None,
                 interpolation: str = "bilinear", fill: float = 0.0,
                 generator: numpy.random.Generator | None = None) -> None:
        name = type(self).__name__
        self.degrees = _range(f"{name}: degrees", degrees)
        self.shear = _range(f"{name}: shear", 0.0 if shear is None else shear)
        if translate is not None and not all(0.0 <= t <= 1.0 for t in translate):
            raise ValueError(f"{name}: translate fractions must be in [0, 1], got {translate}")
        self.translate = translate
        self.scale = (1.0, 1.0) if scale is None else _range(f"{name}: scale", scale,
                                                             symmetric=False)
        if self.scale[0] <= 0:
            raise ValueError(f"{name}: scale factors must be > 0, got {self.scale}")
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f"{name}: interpolation must be one of {INTERPOLATIONS}, got "
                             f"{interpolation!r}")
        self.interpolation, self.fill, self.generator = interpolation, fill, generator

    def __call__(self, x):
        batch, shape = _as_batch(x, type(self).__name__)
        n, _, h, w = batch.shape
        rng = self.rng()
        angle = rng.uniform(*self.degrees, n)
        scale = rng.uniform(*self.scale, n)
        shear = rng.uniform(*self.shear, n)
        shift = numpy.zeros((n, 2))
        if self.translate is not None:
            fx, fy = self.translate
            shift = rng.uniform(-1.0, 1.0, (n, 2)) * numpy.array([fx * w, fy * h])
        mats = affine_matrices(angle, scale, shear, shift, h, w)
        work = batch if batch.dtype.kind == "f" else batch.astype(numpy.float32)
        out = affine_sample(work, mats, self.interpolation, self.fill)
        if batch.dtype.kind in "iub":
            out = numpy.rint(out)
        return out.astype(batch.dtype).reshape(shape)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(degrees={self.degrees}, translate={self.translate}, "
                f"scale={self.scale}, shear={self.shear}, interpolation={self.interpolation!r})")


class RandomRotation(RandomAffine):
    """Rotate by an angle drawn from U(-degrees, degrees) (or the given pair) about the centre."""

    def __init__(self, degrees, interpolation: str = "bilinear", fill: float = 0.0,
                 generator: numpy.random.Generator | None = None) -> None:
        super().__init__(degrees, interpolation=interpolation, fill=fill, generator=generator)


class RandomZoom(RandomAffine):
    """Zoom by a factor drawn from ``scale``: a pair (lo, hi), or ``f`` meaning (1 - f, 1 + f)."""

    def __init__(self, scale=0.1, interpolation: str = "bilinear", fill: float = 0.0,
                 generator: numpy.random.Generator | None = None) -> None:
        if numpy.ndim(scale) == 0:
            if not 0.0 <= scale < 1.0:
                raise ValueError(f"RandomZoom: scale as a number must be in [0, 1), got {scale}")
            scale = (1.0 - scale, 1.0 + scale)
        super().__init__(scale=scale, interpolation=interpolation, fill=fill,
                         generator=generator)


class RandomShift(_Random):
    """Shift by whole pixels, up to ``max_shift`` each way (exact: no interpolation).

    Args:
        max_shift: int ``m`` for both axes, or ``(max_dy, max_dx)``.
        fill: value of the pixels shifted in.
    """

    def __init__(self, max_shift, fill: float = 0.0,
                 generator: numpy.random.Generator | None = None) -> None:
        my, mx = (max_shift, max_shift) if numpy.ndim(max_shift) == 0 else max_shift
        if min(my, mx) < 0 or int(my) != my or int(mx) != mx:
            raise ValueError(f"RandomShift: max_shift must be non-negative ints, got {max_shift}")
        self.max_shift, self.fill, self.generator = (int(my), int(mx)), fill, generator

    def __call__(self, x):
        batch, shape = _as_batch(x, type(self).__name__)
        n, _, h, w = batch.shape
        my, mx = self.max_shift
        rng = self.rng()
        dy, dx = rng.integers(-my, my + 1, n), rng.integers(-mx, mx + 1, n)
        out = numpy.full_like(batch, self.fill)
        for i in range(n):  # slicing is exact and cheap; one copy per image
            sy, sx = int(dy[i]), int(dx[i])
            out[i, :, max(sy, 0):h + min(sy, 0), max(sx, 0):w + min(sx, 0)] = \
                batch[i, :, max(-sy, 0):h + min(-sy, 0), max(-sx, 0):w + min(-sx, 0)]
        return out.reshape(shape)


class RandomHorizontalFlip(_Random):
    """Mirror left-right with probability ``p``."""

    def __init__(self, p: float = 0.5, generator: numpy.random.Generator | None = None) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"RandomHorizontalFlip: p must be in [0, 1], got {p}")
        self.p, self.generator = p, generator

    def __call__(self, x):
        batch, shape = _as_batch(x, type(self).__name__)
        flip = self.rng().random(batch.shape[0]) < self.p
        out = batch.copy()
        out[flip] = batch[flip][..., ::-1]
        return out.reshape(shape)


class Normalize:
    """``(x - mean) / std`` per channel (axis -3 of an image) or with scalars.

    Args:
        mean, std: scalars, or sequences of length C for (C, H, W) / (N, C, H, W) images.
    """

    def __init__(self, mean, std) -> None:
        self.mean = numpy.asarray(mean, dtype=numpy.float64)
        self.std = numpy.asarray(std, dtype=numpy.float64)
        if numpy.any(self.std <= 0):
            raise ValueError(f"Normalize: std must be > 0, got {std}")
        if self.mean.ndim == 1:
            self.mean = self.mean[:, None, None]
        if self.std.ndim == 1:
            self.std = self.std[:, None, None]

    def __call__(self, x):
        x = numpy.asarray(x)
        dtype = x.dtype if x.dtype.kind == "f" else numpy.float32
        return ((x - self.mean) / self.std).astype(dtype)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean.ravel().tolist()}, std={self.std.ravel().tolist()})"


class GaussianNoise(_Random):
    """Add ``N(0, std^2)`` noise to every element (noise injection on inputs; dtype kept)."""

    def __init__(self, std: float, generator: numpy.random.Generator | None = None) -> None:
        if not std >= 0:
            raise ValueError(f"GaussianNoise: std must be >= 0, got {std}")
        self.std, self.generator = float(std), generator

    def __call__(self, x):
        x = numpy.asarray(x)
        dtype = x.dtype if x.dtype.kind == "f" else numpy.float32
        return (x + self.std * self.rng().standard_normal(x.shape)).astype(dtype)


class AddNoise(_Random):
    """Add white Gaussian noise at a given signal-to-noise ratio (speech/signal expansion).

    ``SNR_dB = 10 log10(P_signal / P_noise)`` with ``P = mean(x^2)``, so the noise std is
    ``sqrt(mean(x^2) / 10^(snr_db / 10))``. ``axis`` picks the axes of one signal (default:
    all, one signal); e.g. ``axis=-1`` for a batch (N, T) gives each row its own noise level.
    """

    def __init__(self, snr_db: float, axis=None,
                 generator: numpy.random.Generator | None = None) -> None:
        if not numpy.isfinite(snr_db):
            raise ValueError(f"AddNoise: snr_db must be finite, got {snr_db}")
        self.snr_db, self.axis, self.generator = float(snr_db), axis, generator

    def __call__(self, x):
        x = numpy.asarray(x)
        power = numpy.mean(numpy.square(x, dtype=numpy.float64), axis=self.axis, keepdims=True)
        std = numpy.sqrt(power / 10.0 ** (self.snr_db / 10.0))
        dtype = x.dtype if x.dtype.kind == "f" else numpy.float32
        return (x + std * self.rng().standard_normal(x.shape)).astype(dtype)


class SynonymReplacement(_Random):
    """Replace each token that has synonyms by a random one of them with probability ``p``.

    Args:
        synonyms: ``{word: [synonym, ...]}``.
        p: replacement probability per eligible token.

    Takes and returns a list of string tokens (a new list; the input is not modified).
    """

    def __init__(self, synonyms: Mapping[str, Sequence[str]], p: float = 0.1,
                 generator: numpy.random.Generator | None = None) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"SynonymReplacement: p must be in [0, 1], got {p}")
        self.synonyms = {k: list(v) for k, v in synonyms.items() if len(v)}
        self.p, self.generator = p, generator

    def __call__(self, tokens: Sequence[str]) -> list[str]:
        rng = self.rng()
        out = list(tokens)
        for i, tok in enumerate(out):
            choices = self.synonyms.get(tok)
            if choices and rng.random() < self.p:
                out[i] = choices[int(rng.integers(len(choices)))]
        return out
