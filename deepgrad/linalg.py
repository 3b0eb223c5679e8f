"""``deepgrad.linalg``: PyTorch's ``torch.linalg`` (inv, det, slogdet, solve, cholesky, qr, svd,
svdvals, eigh, eigvalsh, pinv, matrix_power, vector_norm, matrix_norm, norm), from the registry."""
from .ops import registry as _registry

globals().update(_registry.namespace("linalg"))
__all__ = sorted(_registry.namespace("linalg"))
