"""``deepgrad.special``: PyTorch's ``torch.special`` names for ops the registry already holds
(thin aliases: each op is defined once, in ``deepgrad.ops``)."""
from .ops import registry as _registry

_OPS = _registry.namespace("dg")
_ALIASES = {
    "erf": "erf", "erfc": "erfc", "erfinv": "erfinv", "expm1": "expm1", "exp2": "exp2",
    "log1p": "log1p", "logit": "logit", "expit": "sigmoid", "digamma": "digamma",
    "psi": "digamma", "polygamma": "polygamma", "gammaln": "lgamma",
    "multigammaln": "mvlgamma", "xlogy": "xlogy", "logsumexp": "logsumexp", "sinc": "sinc",
    "round": "round", "softmax": "softmax", "log_softmax": "log_softmax",
}
globals().update({name: _OPS[op] for name, op in _ALIASES.items()})
__all__ = sorted(_ALIASES)
