"""``torch.backends``'s switches, accepted as settings (deepgrad's kernels are its own).

``backends.cudnn.benchmark``, ``.deterministic``, ``.enabled`` and ``.allow_tf32`` can be read and
set as in PyTorch; deepgrad calls no cuDNN, so they change nothing: its CPU kernels are
deterministic already and never autotune. ``backends.mps.is_available()`` is False (no Metal
backend). ``backends.cuda.is_built()`` says whether CuPy is importable.
"""
from . import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
