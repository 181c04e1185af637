"""Trained runs for tests, made in-process in a few seconds (no worker subprocess), and the pages
that show a run opened on them through Streamlit's AppTest."""
from __future__ import annotations

from pathlib import Path

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


def explained_inline_up_to(monkeypatch, seconds: int) -> None:
    """The server computes explanations estimated up to `seconds` itself, longer ones by a worker (0: every one
    is asked for first and computed by a worker)."""
    import dataclasses

    from core import limits
    monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, max_inline_explain_seconds=seconds))


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
    from core.training import NetworkFrames, StoreRecorder, Trainer, seed_everything

    with Store(home) as store:
        ds = load_builtin(dataset, **(params or {}))
        network = NetworkSpec.dense(list(hidden), activation)
        spec = TrainSpec(optimizer=optimizer, lr=lr, epochs=epochs, batch_size=32, seed=0, device="cpu", loss=loss,
                         **(options or {}))
        seed_everything(spec.seed)
        net, _ = build_network(network, ds, concrete_loss(spec.loss, ds.task))
        run_id = store.create_run(name=name or f"{dataset} {optimizer}", dataset=ds.ref.to_dict(),
                                  network=network.to_dict(), train=spec.to_dict(), status="running", parent=parent)
        diagram = NetworkFrames.for_trainer_of(net, ds)       # as the worker does: small dense nets on 2-D data
        Trainer(net, ds, spec, callbacks=[*filter(None, [diagram]), StoreRecorder(store, run_id)]).fit()
        return run_id


def shown(text: str) -> str:
    """Markdown text as a person reads it: the backslashes that escape user text taken out."""
    import re
    return re.sub(r"\\(.)", r"\1", str(text))


# How fast a run trained is the machine's, not the run's: left out when two runs are compared.
TIMING_METRICS = ("samples_per_second",)
TIMING_SUMMARY = ("seconds", "samples_per_second")


def kept_weights(store, run_id: str) -> dict:
    """{(kind, epoch): (tensors, metadata)} of the weights a run keeps by its settings, read from their
    safetensors files: the 'epoch' checkpoints every `checkpoint_every` epochs and at its last, and the 'best'
    one. (A run also saves its weights every 30 s of wall time, and whenever saving is cheap on this disk at
    that moment: which of those exist is the machine's doing, not the run's.)"""
    from safetensors import safe_open
    run = store.get_run(run_id)
    every = run.train["checkpoint_every"]
    kept = {}
    for c in store.checkpoints(run_id):
        if c["kind"] == "best" or (c["kind"] == "epoch" and (c["epoch"] % every == 0 or c["epoch"] == run.epoch)):
            with safe_open(str(c["path"]), framework="pt") as f:
                kept[(c["kind"], c["epoch"])] = ({k: f.get_tensor(k) for k in f.keys()}, f.metadata())
    return kept


def weight_differences(a: dict, b: dict) -> list[str]:
    """Where two kept_weights differ: checkpoints, tensor names, dtypes, shapes, any value (bit for bit) or
    metadata; empty when they are identical."""
    import torch
    if a.keys() != b.keys():
        return [f"checkpoints {sorted(a)} against {sorted(b)}"]
    found = []
    for key, (tensors, meta) in a.items():
        other, other_meta = b[key]
        if meta != other_meta:
            found.append(f"{key}: metadata {meta} against {other_meta}")
        if tensors.keys() != other.keys():
            found.append(f"{key}: tensors {sorted(tensors)} against {sorted(other)}")
            continue
        found += [f"{key} {name}" for name, t in tensors.items()
                  if t.dtype != other[name].dtype or not torch.equal(t, other[name])]
    return found


def recorded_metrics(store, run_id: str):
    """Every metric row a run recorded (step, epoch, name, value), but how fast it trained."""
    rows = store.metrics(run_id)
    return rows[~rows.name.isin(TIMING_METRICS)].reset_index(drop=True)


def outcome(run) -> dict:
    """A finished run's summary without its timings."""
    return {k: v for k, v in run.summary.items() if k not in TIMING_SUMMARY}
