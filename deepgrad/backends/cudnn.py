"""``torch.backends.cudnn``'s settings: stored and readable, with no effect in deepgrad."""
from __future__ import annotations

#: autotune convolution algorithms (deepgrad never autotunes: accepted, no effect)
benchmark = False
#: restrict to deterministic algorithms (deepgrad's kernels are deterministic already)
deterministic = False
#: use cuDNN at all (deepgrad calls no cuDNN: accepted, no effect)
enabled = True
#: TF32 math in convolutions (no effect)
allow_tf32 = True
#: a benchmark cache limit (no effect)
benchmark_limit = 10


def is_available() -> bool:
    """False: deepgrad does not use cuDNN."""
    return False


def version() -> None:
    """None: no cuDNN library is loaded."""
    return None


__all__ = ["benchmark", "deterministic", "enabled", "allow_tf32", "benchmark_limit",
           "is_available", "version"]
