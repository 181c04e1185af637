"""core/training/devices.py: the device a run trains on, and an explicit device this machine lacks."""
from __future__ import annotations

import pytest
import torch

from core.spec import NetworkSpec, TrainSpec
from core.training import TrainingError, available_devices, resolve_device, train


def test_resolve_auto_returns_an_available_device():
    device = resolve_device("auto")
    assert isinstance(device, torch.device)
    assert device.type == available_devices()[0]
    assert resolve_device("cpu") == torch.device("cpu")
    assert available_devices()[-1] == "cpu"


def test_unavailable_explicit_device_raises_training_error(spiral):
    missing = [d for d in ("cuda", "mps") if d not in available_devices()]
    assert missing, "every accelerator is present; this machine cannot test the unavailable case"
    for name in missing:
        with pytest.raises(TrainingError, match=name):
            resolve_device(name)
        with pytest.raises(TrainingError, match=name):
            train(spiral, NetworkSpec.dense([4]), TrainSpec(device=name, epochs=1))
