"""Trained runs for tests, made in-process in a few seconds (no worker subprocess)."""
from __future__ import annotations

from pathlib import Path


def train_run(home: Path | str, dataset: str = "spiral", *, hidden=(8,), epochs: int = 5, optimizer: str = "adam",
              lr: float = 0.01, name: str | None = None, params: dict | None = None, activation: str = "tanh",
              loss: str = "auto") -> str:
    """Train a small network on a built-in dataset into the workspace `home`; returns the run id."""
    from core.data import load_builtin
    from core.model import build_network
    from core.recorder import StoreRecorder
    from core.spec import NetworkSpec, TrainSpec
    from core.store import Store
    from core.train import Trainer, resolve_loss, seed_everything

    with Store(home) as store:
        ds = load_builtin(dataset, **(params or {}))
        network = NetworkSpec.dense(list(hidden), activation)
        spec = TrainSpec(optimizer=optimizer, lr=lr, epochs=epochs, batch_size=32, seed=0, device="cpu", loss=loss)
        seed_everything(spec.seed)
        net, _ = build_network(network, ds, resolve_loss(spec, ds.task))
        run_id = store.create_run(name=name or f"{dataset} {optimizer}", dataset=ds.ref.to_dict(),
                                  network=network.to_dict(), train=spec.to_dict(), status="queued")
        Trainer(net, ds, spec, callbacks=[StoreRecorder(store, run_id)]).fit()
        return run_id
