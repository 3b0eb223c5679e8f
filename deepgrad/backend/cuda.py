"""The ``"cuda"`` device from CuPy: the only module of the package that imports ``cupy``.

CuPy loads on the first use of a ``"cuda"`` device (not at ``import deepgrad``, which stays fast
and GPU-free); ``pip install 'deepgrad[cuda]'`` brings it (``cupy-cuda12x``).
"""
from __future__ import annotations

from .devices import add_loader, is_registered, register_device

INSTALL_HINT = "install CuPy with pip install 'deepgrad[cuda]' (cupy-cuda12x)"
_STATE: dict = {}  # "cupy": the module once loaded; "reason": why it could not load


def load_cupy() -> str | None:
    """Register CuPy as ``"cuda"`` when it imports and sees a GPU; else return why not."""
    if is_registered("cuda"):
        return None
    if "reason" in _STATE:
        return _STATE["reason"]
    try:
        import cupy  # type: ignore
    except Exception as exc:  # ImportError, or a CUDA library CuPy could not open
        _STATE["reason"] = f"CuPy is not importable ({type(exc).__name__}: {exc}); {INSTALL_HINT}"
        return _STATE["reason"]
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # no driver, or no device
        count, detail = 0, f" ({type(exc).__name__}: {exc})"
    else:
        detail = ""
    if count <= 0:
        _STATE["reason"] = f"CuPy is installed but finds no CUDA GPU{detail}"
        return _STATE["reason"]
    _STATE["cupy"] = cupy
    register_device("cuda", cupy)
    return None


def fused_kernels(xp):
    """The fused CuPy kernels module when ``xp`` is CuPy itself, else None (generic code runs)."""
    cupy = _STATE.get("cupy")
    if cupy is None or xp is not cupy:
        return None
    from . import cuda_kernels

    return cuda_kernels


add_loader("cuda", load_cupy)
