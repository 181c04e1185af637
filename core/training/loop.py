"""The training loop.

One readable loop (Trainer.fit): the data live as tensors on the device, minibatches are drawn
by indexing with a random permutation, and everything that watches training (the run store, the
CLI's progress line, the live fairness audit) hangs off named events instead of living inside the loop:

    on_start(trainer)                    once, before the first step
    on_evaluate(trainer, report)         at a logged epoch, after validation: callbacks may add
                                         their own metrics to report.metrics (trainer.val_output
                                         holds the network's raw output on the validation set)
    on_epoch(trainer, report)            after every logged epoch: an EpochReport
    on_steps(trainer, report)            steps reported outside the schedule (a pause, a single step,
                                         a stop inside an epoch): an EpochReport without metrics
    on_pause(trainer)                    while paused, twenty times a second
    on_checkpoint(trainer, kind, epoch)  when a checkpoint is due (trainer.checkpoint_tensors())
    on_end(trainer, result)              once, with the TrainResult

A `control` callable (optional) is polled ten times a second (twenty while paused); it
returns the requested state ('run', 'pause', 'step', 'stop') and optionally a new learning
rate. A single step taken while paused is noted as a 'step' event with its batch loss and how
far it moved the weights, and (2-D data) reported with the decision boundary after it.

Logging stays nearly free. Epochs are *logged* every `eval_every` epochs, chosen so that at least
MIN_STEPS_BETWEEN_EVALS training steps pass between two (every epoch once an epoch has that many steps),
and always at the last one. At a logged epoch the step losses kept as tensors since the previous one are
read, `train_loss` is their mean, validation metrics and gradient norms are taken, and — at most ten times
a second — weight histograms and the decision-boundary grid; on_epoch fires then. A DivergenceWatch (diagnose.py) reads the same numbers and ends a run
that has diverged, with the cause and the fix as its message.
"""
from __future__ import annotations

import math
import time

import numpy as np
import torch
from torch import nn

from ..model import Network, concrete_loss, network_for
from ..spec import NetworkSpec, TrainSpec
from .budget import TimedControl, check_steps
from .checkpoints import checkpoint_tensors, load_optimizer_state
from .devices import resolve_device, seed_everything
from .diagnose import DivergenceWatch, chance_loss, update_size
from .errors import TrainingError
from .fairness import LiveFairness
from .frames import boundary_extent, boundary_points, encode_boundary, histogram_frame
from .health import health_metrics
from .layers import layer_norms, weight_layers, weight_norms
from .optim import class_weight_tensor, make_loss_fn, make_optimizer
from .reports import EpochReport, TrainResult
from .resample import resample_dataset

MIN_STEPS_BETWEEN_EVALS = 32
CHECKPOINT_INTERVAL_S = 30.0
FRAME_INTERVAL_S = 0.1        # weight histograms and boundary grids: at most 10 a second
CONTROL_INTERVAL_S = 0.1      # how often a training run reads its control requests (one small SELECT)
PAUSE_POLL_S = 0.05           # how often a paused run does: a Step or Resume is taken up within this


