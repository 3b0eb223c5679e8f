"""Autograd: Tensor, Function, the backward engine, grad modes, anomaly detection, gradcheck."""
from .anomaly import AnomalyError, detect_anomaly
from .function import Function, unbroadcast
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck
from .tensor import Tensor

__all__ = ["AnomalyError", "detect_anomaly", "Function", "unbroadcast", "GradcheckError",
           "gradcheck", "enable_grad", "inference_mode", "is_inference_mode_enabled",
           "is_grad_enabled", "no_grad", "set_grad_enabled", "Tensor"]
