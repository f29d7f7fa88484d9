"""One device rule for every stage: auto follows what torch sees, CUDA without one fails."""

import pytest
import torch

from vitrify.devices import resolve_device


def test_auto_follows_torch():
    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")


def test_cpu_is_kept():
    assert resolve_device("cpu") == "cpu"


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
@pytest.mark.parametrize("device", ["cuda", "cuda:0"])
def test_cuda_without_a_gpu_is_a_clear_error(device):
    with pytest.raises(RuntimeError, match="no CUDA device"):
        resolve_device(device)
