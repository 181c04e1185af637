"""core/training/loop.py: learning, determinism, divergence, early stopping, the control protocol,
checkpoints and decision-boundary frames (with the real run store attached)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from core.model import load_checkpoint, model_state, network_for
from core.runs import load_run
from core.spec import LayerSpec, NetworkSpec, TrainSpec
from core.training import BOUNDARY_RESOLUTION, StoreRecorder, Trainer, decode_boundary, seed_everything, train


class Log:
    """Collects every report the trainer emits."""

    def __init__(self):
        self.epochs, self.steps, self.started, self.ended = [], [], 0, None

    def on_start(self, trainer):
        self.started += 1

    def on_epoch(self, trainer, report):
        self.epochs.append(report)

    def on_steps(self, trainer, report):
        self.steps.append(report)

    def on_end(self, trainer, result):
        self.ended = result

    def series(self, name):
        return [r.metrics[name] for r in self.epochs if name in r.metrics]


def recorded_run(store, dataset, network: NetworkSpec, spec: TrainSpec, control=None, extra=()):
    """Train in this process with a StoreRecorder on a fresh run; returns (run id, trainer, result)."""
    run_id = store.create_run(name="test", dataset=dataset.ref.to_dict(), network=network.to_dict(), train=spec.to_dict())
    seed_everything(spec.seed)
    net = network_for(network, dataset, spec.loss)
    trainer = Trainer(net, dataset, spec, callbacks=[StoreRecorder(store, run_id), *extra], control=control)
    return run_id, trainer, trainer.fit()


def test_accuracy(net, dataset) -> float:
    """Test accuracy counted in exact arithmetic (57/60 is 0.95 here, not 0.9499999 as a float32 mean)."""
    X, y = dataset.split("test")
    net.eval()
    with torch.no_grad():
        pred = net.predict(torch.as_tensor(X)).argmax(1).numpy()
    return int((pred == y).sum()) / len(y)


test_accuracy.__test__ = False   # a helper, not a test


# ------------------------------------------------------------------ it learns
@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_spiral_16_16_reaches_95_percent_test_accuracy_in_200_epochs(spiral, activation):
    """NetworkSpec.dense([16, 16]) with TrainSpec(lr=0.01, epochs=200) separates the spiral arms (≥ 95 % on test)."""
    net, result = train(spiral, NetworkSpec.dense([16, 16], activation), TrainSpec(lr=0.01, epochs=200))
    assert result.status == "finished" and result.epochs == 200
    acc = test_accuracy(net, spiral)
    assert acc >= 0.95, f"{activation}: test accuracy {acc:.3f}"
    assert result.metrics["test_accuracy"] == pytest.approx(acc, abs=1e-6)
    assert result.metrics["train_loss"] < 0.2
    assert result.samples_per_second > 0 and result.device == "cpu"


def test_a_linear_model_cannot_separate_the_spiral(spiral):
    """The control for the test above: without hidden layers the same training stays far below 95 %."""
    net, result = train(spiral, NetworkSpec(layers=[]), TrainSpec(lr=0.01, epochs=50))
    assert result.status == "finished"
    assert test_accuracy(net, spiral) < 0.8


# ------------------------------------------------------------------ determinism
def _epoch_metrics(dataset, seed):
    log = Log()
    train(dataset, NetworkSpec.dense([8, 8], "tanh"), TrainSpec(epochs=24, seed=seed), callbacks=[log])
    return log.series("train_loss"), log.series("val_loss")


def test_same_seed_gives_identical_epoch_metrics(spiral):
    a_train, a_val = _epoch_metrics(spiral, seed=7)
    b_train, b_val = _epoch_metrics(spiral, seed=7)
    assert len(a_train) == len(a_val) >= 6            # 24 epochs of 9 steps: logged at least every 4 epochs
    assert a_train == b_train
    assert a_val == b_val


def test_different_seed_gives_different_epoch_metrics(spiral):
    a_train, a_val = _epoch_metrics(spiral, seed=7)
    c_train, c_val = _epoch_metrics(spiral, seed=8)
    assert a_train != c_train
    assert a_val != c_val


# ------------------------------------------------------------------ divergence
def test_huge_learning_rate_diverges_with_a_message_about_the_learning_rate(store, diabetes):
    spec = TrainSpec(optimizer="sgd", lr=10.0, epochs=50)
    run_id, trainer, result = recorded_run(store, diabetes, NetworkSpec.dense([16]), spec)
    assert result.status == "diverged"
    assert "learning rate" in result.message and "10" in result.message
    assert result.epochs < spec.epochs
    assert result.metrics == {}
    run = store.get_run(run_id)
    assert run.status == "diverged" and "learning rate" in run.error
    # the epoch's loss was recorded (SQLite stores NaN as NULL), and no checkpoint was taken of the broken weights
    last = store.metrics(run_id, ["train_loss"]).iloc[-1]
    assert last.epoch == result.epochs
    assert last.value is None or not math.isfinite(last.value)
    assert all(c["epoch"] < result.epochs for c in store.checkpoints(run_id) if c["kind"] == "epoch")


def test_moderate_learning_rate_does_not_diverge(diabetes):
    _, result = train(diabetes, NetworkSpec.dense([16]), TrainSpec(optimizer="sgd", lr=0.01, epochs=10))
    assert result.status == "finished" and result.message == ""


# ------------------------------------------------------------------ early stopping
def test_early_stopping_stops_before_the_epoch_limit(store, iris):
    spec = TrainSpec(lr=0.01, epochs=2000, early_stopping=10)
    run_id, trainer, result = recorded_run(store, iris, NetworkSpec.dense([32, 32]), spec)
    assert result.status == "finished"
    assert result.epochs < 2000
    assert "early stopping" in result.message
    assert result.epochs - trainer.best_epoch >= 10           # patience really ran out
    best = [c for c in store.checkpoints(run_id) if c["kind"] == "best"]
    assert len(best) == 1 and best[0]["epoch"] == trainer.best_epoch
    assert store.get_run(run_id).summary["best_epoch"] == trainer.best_epoch


def test_without_early_stopping_all_epochs_run(iris):
    _, result = train(iris, NetworkSpec.dense([32, 32]), TrainSpec(lr=0.01, epochs=60))
    assert result.epochs == 60 and result.status == "finished"


# ------------------------------------------------------------------ the control protocol
class Script:
    """A control callable that plays back a list of requests (the last one repeats)."""

    def __init__(self, *requests):
        self.requests = list(requests)
        self.seen_steps = []

    def __call__(self, trainer):
        self.seen_steps.append(trainer.step)
        request = self.requests.pop(0) if len(self.requests) > 1 else self.requests[0]
        return request if isinstance(request, tuple) else (request, None)


def test_pause_then_step_advances_exactly_one_step(store, spiral):
    control = Script("run", "pause", "pause", "pause", "step", "pause", "pause", "stop")
    log = Log()
    run_id, trainer, result = recorded_run(store, spiral, NetworkSpec.dense([8]), TrainSpec(epochs=50),
                                           control=control, extra=[log])
    # polled before the first step, then after step 1 (paused there), three polls while paused, then one step,
    # then paused at step 2
    assert control.seen_steps == [0, 1, 1, 1, 1, 2, 2, 2]
    assert result.status == "stopped" and result.steps == 2
    assert log.steps and log.steps[-1].step == 2
    kinds = [e["kind"] for e in store.events(run_id)]
    assert kinds == ["start", "pause", "step", "stop", "end"]
    # the step-level losses of both steps reached the store, once each
    assert store.metrics(run_id, ["loss"]).step.tolist() == [1, 2]
    assert store.get_run(run_id).status == "stopped"


def test_a_paused_run_shows_the_step_it_paused_at(store, spiral):
    """While paused, the store must show the step the trainer is paused at (runs.step and that
    step's loss row), so that a page's step counter and a following 'step' request add exactly one.

    The first control poll comes before the first step, the next right after step 1; the control pauses
    there and, on its next poll (the trainer waiting in pause), reads what the store shows."""
    shown = {}

    class PauseAndLook:
        def __init__(self):
            self.calls = 0

        def __call__(self, trainer):
            self.calls += 1
            if self.calls == 1:
                return "run", None
            if self.calls == 2:
                return "pause", None
            if self.calls == 3:
                run = store.get_run(run_id_box[0])
                shown.update(trainer_step=trainer.step, store_step=run.step,
                             loss_steps=store.metrics(run.id, ["loss"]).step.tolist())
                return "pause", None
            return "stop", None

    run_id_box = []

    network, spec = NetworkSpec.dense([8]), TrainSpec(epochs=50)
    run_id = store.create_run(name="pause", dataset=spiral.ref.to_dict(), network=network.to_dict(), train=spec.to_dict())
    run_id_box.append(run_id)
    seed_everything(0)
    net = network_for(network, spiral)
    result = Trainer(net, spiral, spec, callbacks=[StoreRecorder(store, run_id)], control=PauseAndLook()).fit()
    assert result.status == "stopped"
    assert shown["trainer_step"] == 1
    assert store.get_run(run_id).status == "stopped"
    assert (shown["store_step"], shown["loss_steps"]) == (1, [1]), shown


def test_learning_rate_change_is_applied_and_recorded(store, spiral):
    control = Script(("run", 0.05))
    log = Log()
    spec = TrainSpec(lr=0.01, epochs=8)
    run_id, trainer, result = recorded_run(store, spiral, NetworkSpec.dense([8]), spec, control=control, extra=[log])
    assert result.status == "finished"
    assert trainer.lr == 0.05 and all(g["lr"] == 0.05 for g in trainer.optimizer.param_groups)
    lr_events = [e for e in store.events(run_id) if e["kind"] == "lr"]
    assert len(lr_events) == 1                        # applied once, not on every poll
    assert lr_events[0]["detail"] == {"from": 0.01, "to": 0.05}
    assert lr_events[0]["step"] == 0                  # the first poll comes before the first step
    assert log.series("lr") and set(log.series("lr")) == {0.05}
    logged = store.metrics(run_id, ["lr"]).value.tolist()
    assert logged and set(logged) == {0.05}


def test_stop_request_stops_the_run(store, spiral):
    control = Script("stop")
    run_id, trainer, result = recorded_run(store, spiral, NetworkSpec.dense([8]), TrainSpec(epochs=500), control=control)
    assert result.status == "stopped"
    assert result.epochs == 0 and result.steps == 0     # asked before the first step: none is taken
    assert "stop" in result.message
    run = store.get_run(run_id)
    assert run.status == "stopped" and run.pid is None
    assert [e["kind"] for e in store.events(run_id)][-2:] == ["stop", "end"]


def test_stop_in_the_middle_of_an_epoch_keeps_one_train_loss_row_per_epoch(store, spiral):
    """Stopping mid-epoch must not log the partial epoch under the last finished epoch's number.

    spiral, batch 8: 35 steps an epoch, every epoch logged and checkpointed (checkpoint_every=1).
    The control lets the run go until at least one epoch is done and then stops it at the first
    poll that falls inside an epoch.
    """
    class StopMidEpoch:
        def __init__(self):
            self.stopped_at = None

        def __call__(self, trainer):
            if trainer.epoch >= 1 and trainer.step % trainer.steps_per_epoch != 0:
                self.stopped_at = (trainer.epoch, trainer.step)
                return "stop", None
            return "run", None

    control = StopMidEpoch()
    spec = TrainSpec(epochs=100000, batch_size=8, checkpoint_every=1)
    run_id, trainer, result = recorded_run(store, spiral, NetworkSpec.dense([32, 32]), spec, control=control)
    epoch, step = control.stopped_at
    assert result.status == "stopped" and (result.epochs, result.steps) == (epoch, step)
    assert step % 35 != 0
    rows = store.metrics(run_id, ["train_loss"])
    assert rows.epoch.max() == epoch
    per_epoch = rows.groupby("epoch").size()
    assert per_epoch.max() == 1, f"train_loss rows of the last epochs:\n{rows.tail(3)}"
    # the checkpoint labelled with the last finished epoch must hold that epoch's end weights
    _, meta = load_checkpoint(store.checkpoint_path(run_id, "epoch", epoch))
    assert int(meta["step"]) == epoch * 35


def test_resume_after_a_mid_epoch_stop_records_every_step_once(store, home, spiral):
    """Stop 5 steps into epoch 3 (spiral, batch 8: 35 steps an epoch, a checkpoint every epoch),
    then resume the run the way the worker does (core.runs.worker.run with --resume) to its last epoch.
    Every step's loss and every epoch's train_loss must be in the store exactly once."""
    from core.runs.worker import run as worker_run

    class GrantStepsUntil:        # 'step' is polled after every step, so the stop lands on step 75 exactly
        def __call__(self, trainer):
            return ("stop", None) if trainer.step >= 2 * 35 + 5 else ("step", None)

    spec = TrainSpec(epochs=5, batch_size=8, checkpoint_every=1)
    run_id, trainer, result = recorded_run(store, spiral, NetworkSpec.dense([8]), spec, control=GrantStepsUntil())
    assert (result.status, result.epochs, result.steps) == ("stopped", 2, 75)

    assert worker_run(run_id, str(home), resume=True) == 0
    run = store.get_run(run_id)
    assert run.status == "finished" and run.epoch == 5, run.error
    steps = store.metrics(run_id, ["loss"]).step
    assert steps.is_unique, f"step losses recorded twice: {sorted(steps[steps.duplicated()].tolist())}"
    epochs = store.metrics(run_id, ["train_loss"]).epoch
    assert epochs.is_unique and epochs.tolist() == [1, 2, 3, 4, 5]


# ------------------------------------------------------------------ checkpoints
def test_checkpoints_at_every_multiple_and_a_best_one(store, spiral):
    """batch 8 → 35 steps an epoch → every epoch is logged; checkpoint_every=10 over 30 epochs."""
    spec = TrainSpec(epochs=30, batch_size=8, checkpoint_every=10)
    run_id, trainer, result = recorded_run(store, spiral, NetworkSpec.dense([8], "tanh"), spec)
    assert trainer.eval_every == 1 and result.status == "finished"
    ckpts = store.checkpoints(run_id)
    assert sorted(c["epoch"] for c in ckpts if c["kind"] == "epoch") == [10, 20, 30]
    best = [c for c in ckpts if c["kind"] == "best"]
    assert len(best) == 1 and 1 <= best[0]["epoch"] <= 30 and best[0]["epoch"] == trainer.best_epoch
    for c in ckpts:
        assert c["path"].is_file() and c["path"].parent == store.run_dir(run_id)
        tensors, meta = load_checkpoint(c["path"])
        assert int(meta["epoch"]) == c["epoch"]
        if c["kind"] == "epoch":
            assert int(meta["step"]) == c["epoch"] * 35
            assert any(k.startswith("optim.") for k in tensors)     # resumable: optimiser state included
    # the last checkpoint holds exactly the final weights
    final, _ = load_checkpoint(store.checkpoint_path(run_id, "epoch"))
    for k, v in trainer.net.state_dict().items():
        assert torch.equal(model_state(final)[k], v.cpu())
    # and a stored run can be loaded back at a given checkpoint
    loaded = load_run(store, run_id, 20)
    assert loaded.epoch == 20 and not loaded.net.training
    assert len(list(store.run_dir(run_id).glob(".*.tmp"))) == 0


def test_checkpoints_at_multiples_with_the_default_batch_size(store, spiral):
    """TrainSpec.checkpoint_every: 'keep a checkpoint every N epochs'. With the default batch size
    spiral epochs are only logged every 4 epochs; checkpoints must still land on 10, 20, 30, 40."""
    spec = TrainSpec(epochs=40, checkpoint_every=10)
    run_id, trainer, result = recorded_run(store, spiral, NetworkSpec.dense([8], "tanh"), spec)
    assert trainer.eval_every == 4 and result.status == "finished"
    epochs = sorted(c["epoch"] for c in store.checkpoints(run_id) if c["kind"] == "epoch")
    assert epochs == [10, 20, 30, 40]


# ------------------------------------------------------------------ frames
def test_boundary_frames_for_2d_classification(store, spiral):
    spec = TrainSpec(epochs=40)
    run_id, trainer, result = recorded_run(store, spiral, NetworkSpec.dense([8], "tanh"), spec)
    frames = store.frames(run_id, "boundary")
    assert frames, "no boundary frames for 2-D data"
    for step, epoch, data in frames:
        grid = decode_boundary(data, spiral.n_classes)
        assert grid.shape == (BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION, 2) == (100, 100, 2)
        assert grid.min() >= 0 and grid.max() <= 1
        assert np.allclose(grid.sum(axis=2), 1, atol=2 / 255)     # class probabilities, rounded to bytes
    assert frames[-1][1] == 40                                      # the final epoch always has a frame
    # the last frame is the trained network's boundary: not one flat colour
    last = decode_boundary(frames[-1][2], 2)
    assert last[..., 1].min() < 0.2 and last[..., 1].max() > 0.8
    extent = store.get_run(run_id).summary["boundary_extent"]
    assert len(extent) == 2 and all(lo < hi for lo, hi in extent)
    assert store.frames(run_id, "hist")


def test_boundary_frames_for_2d_regression(store, regression2d):
    run_id, _, _ = recorded_run(store, regression2d, NetworkSpec.dense([8]), TrainSpec(epochs=8))
    frames = store.frames(run_id, "boundary")
    assert frames
    grid = decode_boundary(frames[-1][2], 1)
    assert grid.shape == (100, 100, 1) and grid.min() >= 0 and grid.max() <= 1


def test_no_boundary_frames_for_data_that_is_not_2d(store, iris, digits):
    for dataset, network in [(iris, NetworkSpec.dense([8])),
                             (digits, NetworkSpec(layers=[LayerSpec(type="maxpool2d", kernel=2)]))]:
        assert not dataset.is_2d
        run_id, trainer, result = recorded_run(store, dataset, network, TrainSpec(epochs=4))
        assert result.status == "finished"
        assert store.frames(run_id, "boundary") == []
        assert store.frames(run_id, "hist"), "weight histograms are still recorded"
        assert "boundary_extent" not in store.get_run(run_id).summary
