"""``torch.nn.modules.channelshuffle``: ChannelShuffle.

The same class as ``deepgrad.nn`` (an alias, not a copy)."""
from .. import ChannelShuffle  # noqa: F401

__all__ = ["ChannelShuffle"]
