"""``deepgrad.nn.functional``: the same namespace as ``deepgrad.functional`` (``F``)."""
from ..functional import *  # noqa: F401,F403
from ..functional import __all__  # noqa: F401
