"""Shared fixtures: every test starts from the same seed."""
import numpy as np
import pytest

import deepgrad as dg


@pytest.fixture(autouse=True)
def _seed():
    dg.manual_seed(0)
    np.random.seed(0)
    yield


@pytest.fixture
def fake_cuda():
    """A strict NumPy-backed stand-in for CuPy registered as the "cuda" device (fake_device.py)."""
    from fake_device import installed

    with installed() as module:
        yield module
