"""Plain PNG writing (zlib + struct, no imaging library): image grids and point scatters."""
from __future__ import annotations

import struct
import zlib

import numpy


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + \
        struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def to_uint8(image, low: float | None = None, high: float | None = None) -> numpy.ndarray:
    """Scale a float image linearly so that ``low -> 0`` and ``high -> 255`` (defaults: its min
    and max), clipping outside; uint8 input is returned unchanged."""
    a = numpy.asarray(image)
    if a.dtype == numpy.uint8:
        return a
    a = a.astype(numpy.float64)
    low = float(a.min()) if low is None else low
    high = float(a.max()) if high is None else high
    span = high - low if high > low else 1.0
    return numpy.clip(numpy.rint((a - low) * (255.0 / span)), 0, 255).astype(numpy.uint8)


def encode_png(image) -> bytes:
    """PNG bytes of a uint8 image: (H, W) grayscale, (H, W, 3) RGB or (H, W, 4) RGBA.

    Float images are scaled by ``to_uint8`` first. Every row uses filter type 0 (none).
    """
    a = to_uint8(image)
    if a.ndim == 2:
        color, channels = 0, 1
    elif a.ndim == 3 and a.shape[2] in (3, 4):
        color, channels = (2 if a.shape[2] == 3 else 6), a.shape[2]
    else:
        raise ValueError(f"encode_png: image must be (H, W), (H, W, 3) or (H, W, 4), got shape "
                         f"{a.shape}")
    h, w = a.shape[:2]
    if h == 0 or w == 0:
        raise ValueError(f"encode_png: image must not be empty, got shape {a.shape}")
    rows = numpy.ascontiguousarray(a).reshape(h, w * channels)
    raw = numpy.concatenate([numpy.zeros((h, 1), numpy.uint8), rows], axis=1).tobytes()
    header = struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) +
            _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b""))


def write_png(path: str, image) -> None:
    """Write ``image`` (see ``encode_png``) to ``path``."""
    with open(path, "wb") as f:
        f.write(encode_png(image))


def image_grid(images, nrow: int | None = None, pad: int = 1, scale: int = 1,
               pad_value: float | None = None) -> numpy.ndarray:
    """Tile N images (N, H, W) into one (rows*(H+pad)+pad, cols*(W+pad)+pad) image.

    Args:
        images: (N, H, W) or (N, 1, H, W) array (or Tensor).
        nrow: images per row (default: ceil(sqrt(N))).
        pad: pixels between tiles and around the border.
        scale: integer upscaling of each pixel (nearest neighbour), so that 8x8 digits show.
        pad_value: the border's value (default: the images' minimum).
    """
    a = numpy.asarray(images.numpy() if hasattr(images, "numpy") else images)
    if a.ndim == 4 and a.shape[1] == 1:
        a = a[:, 0]
    if a.ndim != 3 or a.shape[0] == 0:
        raise ValueError(f"image_grid: images must be (N, H, W) with N >= 1, got {a.shape}")
    if scale > 1:
        a = a.repeat(scale, axis=1).repeat(scale, axis=2)
    n, h, w = a.shape
    cols = nrow or int(numpy.ceil(numpy.sqrt(n)))
    rows = -(-n // cols)
    fill = a.min() if pad_value is None else pad_value
    grid = numpy.full((rows * (h + pad) + pad, cols * (w + pad) + pad), fill, a.dtype)
    for i in range(n):
        r, c = divmod(i, cols)
        y, x = pad + r * (h + pad), pad + c * (w + pad)
        grid[y:y + h, x:x + w] = a[i]
    return grid


def scatter_image(layers, extent: float, size: int = 400, radius: int = 1) -> numpy.ndarray:
    """Rasterize 2-D point sets into an RGB image (white background), later layers on top.

    Args:
        layers: list of ``(points (N, 2), (r, g, b))`` pairs.
        extent: the square ``[-extent, extent]^2`` is drawn; points outside are dropped.
        size: image side in pixels.
        radius: each point is a (2 radius + 1)^2 square.

    Returns:
        (size, size, 3) uint8 image, y axis pointing up.
    """
    img = numpy.full((size, size, 3), 255, numpy.uint8)
    for points, color in layers:
        p = numpy.asarray(points.numpy() if hasattr(points, "numpy") else points, numpy.float64)
        col = numpy.rint((p[:, 0] + extent) / (2 * extent) * (size - 1)).astype(numpy.int64)
        row = numpy.rint((extent - p[:, 1]) / (2 * extent) * (size - 1)).astype(numpy.int64)
        for dy in range(-radius, radius + 1):
            for dx in range(-radius, radius + 1):
                r, c = row + dy, col + dx
                ok = (r >= 0) & (r < size) & (c >= 0) & (c < size)
                img[r[ok], c[ok]] = color
    return img
