"""Trained runs for tests, made in-process in a few seconds (no worker subprocess), and the pages
that show a run opened on them through Streamlit's AppTest."""
from __future__ import annotations

from pathlib import Path

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


def open_page(home, monkeypatch, page: str, run_id: str | None = None, state: dict | None = None,
              timeout: float = 120):
    """The app on workspace `home`, switched to pages/<page>.py with `run_id` in the URL and `state` in
    the session; fails on any exception in the page."""
    from streamlit.testing.v1 import AppTest
    monkeypatch.setenv("GLASSNET_HOME", str(home))
    at = AppTest.from_file(APP, default_timeout=timeout)
    if run_id:
        at.query_params["run"] = run_id
    at.run()
    at.switch_page(f"../pages/{page}.py")
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def train_run(home: Path | str, dataset: str = "spiral", *, hidden=(8,), epochs: int = 5, optimizer: str = "adam",
              lr: float = 0.01, name: str | None = None, params: dict | None = None, activation: str = "tanh",
              loss: str = "auto", parent: str | None = None, options: dict | None = None) -> str:
    """Train a small network on a built-in dataset into the workspace `home`; returns the run id.
    parent: the run this one is a variant of; options: more TrainSpec fields (e.g. a fairness penalty)."""
    from core.data import load_builtin
    from core.model import build_network, concrete_loss
    from core.spec import NetworkSpec, TrainSpec
    from core.runs import Store
    from core.training import StoreRecorder, Trainer, seed_everything

    with Store(home) as store:
        ds = load_builtin(dataset, **(params or {}))
        network = NetworkSpec.dense(list(hidden), activation)
        spec = TrainSpec(optimizer=optimizer, lr=lr, epochs=epochs, batch_size=32, seed=0, device="cpu", loss=loss,
                         **(options or {}))
        seed_everything(spec.seed)
        net, _ = build_network(network, ds, concrete_loss(spec.loss, ds.task))
        run_id = store.create_run(name=name or f"{dataset} {optimizer}", dataset=ds.ref.to_dict(),
                                  network=network.to_dict(), train=spec.to_dict(), status="queued", parent=parent)
        Trainer(net, ds, spec, callbacks=[StoreRecorder(store, run_id)]).fit()
        return run_id


def shown(text: str) -> str:
    """Markdown text as a person reads it: the backslashes that escape user text taken out."""
    import re
    return re.sub(r"\\(.)", r"\1", str(text))
