"""Connects the trainer's events to the run store (and the store's control requests back)."""
from __future__ import annotations

import os
import time

from ..runs import Store
from ..runs.cadence import CheckpointCadence
from ..runs.thinning import RunThinning

HEARTBEAT_S = 1.0


class StoreRecorder:
    """Trainer callbacks that write every metric, frame, event and checkpoint of a run to the store.

    Each epoch's rows go in one transaction, so a reader sees whole epochs and a
    killed worker loses at most the epoch it was in; the same transaction thins the run's rows that
    passed their limits (core.runs.thinning), so a reader never sees a run half thinned.
    """

    def __init__(self, store: Store, run_id: str):
        self.store = store
        self.run_id = run_id
        self._beat = 0.0
        self._checkpoints = CheckpointCadence(store, run_id)
        self._thinning = RunThinning(store.db, run_id)

    # ------------------------------------------------------------ events
    def on_start(self, trainer) -> None:
        self.store.update_run(self.run_id, status="running", device=str(trainer.device), pid=os.getpid(),
                              heartbeat=time.time(), error=None)
        self.store.add_event(self.run_id, trainer.step, trainer.epoch, "start",
                             {"lr": trainer.lr, "device": str(trainer.device), "eval_every": trainer.eval_every,
                              "weight_norms": trainer.watch.initial,
                              **({"resampled": trainer.resampled} if trainer.resampled else {})})
        extra = {"boundary_extent": trainer.grid_extent} if trainer.grid_extent is not None else {}
        if trainer.resampled:                  # the training rows per class before and after resampling
            extra["resampled"] = trainer.resampled
        if extra:
            self.store.update_run(self.run_id, summary={**self.store.get_run(self.run_id).summary, **extra})

    def _write(self, trainer, report) -> None:
        run, db = self.run_id, self.store
        first = report.step - len(report.step_losses) + 1
        rows = [(first + i, report.epoch, "loss", v) for i, v in enumerate(report.step_losses)]
        rows += [(report.step, report.epoch, k, v) for k, v in report.metrics.items()]
        now = time.time()
        with db.transaction(exclusive=False):     # only this worker writes its run's rows
            if not db.db.execute("UPDATE runs SET epoch=?, step=?, heartbeat=?, updated=? WHERE id=?",
                                 (report.epoch, report.step, now, now, run)).rowcount:
                return                      # the run was deleted while it trained: nothing of it comes back
            db.add_metrics(run, rows)
            for kind, data in report.frames.items():
                db.add_frame(run, report.step, report.epoch, kind, data)
            for kind, detail, step, epoch in report.events:
                db.add_event(run, step, epoch, kind, detail)
            self._thinning.added(len(report.step_losses), bool(report.metrics), report.frames)
        self._beat = now

    def on_epoch(self, trainer, report) -> None:
        self._checkpoints.at_logged_epoch(trainer, report)     # the weights before the metrics: see core.runs.cadence
        self._write(trainer, report)

    def on_steps(self, trainer, report) -> None:
        self._write(trainer, report)

    def on_pause(self, trainer) -> None:
        now = time.time()
        if now - self._beat >= HEARTBEAT_S:
            self.store.update_run(self.run_id, heartbeat=now, status="paused")
            self._beat = now

    def on_checkpoint(self, trainer, kind: str, epoch: int) -> None:
        self._checkpoints.at_checkpoint(trainer, epoch)

    def on_end(self, trainer, result) -> None:
        if trainer.best_state is not None:
            best = {k: v.cpu().contiguous() for k, v in trainer.best_state.items()}
            self.store.save_checkpoint(self.run_id, "best", trainer.best_epoch, best, {"epoch": trainer.best_epoch})
        run = self.store.get_run(self.run_id)
        summary = {**run.summary, **result.metrics, "seconds": run.summary.get("seconds", 0) + result.seconds,
                   "samples_per_second": result.samples_per_second, "epochs": result.epochs, "steps": result.steps,
                   "best_epoch": trainer.best_epoch}
        with self.store.transaction():     # the status change is the run's last write
            self.store.add_event(self.run_id, result.steps, result.epochs, "end", {"status": result.status})
            self.store.update_run(self.run_id, status=result.status, summary=summary, epoch=result.epochs,
                                  step=result.steps, error=result.message or None, heartbeat=time.time(), pid=None)


class StoreControl:
    """The trainer's control callable: reads pause/stop/step and learning-rate requests from the run row.

    Called ten to twenty times a second, so a request is taken up at once; it writes only when the
    run's status changes, and the heartbeat at most once every HEARTBEAT_S."""

    def __init__(self, store: Store, run_id: str):
        self.store = store
        self.run_id = run_id
        self._beat = 0.0

    def __call__(self, trainer) -> tuple[str, float | None]:
        row = self.store.db.execute("SELECT control, lr_request, status FROM runs WHERE id=?", (self.run_id,)).fetchone()
        if row is None:   # the run was deleted while training
            return "stop", None
        control, lr, status = row
        now = time.time()
        if control == "step":
            # one step is granted; the request returns to 'pause' so it is not repeated
            self.store.db.execute("UPDATE runs SET control='pause' WHERE id=? AND control='step'", (self.run_id,))
        new_status = {"pause": "paused", "step": "paused"}.get(control, "running")
        if new_status != status and status in ("running", "paused"):
            self.store.db.execute("UPDATE runs SET status=?, heartbeat=?, updated=? WHERE id=?",
                                  (new_status, now, now, self.run_id))
            self._beat = now
        elif now - self._beat >= HEARTBEAT_S:
            self.store.db.execute("UPDATE runs SET heartbeat=? WHERE id=?", (now, self.run_id))
            self._beat = now
        return control, lr
