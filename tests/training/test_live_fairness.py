"""The fairness parts of training (core/training/fairness.py): the per-epoch audit of the validation rows checked
against fairlearn, its groups and bands, its way to the run store, and the in-training mitigations
refused where they cannot apply."""
from __future__ import annotations

import dataclasses

import fairlearn.metrics as fm
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import accuracy_score, precision_score

from core.runs import executor as jobs
from core.data import Grouping, group_labels, load_builtin
from core.model import build_network, concrete_loss
from core.spec import NetworkSpec, TrainSpec
from core.training import LiveFairness, Trainer, TrainingError, seed_everything, train


def fairlearn_by_group(y, pred, g) -> pd.DataFrame:
    metrics = {"selection_rate": fm.selection_rate, "tpr": fm.true_positive_rate, "fpr": fm.false_positive_rate,
               "accuracy": accuracy_score,
               "precision": lambda a, b: precision_score(a, b, zero_division=np.nan)}
    return fm.MetricFrame(metrics=metrics, y_true=y, y_pred=pred, sensitive_features=g).by_group


class Evaluations:
    """Keeps every evaluated epoch's metrics and the network's raw validation output."""

    def __init__(self):
        self.seen = []

    def on_evaluate(self, trainer, report):
        self.seen.append((dict(report.metrics), trainer.val_output.detach().clone()))


def trained_with_log(ds, spec: TrainSpec, hidden=(16,)):
    seed_everything(spec.seed)
    net, _ = build_network(NetworkSpec.dense(list(hidden), "relu"), ds, concrete_loss(spec.loss, ds.task))
    log = Evaluations()
    trainer = Trainer(net, ds, spec, callbacks=[log])
    trainer.fit()
    return trainer, log


def assert_live_equals_fairlearn(live: dict, out: torch.Tensor, ds, fav: int, groups: np.ndarray):
    if out.shape[1] == 1:
        p1 = torch.sigmoid(out[:, 0]).numpy()
        p = p1 if fav == 1 else 1 - p1
    else:
        p = torch.softmax(out, 1)[:, fav].numpy()
    pred = (p >= 0.5).astype(int)
    y = (ds.y_val == fav).astype(int)
    ref = fairlearn_by_group(y, pred, groups)
    for g in ref.index:
        for k in ("selection_rate", "tpr", "fpr", "accuracy"):
            assert live[f"fair/{k}/{g}"] == pytest.approx(ref.loc[g, k], abs=1e-6), (g, k)
    kw = {"y_true": y, "y_pred": pred, "sensitive_features": groups}
    assert live["fair/demographic_parity_difference"] == pytest.approx(fm.demographic_parity_difference(**kw), abs=1e-6)
    assert live["fair/equalized_odds_difference"] == pytest.approx(fm.equalized_odds_difference(**kw), abs=1e-6)
    assert live["fair/equal_opportunity_difference"] == pytest.approx(fm.equal_opportunity_difference(**kw), abs=1e-6)


def test_live_fairness_equals_fairlearn_at_every_evaluated_epoch_on_biased_loans():
    ds = load_builtin("biased_loans", n=1000, bias=1.0)
    trainer, log = trained_with_log(ds, TrainSpec(epochs=6, lr=0.01, batch_size=16, device="cpu"))   # every epoch logged
    assert isinstance(trainer.fair, LiveFairness) and trainer.fair.names == ["female", "male"]
    groups, _ = group_labels(ds.raw.iloc[ds.idx_val], Grouping.of("sex"))
    assert len(log.seen) == 6
    for live, out in log.seen:
        assert_live_equals_fairlearn(live, out, ds, 1, groups)
    # after a few epochs the model has learnt the historic bias: a real gap, not a trivial zero
    assert log.seen[-1][0]["fair/demographic_parity_difference"] > 0.2


def test_live_fairness_equals_fairlearn_with_three_groups_and_a_single_output():
    ds = load_builtin("german_credit")
    spec = TrainSpec(epochs=3, lr=0.01, batch_size=32, device="cpu", sensitive="housing", loss="bce")
    trainer, log = trained_with_log(ds, spec)
    assert trainer.fair.names == ["free", "own", "rent"] and trainer.fair.favourable == 1     # 'good'
    groups, _ = group_labels(ds.raw.iloc[ds.idx_val], Grouping.of("housing"))
    assert log.seen and log.seen[-1][1].shape[1] == 1
    for live, out in log.seen:
        assert_live_equals_fairlearn(live, out, ds, 1, groups)


def test_live_fairness_is_off_without_a_sensitive_column_and_on_with_the_datasets_own():
    spiral = load_builtin("spiral", n=200)
    assert LiveFairness.for_trainer(spiral, TrainSpec(device="cpu"), torch.device("cpu")) is None
    loans = load_builtin("biased_loans", n=200)
    live = LiveFairness.for_trainer(loans, TrainSpec(device="cpu"), torch.device("cpu"))
    assert live.column == "sex" and live.weights is None


def test_live_fairness_bands_a_numeric_column_the_same_way_on_training_and_validation_rows():
    ds = load_builtin("german_credit")
    live = LiveFairness.for_trainer(ds, TrainSpec(device="cpu", sensitive="age"), torch.device("cpu"))
    in_train = set(live.train_groups.tolist())
    in_val = set(live.val_groups.tolist())
    assert in_val <= in_train, [live.names[i] for i in in_val - in_train]


