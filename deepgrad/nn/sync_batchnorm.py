"""SyncBatchNorm: batch normalization whose statistics span every rank of the process group."""
from __future__ import annotations

from ..autograd.tensor import Tensor
from .batchnorm import _BatchNorm
from .module import Module


class SyncBatchNorm(_BatchNorm):
    """Batch norm over (N, C, ...) input with the mean and variance of all ranks' samples.

    In training each channel is normalized with the mean and biased variance of the union of
    every rank's batch (PyTorch's ``nn.SyncBatchNorm``), so N ranks with batch B compute what
    one process with batch N*B computes with ``BatchNorm``; the running statistics move with the
    global statistics (unbiased with the global count). Evaluation uses the running statistics
    and communicates nothing. Without an initialized process group, or with one rank, it is
    plain batch norm.

    Args:
        num_features: C.
        eps, momentum, affine, track_running_stats, dtype: as ``BatchNorm1d``.
        process_group: the default group (None).
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, process_group=None,
                 dtype=None) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype)
        if process_group is not None:
            from ..distributed.process_group import _default_group

            _default_group(process_group)  # only the default group exists
        self.process_group = process_group

    def _check_input(self, x) -> None:
        if x.ndim < 2 or x.shape[1] != self.num_features:
            raise ValueError(f"SyncBatchNorm({self.num_features}): input must be at least 2-D "
                             f"(N, C, ...) with {self.num_features} channels at dim 1, got shape "
                             f"{tuple(x.shape)}")

    def _normalize(self, x, running_mean, running_var, use_batch: bool, momentum: float):
        from ..distributed.process_group import _STATE

        pg = _STATE.group
        if not use_batch or pg is None or pg.size() == 1:
            return super()._normalize(x, running_mean, running_var, use_batch, momentum)
        from ..distributed.sync_batchnorm import SyncBatchNormFunction
        from ..ops.batchnorm import update_running_stats

        fn = SyncBatchNormFunction(pg.comm, self.eps)
        weight, bias = self.weight, self.bias
        inputs = [x] + [t for t in (weight, bias) if t is not None]
        y = fn.apply(*inputs)
        if running_mean is not None:
            update_running_stats(fn, running_mean, running_var, momentum)
        return y

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group=None) -> Module:
        """Replace every BatchNorm1d/2d in ``module`` by a SyncBatchNorm with the same
        parameters, buffers (shared, not copied) and training mode.

        Returns:
            ``module`` with its batch norms replaced, or the new SyncBatchNorm when ``module``
            itself is one.
        """
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            dtype = module.weight.dtype if module.affine else (
                module.running_mean.dtype if module.track_running_stats else None)
            out = cls(module.num_features, module.eps, module.momentum, module.affine,
                      module.track_running_stats, process_group, dtype)
            if module.affine:
                out.weight, out.bias = module.weight, module.bias
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                buf = getattr(module, name)
                out.register_buffer(name, buf if isinstance(buf, Tensor) or buf is None
                                    else Tensor(buf))
            for name, reg in module._regularizers.items():
                out.add_regularizer(name, reg)
            out.train(module.training)
            return out
        for name, child in list(module.named_children()):
            new = cls.convert_sync_batchnorm(child, process_group)
            if new is not child:
                setattr(module, name, new)
        return module


__all__ = ["SyncBatchNorm"]
