"""Short real training runs that go wrong in one classic way each, recorded in a workspace, and what the
diagnoses make of them."""
from __future__ import annotations

import numpy as np


def trained(home, ds, *, hidden=(16, 16), activation="relu", init="default", optimizer="adam", lr=0.03,
            epochs=30, batch_size=32, prepare=None, control=None, options=None) -> str:
    """Train a network on the dataset `ds` into the workspace `home`, as the app's worker records it;
    prepare(net) changes the network before the first step. Returns the run id."""
    from core.model import build_network, concrete_loss
    from core.runs import Store
    from core.spec import NetworkSpec, TrainSpec
    from core.training import StoreRecorder, Trainer, seed_everything
    network = NetworkSpec.dense(list(hidden), activation, init=init)
    spec = TrainSpec(optimizer=optimizer, lr=lr, epochs=epochs, batch_size=batch_size, seed=0, device="cpu",
                     **(options or {}))
    seed_everything(0)
    net, _ = build_network(network, ds, concrete_loss(spec.loss, ds.task))
    if prepare is not None:
        prepare(net)
    with Store(home) as store:
        run_id = store.create_run(name="diagnosed", dataset=ds.ref.to_dict(), network=network.to_dict(),
                                  train=spec.to_dict(), status="running")
        Trainer(net, ds, spec, callbacks=[StoreRecorder(store, run_id)], control=control).fit()
    return run_id


def findings(home, run_id: str, ds) -> dict:
    """{code: Diagnosis} of a stored run."""
    from core.analysis.diagnose import diagnose, stored_log
    from core.runs import Store
    with Store(home) as store:
        return {d.code: d for d in diagnose(stored_log(store, run_id, ds))}


def imbalanced_csv(minority: float = 0.08, n: int = 600, seed: int = 0) -> str:
    """Two overlapping classes in two columns, the rarer `minority` of the rows, as CSV text."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < minority).astype(int)
    x = rng.normal(size=(n, 2)) + y[:, None] * 0.8
    return "a,b,label\n" + "\n".join(f"{a:.4f},{b:.4f},{'rare' if t else 'common'}" for (a, b), t in zip(x, y)) + "\n"
