"""A PyTorch name deepgrad lacks says what to use instead."""
import pytest

import deepgrad as dg


def test_missing_pytorch_names_say_what_to_use():
    with pytest.raises(AttributeError, match="dg.onnx.export"):
        dg.jit  # noqa: B018
    with pytest.raises(AttributeError, match="no attribute 'nonexistent_name'$"):
        dg.nonexistent_name  # noqa: B018
