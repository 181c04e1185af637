"""The training loop.

One readable loop: the data live as tensors on the device, minibatches are drawn
by indexing with a random permutation, and everything that watches training
(the run store, the CLI's progress line, fairness metrics later) hangs off named
events instead of living inside the loop:

    on_start(trainer)                    once, before the first step
    on_evaluate(trainer, report)         at a logged epoch, after validation: callbacks may add
                                         their own metrics to report.metrics (trainer.val_output
                                         holds the network's raw output on the validation set)
    on_epoch(trainer, report)            after every logged epoch: an EpochReport
    on_checkpoint(trainer, kind, epoch)  after a checkpoint is taken (trainer.checkpoint_tensors())
    on_end(trainer, result)              once, with the TrainResult

A `control` callable (optional) is polled ten times a second (twenty while paused); it
returns the requested state ('run', 'pause', 'step', 'stop') and optionally a new learning
rate. A single step taken while paused is noted as a 'step' event with its batch loss and how
far it moved the weights, and (2-D data) reported with the decision boundary after it.

Logging stays nearly free. Epochs are *logged* every `eval_every` epochs, chosen
so that at least MIN_STEPS_BETWEEN_EVALS training steps pass between two (every
epoch once an epoch has that many steps), and always at the last one. At a
logged epoch the step losses kept as tensors since the previous one are read,
`train_loss` is their mean, validation metrics and gradient norms are taken, and
— at most ten times a second — weight histograms and the decision-boundary grid;
on_epoch fires then. A DivergenceWatch (core.diagnose) reads the same numbers and ends a run
that has diverged, with the cause and the fix as its message.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from .diagnose import DivergenceWatch, chance_loss, update_size
from .model import Network, build_network
from .spec import NetworkSpec, SpecError, TrainSpec

MIN_STEPS_BETWEEN_EVALS = 32
CHECKPOINT_INTERVAL_S = 30.0
FRAME_INTERVAL_S = 0.1          # weight histograms and boundary grids: at most 10 a second
BOUNDARY_RESOLUTION = 100
HIST_BINS = 24
CONTROL_INTERVAL_S = 0.1      # how often a training run reads its control requests (one small SELECT)
PAUSE_POLL_S = 0.05           # how often a paused run does: a Step or Resume is taken up within this


class TrainingError(RuntimeError):
    """Training cannot start as specified (e.g. an unavailable device)."""


def available_devices() -> list[str]:
    """Accelerators torch can see here, CPU last."""
    found = []
    if torch.cuda.is_available():
        found.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append("mps")
    return found + ["cpu"]


def resolve_device(name: str) -> torch.device:
    """'auto' → CUDA, then Apple MPS, then CPU; an explicit unavailable device is an error."""
    found = available_devices()
    if name == "auto":
        return torch.device(found[0])
    if name not in found:
        raise TrainingError(f"device {name!r} is not available on this machine (found: {', '.join(found)}); use auto or cpu")
    return torch.device(name)


def seed_everything(seed: int) -> torch.Generator:
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def make_optimizer(spec: TrainSpec, params, device: torch.device) -> torch.optim.Optimizer:
    params = list(params)
    fused = device.type in ("cpu", "cuda")
    lr, wd = spec.lr, spec.l2
    if spec.optimizer == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=wd, fused=fused)
    if spec.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=wd, fused=fused)
    if spec.optimizer == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=wd)
    if spec.optimizer == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=spec.momentum, nesterov=spec.nesterov, weight_decay=wd)
    if spec.optimizer == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, weight_decay=wd)
    if spec.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, weight_decay=wd)
    raise SpecError(f"optimizer: unknown optimiser {spec.optimizer!r}")


def resolve_loss(spec: TrainSpec, task: str) -> str:
    """The concrete loss for 'auto', checked against the task."""
    if spec.loss == "auto":
        return "mse" if task == "regression" else "cross_entropy"
    if task == "regression" and spec.loss in ("cross_entropy", "bce"):
        raise SpecError(f"loss: {spec.loss} is for classification; use mse, mae or huber for a regression target")
    if task == "classification" and spec.loss in ("mse", "mae", "huber"):
        raise SpecError(f"loss: {spec.loss} is for regression; use cross_entropy (or bce for two classes)")
    return spec.loss


def class_weight_tensor(y: np.ndarray, n_classes: int) -> torch.Tensor:
    """'balanced' weights: n_samples / (n_classes * count), as in scikit-learn."""
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    counts[counts == 0] = 1
    return torch.tensor(len(y) / (n_classes * counts), dtype=torch.float32)


def make_loss_fn(loss: str, weights: torch.Tensor | None, reduction: str = "mean"):
    """loss(out, y) on the network's raw output (per row with reduction='none')."""
    if loss == "cross_entropy":
        return nn.CrossEntropyLoss(weight=weights, reduction=reduction)
    if loss == "bce":
        pos_weight = None if weights is None else (weights[1] / weights[0]).reshape(1)
        inner = nn.BCEWithLogitsLoss(pos_weight=pos_weight, reduction=reduction)
        return lambda out, y: inner(out[:, 0], y.to(out.dtype))
    inner = {"mse": nn.MSELoss, "mae": nn.L1Loss, "huber": nn.HuberLoss}[loss](reduction=reduction)
    return lambda out, y: inner(out[:, 0], y)