class Trainer:
    """Trains `net` on `dataset` with `spec`; see the module docstring for events."""

    def __init__(self, net: Network, dataset, spec: TrainSpec, *, device: torch.device | None = None,
                 callbacks=(), control=None, start_epoch: int = 0, start_step: int = 0):
        self.spec = spec.validate()
        self.grid_extent = boundary_extent(dataset.X_train) if dataset.is_2d else None   # of the rows as they come
        dataset, self.resampled = resample_dataset(dataset, spec)   # training rows rebalanced, if asked
        check_steps(spec, len(dataset.X_train))     # before a tensor is placed
        self.dataset = dataset
        self.device = device or resolve_device(spec.device)
        self.net = net.to(self.device)
        self.callbacks = list(callbacks)
        self.control = TimedControl(control)      # the wall-clock limit stops a run too
        self.task = dataset.task
        self.loss_name = concrete_loss(spec.loss, self.task)
        self.n_classes = dataset.n_classes
        self._place_splits()
        self._make_losses()
        self.optimizer = make_optimizer(spec, self.net.parameters(), self.device)
        self.penalised = [p for n, p in self.net.named_parameters() if n.endswith("weight") and p.dim() > 1]
        self.epoch = start_epoch
        self.step = start_step
        self.steps_per_epoch = max(1, math.ceil(len(self.X["train"]) / spec.batch_size))
        self.eval_every = max(1, math.ceil(MIN_STEPS_BETWEEN_EVALS / self.steps_per_epoch))
        self.generator = torch.Generator().manual_seed(spec.seed + start_epoch)
        self.state = "run"
        self._grid = None if self.grid_extent is None else \
            torch.as_tensor(boundary_points(self.grid_extent), device=self.device)
        self.best_val = math.inf
        self.best_state: dict | None = None
        self.best_epoch = 0
        self._since_best = 0
        self._last_control = 0.0
        self._last_frames = -math.inf
        self.val_output: torch.Tensor | None = None
        self.broken = False                 # the loss stopped being a number: nothing left to save or score
        self.watch = DivergenceWatch(chance_loss(self.task, self.loss_name, self.n_classes), self.weight_norms(),
                                     spec.optimizer, spec.lr)

    def _place_splits(self) -> None:
        """The three splits as tensors on the device: X, Y (the targets) and Yn (what the body learns:
        the targets, standardised for regression)."""
        dev, net = self.device, self.net
        ytype = torch.int64 if self.task == "classification" else torch.float32
        self.X = {s: torch.as_tensor(self.dataset.split(s)[0], dtype=torch.float32, device=dev) for s in ("train", "val", "test")}
        self.Y = {s: torch.as_tensor(self.dataset.split(s)[1], dtype=ytype, device=dev) for s in ("train", "val", "test")}
        if self.task == "regression":   # the body learns a standardised target
            self.Yn = {s: (y - net.y_mean.to(dev)) / net.y_std.to(dev) for s, y in self.Y.items()}
        else:
            self.Yn = self.Y

    def _make_losses(self) -> None:
        """The loss function (balanced class weights if asked), the live fairness audit of a classifier, and
        the per-row loss that reweighing or a fairness penalty needs."""
        spec, dev = self.spec, self.device
        weights = None
        if spec.class_weights == "balanced" and self.task == "classification":
            weights = class_weight_tensor(self.dataset.y_train, self.n_classes).to(dev)
        self.loss_fn = make_loss_fn(self.loss_name, weights)
        mitigated = spec.reweigh or spec.fairness_penalty != "none"
        if self.task != "classification" and mitigated:
            raise TrainingError("reweighing and the fairness penalty compare decisions between groups; this data "
                                "has a number as its target (regression): turn them off or choose a classification target")
        self.fair = LiveFairness.for_trainer(self.dataset, spec, dev) if self.task == "classification" else None
        self.sample_loss = None             # per-row loss, when rows carry weights or a penalty needs them
        if self.fair is not None and mitigated:
            self.sample_loss = make_loss_fn(self.loss_name, weights, reduction="none")

    # ------------------------------------------------------------ the loop
    def fit(self) -> TrainResult:
        """Train from the current epoch to the last, unless a stop request, early stopping or divergence
        ends the run sooner; the callbacks hear of it all on the way."""
        self._begin()
        while self.epoch < self.spec.epochs and self.state != "stop":
            rows = self._train_epoch()
            if not self._close_epoch(rows):
                break
        return self._finish()

    def _train_epoch(self) -> int:
        """One pass over the training rows in a fresh random order, a minibatch a step, taking up control
        requests on the way. Returns how many rows it trained (fewer than all when a stop came)."""
        n, bs = len(self.X["train"]), self.spec.batch_size
        perm = torch.randperm(n, generator=self.generator).to(self.device)
        for i in range(0, n, bs):
            loss = self._step(perm[i:i + bs])
            now = time.perf_counter()
            if self.state == "step":               # the one step granted is done: back to pause
                self._stepped(loss)
            if now - self._last_control >= CONTROL_INTERVAL_S or self.state == "pause":
                self._poll_control(now)
                if self.state == "stop":
                    break
        return min(i + bs, n)

    def _step(self, idx: torch.Tensor) -> torch.Tensor:
        """One optimiser step on the training rows `idx`: the batch loss (weighted or penalised when a fairness
        mitigation is on, plus the L1 term), its gradients (clipped if asked), the update. Returns the loss."""
        out, y = self.net(self.X["train"][idx]), self.Yn["train"][idx]
        if self.sample_loss is None:
            loss = self.loss_fn(out, y)
        else:
            loss = self.fair.batch_loss(self.sample_loss, out, y, idx)
        if self.spec.l1:
            loss = loss + self.spec.l1 * sum(p.abs().sum() for p in self.penalised)
        for p in self._params:                     # = opt.zero_grad(set_to_none=True), without its
            p.grad = None                          # profiling hooks (~30 µs a step on small nets)
        loss.backward()
        if self.spec.grad_clip:
            nn.utils.clip_grad_norm_(self.net.parameters(), self.spec.grad_clip)
        self.optimizer.step()
        self._losses.append(loss.detach())
        self.step += 1
        return loss

    def _begin(self) -> None:
        """Ready the bookkeeping of one fit() call and tell the callbacks training starts."""
        self._params = [p for g in self.optimizer.param_groups for p in g["params"]]
        self._pending_events: list = []
        self._losses: list[torch.Tensor] = []     # step losses not yet reported
        self._reported: list[float] = []          # reported outside the schedule (a pause), not yet logged
        self._status, self._message = "finished", ""   # how the run ends (TrainResult.status) and why
        self._trained = 0                          # rows trained in this call, for samples per second
        self._last_checkpoint = (self.epoch, time.perf_counter())   # its epoch and time
        self._t0 = time.perf_counter()
        self.control.start()                       # the wall clock of this fit() call
        self.net.train()
        self._emit("on_start")
        self._poll_control(0.0)     # requests made while it waited for a worker; polled again after the first step

    def _close_epoch(self, rows: int) -> bool:
        """After an epoch's steps (`rows` of its rows trained): count it, log it when due, take a checkpoint
        when due. Returns whether training goes on."""
        self._trained += rows
        if rows < len(self.X["train"]):           # stopped inside an epoch: its steps are kept, not as an epoch
            self._emit_steps()
            if self._last_checkpoint[0] != self.epoch or self.epoch == 0:
                self._emit("on_checkpoint", "epoch", self.epoch)
            return False
        self.epoch += 1
        last = self._status != "finished" or self.epoch >= self.spec.epochs
        if last or self.epoch % self.eval_every == 0:
            last = self._log_epoch(last)
        self._checkpoint_if_due(last)
        return not last

    def _checkpoint_if_due(self, last: bool) -> None:
        """At the last epoch, every `checkpoint_every` epochs and at least every CHECKPOINT_INTERVAL_S;
        never of weights that are no longer numbers."""
        now = time.perf_counter()
        if not self.broken and (last or self.epoch % self.spec.checkpoint_every == 0
                                or now - self._last_checkpoint[1] >= CHECKPOINT_INTERVAL_S):
            self._emit("on_checkpoint", "epoch", self.epoch)
            self._last_checkpoint = (self.epoch, now)

    def _finish(self) -> TrainResult:
        seconds = time.perf_counter() - self._t0
        final = {}
        if not self.broken:                       # weights that are numbers can still be scored
            for split in ("train", "val", "test"):
                final.update(self.evaluate(split))
        result = TrainResult(self._status, self.epoch, self.step, seconds,
                             self._trained / seconds if seconds > 0 else 0.0, str(self.device), final, self._message)
        self._emit("on_end", result)
        return result

    # ------------------------------------------------------------ logged epochs
    def _log_epoch(self, last: bool) -> bool:
        """A logged epoch: read the step losses, evaluate, watch for divergence, tell the callbacks.
        Returns whether training ends here."""
        fresh = torch.stack(self._losses).tolist() if self._losses else []
        step_losses, self._reported, self._losses = self._reported + fresh, [], []   # a pause reported some
        report = EpochReport(self.epoch, self.step, fresh)
        if step_losses:
            report.metrics["train_loss"] = float(np.mean(step_losses))
        self.broken = not all(map(math.isfinite, step_losses))
        if not self.broken:
            self._evaluate_epoch(report)
            if self.spec.early_stopping and self._since_best >= self.spec.early_stopping:
                self._message = f"early stopping: no better validation loss for {self._since_best} epochs"
                last = True
        diverged = self.watch.update(self.epoch, step_losses, report.metrics, last=last, lr=self.lr)
        if diverged is not None:
            self._status, self._message, last = "diverged", diverged.message, True
        elapsed = time.perf_counter() - self._t0
        report.metrics["samples_per_second"] = self._trained / elapsed if elapsed > 0 else 0.0
        report.events, self._pending_events = self._pending_events, []
        self._emit("on_epoch", report)
        return last

    def _evaluate_epoch(self, report: EpochReport) -> None:
        """Validation metrics, layer statistics, the boundary grid and best-weights tracking."""
        report.metrics.update(self.evaluate("val"))
        report.metrics["lr"] = self.lr
        if self.val_output is not None and len(self.val_output):
            out = self.val_output
            report.metrics["output_max"] = float(out.abs().amax())
            report.metrics["output_spread"] = float((out.amax(0) - out.amin(0)).amax())   # 0: one answer for all
        if self.fair is not None and self.val_output is not None:
            report.metrics.update(self.fair.metrics(self.val_output, self.Y["val"], self.loss_name))
        now = time.perf_counter()
        frames_due = now - self._last_frames >= FRAME_INTERVAL_S or self.epoch >= self.spec.epochs
        self._layer_stats(report, histograms=frames_due)
        if frames_due:
            self._last_frames = now
            if self._grid is not None:
                report.frames["boundary"] = self.boundary()
        val = report.metrics.get("val_loss", report.metrics.get("train_loss", math.inf))
        if val < self.best_val:
            self.best_val, self.best_epoch, self._since_best = val, self.epoch, 0
            self.best_state = {k: v.detach().clone() for k, v in self.net.state_dict().items()}
        else:
            self._since_best += self.eval_every
        self._emit("on_evaluate", report)

    def _emit_steps(self, frames: dict | None = None) -> None:
        """Report the steps (and events, and `frames`) not yet reported, outside the epoch schedule."""
        losses, self._losses = self._losses, []
        report = EpochReport(self.epoch, self.step, torch.stack(losses).tolist() if losses else [],
                             frames=dict(frames or {}))
        self._reported += report.step_losses          # they still count towards the epoch's train_loss
        report.events, self._pending_events = self._pending_events, []
        self._emit("on_steps", report)

    # ------------------------------------------------------------ control requests
    def _event(self, kind: str, detail: dict | None = None) -> None:
        """Note something that happened at the current step; it travels with the next report."""
        self._pending_events.append((kind, detail or {}, self.step, self.epoch))

    def _poll_control(self, now: float) -> None:
        """Apply the control's requests; while paused, wait here (polling) until told otherwise."""
        self._last_control = now
        was = self.state
        self._apply(*self.control(self))
        if self.state in ("pause", "stop") and was != self.state:
            self._emit_steps()                     # the store shows the step we pause (or stop) at
        while self.state == "pause":
            self._emit("on_pause")
            time.sleep(PAUSE_POLL_S)
            self._apply(*self.control(self))
        if self.state == "step":                   # one step granted: remember where the weights are
            self._before_step = [p.detach().clone() for p in self.net.parameters()]

    def _apply(self, state: str, lr: float | None) -> None:
        if lr is not None and abs(lr - self.lr) > 1e-15:
            old = self.lr
            self.set_lr(lr)
            self._event("lr", {"from": old, "to": lr})
        if state != self.state and state != "step":    # a granted step is noted once it is taken
            self._event("resume" if self.state == "pause" and state == "run" else state)
        self.state = state
        if state == "stop":
            self._status, self._message = "stopped", self.control.reason

    def _stepped(self, loss: torch.Tensor) -> None:
        """The one step asked for is done: note its batch loss and how far it moved the weights, show
        the decision boundary it left (2-D data), and pause again."""
        moved = update_size(self._before_step, list(self.net.parameters()))
        self._event("step", {"loss": float(loss.detach()), **moved})
        self.state = "pause"
        self._emit_steps({"boundary": self.boundary()} if self._grid is not None else {})

    # ------------------------------------------------------------ what the callbacks read
    def _emit(self, event: str, *args) -> None:
        for cb in self.callbacks:
            fn = getattr(cb, event, None)
            if fn is not None:
                fn(self, *args)

    @property
    def lr(self) -> float:
        return self.optimizer.param_groups[0]["lr"]

    def set_lr(self, lr: float) -> None:
        for g in self.optimizer.param_groups:
            g["lr"] = float(lr)

    @torch.no_grad()
    def evaluate(self, split: str) -> dict[str, float]:
        """Loss and accuracy (or R²) of the current weights on a split."""
        X, Y, Yn = self.X[split], self.Y[split], self.Yn[split]
        if len(X) == 0:
            return {}
        was = self.net.training
        self.net.eval()
        out = self.net(X)
        self.net.train(was)
        if split == "val":
            self.val_output = out
        result = {f"{split}_loss": float(self.loss_fn(out, Yn))}
        if self.task == "classification":
            pred = (out[:, 0] > 0).long() if out.shape[1] == 1 else out.argmax(1)
            result[f"{split}_accuracy"] = int((pred == Y).sum()) / len(Y)
        else:
            pred = out[:, 0] * self.net.y_std + self.net.y_mean
            ss_res = float(((Y - pred) ** 2).sum())
            ss_tot = float(((Y - Y.mean()) ** 2).sum()) or 1e-12
            result[f"{split}_r2"] = 1 - ss_res / ss_tot
        return result

    @torch.no_grad()
    def boundary(self) -> bytes:
        """The decision-boundary grid for 2-D data: probabilities per class (values scaled to 0..1 for regression)."""
        was = self.net.training
        self.net.eval()
        p = self.net.predict(self._grid)
        self.net.train(was)
        if self.task == "regression":
            lo, hi = float(self.Y["train"].min()), float(self.Y["train"].max())
            p = ((p - lo) / ((hi - lo) or 1.0)).clamp(0, 1)[:, None]
        return encode_boundary(p.cpu().numpy())

    def weight_norms(self) -> dict[str, float]:
        """{label: the norm of that layer's weights} (layers.py)."""
        return weight_norms(weight_layers(self.net))

    def _layer_stats(self, report: EpochReport, histograms: bool = True) -> None:
        """Per layer: gradient and weight norms, the units' health (health.py), the histogram when frames are due."""
        report.metrics.update({**layer_norms(layers := weight_layers(self.net)), **health_metrics(self)})
        hist = histogram_frame(layers) if histograms else None
        if hist is not None:
            report.frames["hist"] = hist

    def checkpoint_tensors(self) -> dict[str, torch.Tensor]:
        """Model weights and optimiser state under 'optim.' keys (checkpoints.py), as CPU tensors."""
        return checkpoint_tensors(self.net, self.optimizer)

    def load_optimizer_state(self, tensors: dict[str, torch.Tensor]) -> None:
        load_optimizer_state(self.optimizer, tensors, self.device)


def train(dataset, network: NetworkSpec, spec: TrainSpec, callbacks=(), control=None) -> tuple[Network, TrainResult]:
    """Build and train a network in this process (the CLI, tests and benchmarks use this)."""
    spec.validate()
    seed_everything(spec.seed)
    net = network_for(network, dataset, spec.loss)
    trainer = Trainer(net, dataset, spec, callbacks=callbacks, control=control)
    return net, trainer.fit()
