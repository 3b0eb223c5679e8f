"""``torch.backends.cuda``: whether CUDA support is present, and TF32 switches (no effect)."""
from __future__ import annotations

import importlib.util
from types import SimpleNamespace

#: ``backends.cuda.matmul.allow_tf32`` as in PyTorch (deepgrad's GEMMs ignore it)
matmul = SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True)


def is_built() -> bool:
    """True when CuPy (deepgrad's CUDA array module) is importable."""
    return importlib.util.find_spec("cupy") is not None  # found, not imported


__all__ = ["is_built", "matmul"]
