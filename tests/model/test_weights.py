"""core/model/weights.py: a network's state in and out of safetensors files, checkpoints without the optimiser."""
from __future__ import annotations

import torch

from core.model import build_network, load_weights, save_weights
from core.spec import LayerSpec, NetworkSpec, TrainSpec
from core.training import Trainer, seed_everything, train


def test_saved_weights_load_back(tmp_path, spiral):
    net, _ = train(spiral, NetworkSpec(layers=[LayerSpec(units=8, batch_norm=True)]), TrainSpec(epochs=4))
    save_weights(net, tmp_path / "w.safetensors")
    seed_everything(123)
    fresh, _ = build_network(NetworkSpec(layers=[LayerSpec(units=8, batch_norm=True)]), spiral)
    X = torch.as_tensor(spiral.X_test)
    assert not torch.allclose(fresh.eval().predict(X), net.eval().predict(X))
    load_weights(fresh, tmp_path / "w.safetensors")
    assert torch.equal(fresh.eval().predict(X), net.eval().predict(X))


def test_a_checkpoint_loads_its_tensors_and_metadata_and_the_model_state_leaves_the_optimiser_out(tmp_path, spiral):
    """A trainer's checkpoint (weights + Adam's state under 'optim.' keys) back from its safetensors file."""
    from safetensors.torch import save_file

    from core.model import load_checkpoint, model_state

    seed_everything(0)
    net, _ = build_network(NetworkSpec.dense([4]), spiral)
    trainer = Trainer(net, spiral, TrainSpec(optimizer="adam", epochs=2), device=torch.device("cpu"))
    trainer.fit()
    tensors = trainer.checkpoint_tensors()
    assert any(k.startswith("optim.") for k in tensors)
    save_file(tensors, str(tmp_path / "c.safetensors"), metadata={"epoch": "2", "step": "18"})
    loaded, meta = load_checkpoint(tmp_path / "c.safetensors")
    assert meta == {"epoch": "2", "step": "18"}
    assert loaded.keys() == tensors.keys()
    assert all(torch.equal(loaded[k], v) for k, v in tensors.items())
    state = model_state(loaded)
    assert state.keys() == net.state_dict().keys()
    seed_everything(1)
    fresh, _ = build_network(NetworkSpec.dense([4]), spiral)
    fresh.load_state_dict(state)
    assert all(torch.equal(fresh.state_dict()[k], v.cpu()) for k, v in net.state_dict().items())