def test_live_fairness_cuts_a_numeric_column_at_the_bands_the_spec_gives():
    ds = load_builtin("german_credit")
    cpu = torch.device("cpu")
    quartiles = LiveFairness.for_trainer(ds, TrainSpec(device="cpu", sensitive="age"), cpu)
    assert len(quartiles.names) == 4
    banded = LiveFairness.for_trainer(ds, TrainSpec(device="cpu", sensitive="age", reweigh=True,
                                                     sensitive_bands={"age": [30, 50]}), cpu)
    assert sorted(banded.names) == sorted(["< 30", "30–50", "≥ 50"])
    ages = ds.raw["age"].to_numpy()[ds.idx_train]
    young = banded.names.index("< 30")
    assert (banded.train_groups.numpy() == young).sum() == (ages < 30).sum()
    # the reweighing weights balance those bands, not the quartiles
    assert not torch.allclose(banded.weights, LiveFairness.for_trainer(
        ds, TrainSpec(device="cpu", sensitive="age", reweigh=True), cpu).weights)
    # bands given for another column leave this one at its quartiles
    other = LiveFairness.for_trainer(ds, TrainSpec(device="cpu", sensitive="age", sensitive_bands={"x": [1]}), cpu)
    assert other.names == quartiles.names


def test_live_fairness_reaches_the_store_at_every_evaluated_epoch(store):
    ds = load_builtin("biased_loans", n=600, bias=1.0)
    spec = TrainSpec(epochs=6, lr=0.01, batch_size=8, device="cpu", checkpoint_every=3)   # 53 steps: every epoch logged
    run_id = jobs.submit(store, dataset=ds.ref.to_dict(), network=NetworkSpec.dense([8], "relu"), train=spec,
                         name="live fairness")
    run = jobs.wait(store, run_id, timeout=120)
    log = (store.run_dir(run_id) / "worker.log")
    assert run.status == "finished", f"{run.status}: {run.error} / {log.read_text() if log.exists() else ''}"
    rows = store.metrics(run_id, ["val_loss", "fair/demographic_parity_difference", "fair/selection_rate/female",
                                  "fair/selection_rate/male", "fair/equalized_odds_difference"])
    by_name = {n: frame.set_index("epoch")["value"] for n, frame in rows.groupby("name")}
    epochs = sorted(by_name["val_loss"].index)
    assert epochs == [1, 2, 3, 4, 5, 6]
    for name in ("fair/demographic_parity_difference", "fair/equalized_odds_difference",
                 "fair/selection_rate/female", "fair/selection_rate/male"):
        assert sorted(by_name[name].index) == epochs, name
        assert by_name[name].between(0, 1).all(), name
    gap = by_name["fair/selection_rate/male"] - by_name["fair/selection_rate/female"]
    np.testing.assert_allclose(by_name["fair/demographic_parity_difference"], gap.abs(), atol=1e-9)


@pytest.mark.parametrize("mitigation", [{"reweigh": True}, {"fairness_penalty": "demographic_parity"}])
def test_in_training_mitigation_without_a_sensitive_column_is_a_training_error(mitigation):
    spiral = load_builtin("spiral", n=200)
    with pytest.raises(TrainingError, match="need a sensitive column"):
        train(spiral, NetworkSpec.dense([4]), TrainSpec(epochs=1, device="cpu", **mitigation))
    # a sensitive column whose rows all share one value cannot be mitigated either
    loans = load_builtin("biased_loans", n=200)
    one_group = dataclasses.replace(loans, raw=loans.raw.assign(part_time=0))
    with pytest.raises(TrainingError, match="fairness mitigation: Every row has the same part_time"):
        train(one_group, NetworkSpec.dense([4]), TrainSpec(epochs=1, device="cpu", sensitive="part_time", **mitigation))


def test_mitigations_are_refused_on_a_regression_target():
    ds = load_builtin("diabetes")
    net, _ = build_network(NetworkSpec.dense([4], "relu"), ds)
    with pytest.raises(TrainingError, match="regression"):
        Trainer(net, ds, TrainSpec(device="cpu", reweigh=True, sensitive="sex"))


def test_live_fairness_is_the_audits_arithmetic_even_for_a_group_without_favourable_rows():
    """The numbers logged during training are the audit's on the same decisions, to 1e-9: the same
    functions, including fairlearn's reading of a group that has no truly favourable row (TPR 0)."""
    from core.analysis.fairness import audit
    ds = load_builtin("german_credit")
    spec = TrainSpec(epochs=2, lr=0.01, batch_size=32, device="cpu", sensitive="housing")
    trainer, log = trained_with_log(ds, spec)
    live = trainer.fair
    y = torch.as_tensor(ds.y_val, dtype=torch.long)
    fav = (y == live.favourable).numpy().astype(int)
    groups = [live.names[int(c)] for c in live.val_groups]
    only_unfavourable = [i for i, g in enumerate(groups) if g == "free" and fav[i] == 1]
    y[only_unfavourable] = 1 - live.favourable              # one group left with no favourable row
    out = log.seen[-1][1]
    logged = live.metrics(out, y, trainer.loss_name)
    p = live._proba(out).numpy()
    reference = audit((y == live.favourable).numpy().astype(int), p, groups, threshold=0.5, n_boot=0)
    assert logged["fair/tpr/free"] == 0.0 == reference.groups.loc["free", "tpr"]
    for name in live.names:
        for rate in ("selection_rate", "accuracy", "tpr", "fpr"):
            assert abs(logged[f"fair/{rate}/{name}"] - reference.groups.loc[name, rate]) <= 1e-9, (name, rate)
    for gap in ("demographic_parity_difference", "equal_opportunity_difference", "equalized_odds_difference"):
        assert abs(logged[f"fair/{gap}"] - reference.disparities[gap]) <= 1e-9, gap