@dataclass
class EpochReport:
    """What happened in one epoch. Metrics hold only what was measured this epoch."""
    epoch: int
    step: int                       # global step count after this epoch
    step_losses: list[float]        # the loss of every step of this epoch
    metrics: dict[str, float] = field(default_factory=dict)
    frames: dict[str, bytes] = field(default_factory=dict)
    events: list[tuple[str, dict, int, int]] = field(default_factory=list)   # kind, detail, step, epoch


@dataclass
class TrainResult:
    status: str                     # finished | stopped | diverged | failed
    epochs: int
    steps: int
    seconds: float
    samples_per_second: float
    device: str
    metrics: dict[str, float]
    message: str = ""


def _histogram(t: torch.Tensor) -> dict:
    t = t.detach().float().flatten()
    lo, hi = float(t.min()), float(t.max())
    if hi <= lo:
        hi = lo + 1e-6
    counts = torch.histc(t, bins=HIST_BINS, min=lo, max=hi)
    return {"min": lo, "max": hi, "counts": counts.to(torch.int64).tolist()}


def encode_boundary(probs: np.ndarray) -> bytes:
    """A grid of class probabilities as compact bytes: uint8 per class per cell."""
    return np.clip(np.rint(probs * 255), 0, 255).astype(np.uint8).tobytes()


def decode_boundary(data: bytes, n_classes: int, resolution: int = BOUNDARY_RESOLUTION) -> np.ndarray:
    """[resolution, resolution, n_classes] probabilities (or values in 0..1 for regression)."""
    return np.frombuffer(data, dtype=np.uint8).reshape(resolution, resolution, n_classes).astype(np.float32) / 255


