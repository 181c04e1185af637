"""Runs trained from a lesson's ready setup, with the lesson's change or a wrong one, in-process (no worker
subprocess), recorded in a workspace as the app's worker records them."""
from __future__ import annotations


def changed(setup: dict, *, data: dict | None = None, layers: dict | None = None, train: dict | None = None):
    """(dataset, network, train) dicts of a lesson's setup with some settings changed: `data` the dataset's
    parameters, `layers` every dense/conv layer's fields, `train` the training spec's."""
    import copy
    dataset, network, spec = (copy.deepcopy(setup[k]) for k in ("dataset", "network", "train"))
    dataset["params"].update(data or {})
    for layer in network["layers"]:
        if layer["type"] in ("dense", "conv2d"):
            layer.update(layers or {})
    spec.update(train or {})
    return dataset, network, spec


def train_lesson_run(home, setup: dict, name: str, *, epochs: int | None = None, **changes) -> str:
    """Train the lesson's setup with `changes` (see changed) into workspace `home`; returns the run id."""
    from core.data import DatasetRef, load_dataset
    from core.model import build_network, concrete_loss
    from core.runs import Store
    from core.spec import NetworkSpec, TrainSpec
    from core.training import StoreRecorder, Trainer, TrainingError, seed_everything
    dataset, network, train = changed(setup, **changes)
    if epochs is not None:
        train["epochs"] = epochs
    train["device"] = "cpu"
    spec = TrainSpec.from_dict(train)
    net_spec = NetworkSpec.from_dict(network)
    with Store(home) as store:
        ds = load_dataset(DatasetRef.from_dict(dataset), store.home)
        seed_everything(spec.seed)
        net, _ = build_network(net_spec, ds, concrete_loss(spec.loss, ds.task))
        run_id = store.create_run(name=name, dataset=ds.ref.to_dict(), network=net_spec.to_dict(),
                                  train=spec.to_dict(), status="running")
        try:
            Trainer(net, ds, spec, callbacks=[StoreRecorder(store, run_id)]).fit()
        except TrainingError:
            pass                     # a diverged run is stored as such, which is what a lesson may want
        return run_id
