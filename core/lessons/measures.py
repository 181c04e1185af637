"""What a lesson's check may ask of a run: its settings (the `where` of a role) and its outcomes (`metrics`,
`diagnoses`), read from the run store. A small closed vocabulary: a lesson names these, never code.

  SETTINGS     name -> what it reads from a run's stored settings (the training spec's fields, the hidden layers'
               initialisation, activation, dropout and depth, whether it has a convolution, `data.<param>`)
  METRICS      name -> (words, kind): the run's summary numbers, and three worked out from its test predictions
  RunFacts     one run's settings and outcomes, each read once and only when a check needs it
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

TRAIN_SETTINGS = ("optimizer", "lr", "momentum", "l1", "l2", "class_weights", "batch_size", "epochs", "loss",
                  "reweigh", "fairness_penalty", "early_stopping", "grad_clip")
NETWORK_SETTINGS = ("init", "activation", "dropout", "depth", "conv")
SETTING_WORDS = {"optimizer": "optimiser", "lr": "learning rate", "l1": "L1", "l2": "L2",
                 "class_weights": "class weights", "batch_size": "batch size", "init": "initialisation",
                 "depth": "hidden layers", "conv": "a convolution layer", "fairness_penalty": "fairness penalty",
                 "early_stopping": "early stopping", "grad_clip": "gradient clipping"}

# name -> (words, kind): "share" is a fraction shown as a percentage, "number" a plain number
METRICS = {
    "train_accuracy": ("training accuracy", "share"),
    "val_accuracy": ("validation accuracy", "share"),
    "test_accuracy": ("test accuracy", "share"),
    "train_loss": ("training loss", "number"),
    "val_loss": ("validation loss", "number"),
    "test_loss": ("test loss", "number"),
    "accuracy_gap": ("gap between training and validation accuracy", "share"),
    "test_macro_f1": ("macro F1 on the test split", "share"),
    "test_min_recall": ("recall of its worst-found class on the test split", "share"),
    "parity_gap": ("demographic parity difference between groups on the test split", "share"),
}
PREDICTED = ("test_macro_f1", "test_min_recall", "parity_gap")     # need the trained network itself


def is_setting(name: str) -> bool:
    return name in TRAIN_SETTINGS or name in NETWORK_SETTINGS or (name.startswith("data.") and len(name) > 5)


def setting_words(name: str) -> str:
    if name.startswith("data."):
        return f"the data's {name[5:]}"
    return SETTING_WORDS.get(name, name)


def show_value(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def show_metric(name: str, value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no value"
    if METRICS[name][1] == "share":
        return f"{100 * value:.0f} %"
    return f"{value:.3g}"


def _layer_setting(layers: list, name: str):
    """The hidden layers' one value of `name` (init, activation); 'mixed' when they disagree, None with none."""
    values = {l.get(name, "default" if name == "init" else "relu") for l in layers if l.get("type") in ("dense", "conv2d")}
    if not values:
        return None
    return values.pop() if len(values) == 1 else "mixed"


def network_setting(network: dict, name: str):
    layers = [l for l in network.get("layers", []) if isinstance(l, dict)]
    if name in ("init", "activation"):
        return _layer_setting(layers, name)
    if name == "dropout":
        rates = [float(l.get("dropout", 0.0)) for l in layers if l.get("type") == "dense"]
        rates += [float(l.get("rate", 0.5)) for l in layers if l.get("type") == "dropout"]
        return max(rates, default=0.0)
    if name == "depth":
        return sum(1 for l in layers if l.get("type") in ("dense", "conv2d"))
    return any(l.get("type") == "conv2d" for l in layers)       # conv


@dataclass
class RunFacts:
    """One run of the store as a check sees it; outcomes are read on first use and kept."""

    store: object
    run: object                                       # core.runs.Run
    _diagnoses: list | None = None
    _predicted: dict = field(default_factory=dict)
    _datasets: dict = field(default_factory=dict)     # shared between the runs of one check: ref key -> Dataset

    @property
    def name(self) -> str:
        return self.run.name

    def setting(self, name: str):
        if name.startswith("data."):
            return (self.run.dataset.get("params") or {}).get(name[5:])
        if name in NETWORK_SETTINGS:
            return network_setting(self.run.network, name)
        from core.spec import TrainSpec
        return self.run.train.get(name, getattr(TrainSpec(), name))

    def _dataset(self):
        from core.data import DatasetRef, load_dataset
        ref = DatasetRef.from_dict(self.run.dataset)
        if ref.key not in self._datasets:
            self._datasets[ref.key] = load_dataset(ref, self.store.home)
        return self._datasets[ref.key]

    def diagnoses(self) -> list[str]:
        """The codes of the run's diagnoses (core.analysis.diagnose), strongest first."""
        if self._diagnoses is None:
            from core.analysis.diagnose import diagnose, stored_log
            self._diagnoses = [d.code for d in diagnose(stored_log(self.store, self.run.id, self._dataset()))]
        return self._diagnoses

    def metric(self, name: str) -> float | None:
        summary = self.run.summary or {}
        if name == "accuracy_gap":
            a, b = summary.get("train_accuracy"), summary.get("val_accuracy")
            return None if a is None or b is None else float(a) - float(b)
        if name in PREDICTED:
            if name not in self._predicted:
                self._predicted.update(self._from_predictions())
            return self._predicted.get(name)
        value = summary.get(name)
        return None if value is None else float(value)

    def _from_predictions(self) -> dict:
        """Macro F1, the worst class's recall and the parity gap on the test split, from the trained network."""
        from core.analysis.evaluate import classification_report, predict_split
        from core.runs import StoreError, load_run
        try:
            loaded = load_run(self.store, self.run.id)
        except (StoreError, OSError):
            return {}
        if loaded.dataset.task != "classification":
            return {}
        preds = predict_split(loaded, "test")
        report = classification_report(preds.y_true, preds.proba, preds.class_names)
        out = {"test_macro_f1": report.macro_f1, "test_min_recall": float(report.per_class["recall"].min())}
        if loaded.dataset.sensitive:
            from core.analysis.fairness import audit_loaded
            audit = audit_loaded(loaded, loaded.dataset.sensitive[0], n_boot=0)
            out["parity_gap"] = float(audit.disparities["demographic_parity_difference"])
        return out