def boundary_extent(X: np.ndarray) -> list[tuple[float, float]]:
    """The plane the decision boundary is drawn on: the inputs' range plus a tenth on every side."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = (hi - lo) * 0.1 + 1e-6
    return [(float(lo[i] - pad[i]), float(hi[i] + pad[i])) for i in range(2)]


def boundary_points(extent, resolution: int = BOUNDARY_RESOLUTION) -> np.ndarray:
    """[resolution², 2] inputs covering `extent`, row by row (row = y from low to high, column = x)."""
    xs = np.linspace(*extent[0], resolution, dtype=np.float32)
    ys = np.linspace(*extent[1], resolution, dtype=np.float32)
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


class Trainer:
    """Trains `net` on `dataset` with `spec`; see the module docstring for events."""

    def __init__(self, net: Network, dataset, spec: TrainSpec, *, device: torch.device | None = None,
                 callbacks=(), control=None, start_epoch: int = 0, start_step: int = 0):
        self.spec = spec.validate()
        self.dataset = dataset
        self.device = device or resolve_device(spec.device)
        self.net = net.to(self.device)
        self.callbacks = list(callbacks)
        self.control = control
        self.task = dataset.task
        self.loss_name = resolve_loss(spec, self.task)
        self.n_classes = dataset.n_classes
        dev = self.device
        ytype = torch.int64 if self.task == "classification" else torch.float32
        self.X = {s: torch.as_tensor(dataset.split(s)[0], dtype=torch.float32, device=dev) for s in ("train", "val", "test")}
        self.Y = {s: torch.as_tensor(dataset.split(s)[1], dtype=ytype, device=dev) for s in ("train", "val", "test")}
        if self.task == "regression":   # the body learns a standardised target
            self.Yn = {s: (y - net.y_mean.to(dev)) / net.y_std.to(dev) for s, y in self.Y.items()}
        else:
            self.Yn = self.Y
        weights = None
        if spec.class_weights == "balanced" and self.task == "classification":
            weights = class_weight_tensor(dataset.y_train, self.n_classes).to(dev)
        self.loss_fn = make_loss_fn(self.loss_name, weights)
        if self.task != "classification" and (spec.reweigh or spec.fairness_penalty != "none"):
            raise TrainingError("reweighing and the fairness penalty compare decisions between groups; this data "
                                "has a number as its target (regression): turn them off or choose a classification target")
        self.fair = LiveFairness.for_trainer(dataset, spec, dev) if self.task == "classification" else None
        self.sample_loss = None             # per-row loss, when rows carry weights or a penalty needs them
        if self.fair is not None and (spec.reweigh or spec.fairness_penalty != "none"):
            self.sample_loss = make_loss_fn(self.loss_name, weights, reduction="none")
        self.optimizer = make_optimizer(spec, self.net.parameters(), dev)
        self.penalised = [p for n, p in self.net.named_parameters() if n.endswith("weight") and p.dim() > 1]
        self.epoch = start_epoch
        self.step = start_step
        n = len(self.X["train"])
        self.steps_per_epoch = max(1, math.ceil(n / spec.batch_size))
        self.eval_every = max(1, math.ceil(MIN_STEPS_BETWEEN_EVALS / self.steps_per_epoch))
        self.generator = torch.Generator().manual_seed(spec.seed + start_epoch)
        self.state = "run"
        self._grid = self._boundary_grid() if dataset.is_2d else None
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

    # ------------------------------------------------------------ helpers
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

    def _boundary_grid(self) -> torch.Tensor:
        self.grid_extent = boundary_extent(self.dataset.X_train)
        return torch.as_tensor(boundary_points(self.grid_extent), device=self.device)

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

    def _weight_layers(self) -> dict[str, torch.Tensor]:
        """{label: weight} of the layers with a weight matrix or kernel, e.g. '0:Linear'."""
        return {f"{name}:{type(module).__name__}": module.weight for name, module in self.net.body.named_children()
                if getattr(module, "weight", None) is not None and module.weight.dim() >= 2}

    @torch.no_grad()
    def weight_norms(self) -> dict[str, float]:
        """{label: the norm of that layer's weights}, read from the device at once."""
        layers = self._weight_layers()
        values = torch.stack([w.norm() for w in layers.values()]).tolist() if layers else []
        return dict(zip(layers, values))

    def _layer_stats(self, report: EpochReport, histograms: bool = True) -> None:
        """Per layer: the gradient's and the weights' norms (one read from the device), and the weights'
        histogram when frames are due."""
        import json
        layers = self._weight_layers()
        norms = {f"weight_norm/{label}": w.detach().norm() for label, w in layers.items()}
        norms.update({f"grad_norm/{label}": w.grad.norm() for label, w in layers.items() if w.grad is not None})
        if norms:
            report.metrics.update(zip(norms, torch.stack(list(norms.values())).tolist()))
        if histograms:
            hist = {label: _histogram(w) for label, w in layers.items()}
            if hist:
                report.frames["hist"] = json.dumps(hist).encode()

    def checkpoint_tensors(self, with_optimizer: bool = True) -> dict[str, torch.Tensor]:
        """Model weights (and optimiser state under 'optim.' keys) as a flat dict of CPU tensors."""
        out = {k: v.detach().cpu().contiguous().clone() for k, v in self.net.state_dict().items()}
        if with_optimizer:
            for idx, state in self.optimizer.state_dict()["state"].items():
                for key, value in state.items():
                    t = value if torch.is_tensor(value) else torch.tensor(value)
                    out[f"optim.{idx}.{key}"] = t.detach().cpu().contiguous().clone()
        return out

    def load_optimizer_state(self, tensors: dict[str, torch.Tensor]) -> None:
        sd = self.optimizer.state_dict()
        state: dict = {}
        for k, v in tensors.items():
            if k.startswith("optim."):
                _, idx, key = k.split(".", 2)
                state.setdefault(int(idx), {})[key] = v.to(self.device) if key != "step" or v.dim() else v
        sd["state"] = state
        self.optimizer.load_state_dict(sd)

    def _event(self, kind: str, detail: dict | None = None) -> None:
        """Note something that happened at the current step; it travels with the next report."""
        self._pending_events.append((kind, detail or {}, self.step, self.epoch))

    def _poll_control(self, now: float) -> None:
        """Apply the control's requests; while paused, wait here (polling) until told otherwise."""
        self._last_control = now
        if self.control is None:
            return
        was = self.state
        self._apply(*self.control(self))
        if self.state == "pause" and was != "pause":
            self._emit_steps()                     # the store shows the step we pause at
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

    def _stepped(self, loss: torch.Tensor) -> None:
        """The one step asked for is done: note its batch loss and how far it moved the weights, show
        the decision boundary it left (2-D data), and pause again."""
        moved = update_size(self._before_step, list(self.net.parameters()))
        self._event("step", {"loss": float(loss.detach()), **moved})
        self.state = "pause"
        self._emit_steps({"boundary": self.boundary()} if self._grid is not None else {})

    # ------------------------------------------------------------ the loop
    def fit(self) -> TrainResult:
        spec, net, opt, loss_fn = self.spec, self.net, self.optimizer, self.loss_fn
        X, Y = self.X["train"], self.Yn["train"]
        n, bs = len(X), spec.batch_size
        l1, clip = spec.l1, spec.grad_clip
        params = [p for g in opt.param_groups for p in g["params"]]
        self._pending_events: list = []
        self._losses: list[torch.Tensor] = []     # step losses not yet reported
        self._reported: list[float] = []          # reported outside the schedule (a pause), not yet logged
        status, message = "finished", ""
        trained = 0
        last_ckpt_epoch, last_ckpt_time = self.epoch, time.perf_counter()
        t0 = time.perf_counter()
        net.train()
        self._emit("on_start")
        while self.epoch < spec.epochs:
            perm = torch.randperm(n, generator=self.generator).to(self.device)
            for i in range(0, n, bs):
                idx = perm[i:i + bs]
                if self.sample_loss is None:
                    loss = loss_fn(net(X[idx]), Y[idx])
                else:
                    loss = self.fair.batch_loss(self.sample_loss, net(X[idx]), Y[idx], idx)
                if l1:
                    loss = loss + l1 * sum(p.abs().sum() for p in self.penalised)
                for p in params:                   # = opt.zero_grad(set_to_none=True), without its
                    p.grad = None                  # profiling hooks (~30 µs a step on small nets)
                loss.backward()
                if clip:
                    nn.utils.clip_grad_norm_(net.parameters(), clip)
                opt.step()
                self._losses.append(loss.detach())
                self.step += 1
                now = time.perf_counter()
                if self.state == "step":           # the one step granted is done: back to pause
                    self._stepped(loss)
                if now - self._last_control >= CONTROL_INTERVAL_S or self.state == "pause":
                    self._poll_control(now)
                    if self.state == "stop":
                        status, message = "stopped", "stopped by request"
                        break
            done = min(i + bs, n)                  # rows of this epoch trained
            trained += done
            if done < n:                           # stopped inside an epoch: its steps are kept, not as an epoch
                self._emit_steps()
                if last_ckpt_epoch != self.epoch or self.epoch == 0:
                    self._emit("on_checkpoint", "epoch", self.epoch)
                break
            self.epoch += 1
            last = status != "finished" or self.epoch >= spec.epochs
            if last or self.epoch % self.eval_every == 0:
                verdict, said, last = self._log_epoch(trained, t0, last)
                status, message = verdict or status, said or message
            now = time.perf_counter()
            if not self.broken and (last or self.epoch % spec.checkpoint_every == 0
                                    or now - last_ckpt_time >= CHECKPOINT_INTERVAL_S):
                self._emit("on_checkpoint", "epoch", self.epoch)
                last_ckpt_epoch, last_ckpt_time = self.epoch, now
            if last:
                break
        seconds = time.perf_counter() - t0
        final = {}
        if not self.broken:                       # weights that are numbers can still be scored
            for split in ("train", "val", "test"):
                final.update(self.evaluate(split))
        result = TrainResult(status, self.epoch, self.step, seconds, trained / seconds if seconds > 0 else 0.0,
                             str(self.device), final, message)
        self._emit("on_end", result)
        return result

    def _log_epoch(self, trained: int, t0: float, last: bool) -> tuple[str | None, str, bool]:
        """A logged epoch: read the step losses, evaluate, watch for divergence, tell the callbacks.
        Returns (the run's new status or None, what to say, whether training ends here)."""
        fresh = torch.stack(self._losses).tolist() if self._losses else []
        step_losses, self._reported, self._losses = self._reported + fresh, [], []   # a pause reported some
        report = EpochReport(self.epoch, self.step, fresh)
        status, message = None, ""
        if step_losses:
            report.metrics["train_loss"] = float(np.mean(step_losses))
        self.broken = not all(map(math.isfinite, step_losses))
        if not self.broken:
            self._evaluate_epoch(report)
            if self.spec.early_stopping and self._since_best >= self.spec.early_stopping:
                message = f"early stopping: no better validation loss for {self._since_best} epochs"
                last = True
        diverged = self.watch.update(self.epoch, step_losses, report.metrics, last=last, lr=self.lr)
        if diverged is not None:
            status, message, last = "diverged", diverged.message, True
        elapsed = time.perf_counter() - t0
        report.metrics["samples_per_second"] = trained / elapsed if elapsed > 0 else 0.0
        report.events, self._pending_events = self._pending_events, []
        self._emit("on_epoch", report)
        return status, message, last

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


SOFT_DECISION_WIDTH = 0.05


class LiveFairness:
    """Groups of a sensitive column for a classification run: the per-epoch audit on the validation
    rows, and the in-training mitigations (reweighing, a penalty on the gap between groups).

    The per-epoch numbers are the plain rates fairlearn defines (selection rate, TPR, FPR,
    accuracy per group; demographic parity, equalized odds and equal opportunity differences
    as the largest gap between groups), computed in torch so an epoch costs microseconds;
    tests check them against fairlearn's."""

    def __init__(self, column: str, names: list[str], train_groups: torch.Tensor, val_groups: torch.Tensor,
                 favourable: int, spec: TrainSpec, y_train: torch.Tensor, dev):
        self.column, self.names, self.favourable = column, names, favourable
        self.train_groups, self.val_groups = train_groups, val_groups
        self.weights = None
        if spec.reweigh:
            from .analysis.fairness import reweighing
            self.weights = torch.as_tensor(reweighing(y_train.cpu().numpy(), train_groups.cpu().numpy()),
                                           dtype=torch.float32, device=dev)
        self.penalty = spec.fairness_penalty
        self.lam = float(spec.fairness_lambda)
        self.y_fav = (y_train == favourable).float()

    @classmethod
    def for_trainer(cls, dataset, spec: TrainSpec, dev) -> "LiveFairness | None":
        column = spec.sensitive or (dataset.sensitive[0] if dataset.sensitive else "")
        if not column:
            if spec.reweigh or spec.fairness_penalty != "none":
                raise TrainingError("reweighing and the fairness penalty need a sensitive column: choose one on the "
                                    "Data page (e.g. sex) or set 'sensitive' in the training settings")
            return None
        from .analysis.fairness import FairnessError, favourable_index, group_labels, training_grouping
        try:
            edges = spec.sensitive_bands.get(column)               # else bands cut on the training rows
            grouping = training_grouping(dataset, column, {column: tuple(edges)} if edges else None)
            tr, _ = group_labels(dataset.raw.iloc[dataset.idx_train], grouping)
            va, _ = group_labels(dataset.raw.iloc[dataset.idx_val], grouping)
        except FairnessError as exc:
            if spec.reweigh or spec.fairness_penalty != "none":
                raise TrainingError(f"fairness mitigation: {exc}") from None
            return None
        names = sorted(set(tr) | set(va))
        code = {n: i for i, n in enumerate(names)}
        to_t = lambda a: torch.as_tensor([code[x] for x in a], dtype=torch.long, device=dev)   # noqa: E731
        fav = favourable_index(list(dataset.class_names), None)
        y_train = torch.as_tensor(dataset.y_train, dtype=torch.long, device=dev)
        return cls(column, names, to_t(tr), to_t(va), fav, spec, y_train, dev)

    def _proba(self, out: torch.Tensor) -> torch.Tensor:
        if out.shape[1] == 1:
            p1 = torch.sigmoid(out[:, 0])
            return p1 if self.favourable == 1 else 1 - p1
        return torch.softmax(out, dim=1)[:, self.favourable]

    def batch_loss(self, sample_loss, out: torch.Tensor, y: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
        per_row = sample_loss(out, y)
        if self.weights is not None:
            w = self.weights[idx]
            loss = (per_row * w).sum() / w.sum()
        else:
            loss = per_row.mean()
        if self.penalty != "none" and self.lam > 0:
            loss = loss + self.lam * self._gap(self._proba(out), self.train_groups[idx], self.y_fav[idx])
        return loss

    def _gap(self, p: torch.Tensor, g: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The largest difference between groups of the selection rate (demographic parity), or of it
        among rows with each true label (equalized odds), on a batch. The decision at 0.5 is smoothed
        (a steep sigmoid) so the gap is differentiable and measures decisions, not mean probabilities."""
        p = torch.sigmoid((p - 0.5) / SOFT_DECISION_WIDTH)
        k = len(self.names)
        conds = [torch.ones_like(p, dtype=torch.bool)] if self.penalty == "demographic_parity" else [y > 0.5, y < 0.5]
        gap = p.new_zeros(())
        for c in conds:
            sums = torch.zeros(k, device=p.device, dtype=p.dtype).index_add(0, g[c], p[c])
            counts = torch.zeros(k, device=p.device, dtype=p.dtype).index_add(0, g[c], torch.ones_like(p[c]))
            present = counts > 0
            if int(present.sum()) >= 2:
                means = sums[present] / counts[present]
                gap = torch.maximum(gap, means.max() - means.min())
        return gap

    @torch.no_grad()
    def metrics(self, out: torch.Tensor, y: torch.Tensor, loss_name: str) -> dict[str, float]:
        """This epoch's audit of the validation rows, as metric name → value."""
        p = self._proba(out)
        pred = (p >= 0.5).float()
        fav = (y == self.favourable).float()
        per_row = make_loss_fn(loss_name, None, reduction="none")(out, y)
        result: dict[str, float] = {}
        sel, tpr, fpr = [], [], []
        for i, name in enumerate(self.names):
            m = self.val_groups == i
            if not bool(m.any()):
                continue
            pos, neg = m & (fav > 0.5), m & (fav < 0.5)
            sel.append(float(pred[m].mean()))
            result[f"fair/selection_rate/{name}"] = sel[-1]
            result[f"fair/accuracy/{name}"] = float((pred[m] == fav[m]).float().mean())
            result[f"fair/loss/{name}"] = float(per_row[m].mean())
            if bool(pos.any()):
                tpr.append(float(pred[pos].mean()))
                result[f"fair/tpr/{name}"] = tpr[-1]
            if bool(neg.any()):
                fpr.append(float(pred[neg].mean()))
                result[f"fair/fpr/{name}"] = fpr[-1]
        spread = lambda v: max(v) - min(v) if len(v) >= 2 else float("nan")   # noqa: E731
        result["fair/demographic_parity_difference"] = spread(sel)
        result["fair/equal_opportunity_difference"] = spread(tpr)
        result["fair/equalized_odds_difference"] = max(spread(tpr), spread(fpr))
        return result


def train(dataset, network: NetworkSpec, spec: TrainSpec, callbacks=(), control=None) -> tuple[Network, TrainResult]:
    """Build and train a network in this process (the CLI, tests and benchmarks use this)."""
    spec.validate()
    seed_everything(spec.seed)
    net, _ = build_network(network, dataset, resolve_loss(spec, dataset.task))
    trainer = Trainer(net, dataset, spec, callbacks=callbacks, control=control)
    return net, trainer.fit()
