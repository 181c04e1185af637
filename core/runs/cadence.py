"""When a training run saves its weights, so that a killed worker redoes little.

At every logged epoch, before that epoch's metrics are recorded, a small network's weights are saved as the
run's resume checkpoint whenever saving is cheap: its tensors under CHEAP_BYTES and the last save took at
most SAVE_SHARE of the time since it — so saving never costs more than about a tenth of the training time,
however slow the disk. Whatever the size, a logged epoch 30 s or more after the last save is saved too.
The epochs the run keeps (every `checkpoint_every`, and the last) are saved as epoch checkpoints, at the
logged epoch when they fall on one, else when the training loop asks; past max_epoch_checkpoints the older
ones are thinned to an even spread (retention.py).

Weights first, metrics second: a worker killed between the two leaves a checkpoint newer than the
metrics, which a resume passes over for the one before it, whose metrics are all there; so a resume
redoes at most the steps since the last logged epoch whenever that epoch was saved.
"""
from __future__ import annotations

import time

from .checkpoints import prune_resume_points
from .retention import prune_epoch_points

CHEAP_BYTES = 4 * 1024 * 1024   # weights and optimiser state of a 'small' network
SAVE_SHARE = 0.1                # a save may take at most this share of the time since the one before
MAX_GAP_S = 30.0                # a logged epoch this long after the last save is always saved


def cheap_enough(nbytes: int, last_save_s: float, since_last_s: float) -> bool:
    """Whether a network of `nbytes` is saved at this logged epoch, `since_last_s` after its last save, which
    took `last_save_s` (0 before the first)."""
    if since_last_s >= MAX_GAP_S:
        return True
    return nbytes <= CHEAP_BYTES and last_save_s <= SAVE_SHARE * since_last_s


def state_bytes(trainer) -> int:
    """The size of what a checkpoint holds — the network's tensors and the optimiser's — without copying it."""
    total = sum(t.numel() * t.element_size() for t in trainer.net.state_dict().values())
    for state in trainer.optimizer.state.values():
        total += sum(v.numel() * v.element_size() for v in state.values() if hasattr(v, "numel"))
    return total


class CheckpointCadence:
    """The recorder's checkpoints: at logged epochs (at_logged_epoch) and when the training loop asks
    (at_checkpoint), each taken once."""

    def __init__(self, store, run_id: str):
        self.store, self.run_id = store, run_id
        self.last_save_s = 0.0              # the shorter of the last two saves: a single slow one (the first, with
        self._previous_s = 0.0              # its imports; a disk stall) does not hold back the next
        self.last_save_at = time.perf_counter()
        self.saved: tuple[int, int, str] | None = None      # (epoch, step, kind) of the last save

    def at_logged_epoch(self, trainer, report) -> None:
        """Before the epoch's metrics are recorded: save the weights if the epoch is kept, or cheap to save."""
        if trainer.broken:
            return
        spec = trainer.spec
        if report.epoch % spec.checkpoint_every == 0 or report.epoch >= spec.epochs:
            self._save(trainer, "epoch", report.epoch)
        elif cheap_enough(state_bytes(trainer), self.last_save_s, time.perf_counter() - self.last_save_at):
            self._save(trainer, "resume", report.epoch)

    def at_checkpoint(self, trainer, epoch: int) -> None:
        """The training loop's checkpoint (every `checkpoint_every`, the last, a stop): kept as an epoch
        checkpoint, unless this very one was just saved."""
        if self.saved != (epoch, trainer.step, "epoch"):
            self._save(trainer, "epoch", epoch)
        else:
            self._prune(trainer)              # the epoch's metrics are recorded now: older fallbacks can go

    def _prune(self, trainer) -> None:
        """Remove the checkpoints no longer kept: resume points a newer recorded one replaced, epoch checkpoints
        past max_epoch_checkpoints (retention.py)."""
        prune_resume_points(self.store, self.run_id)
        prune_epoch_points(self.store, self.run_id, trainer.spec.checkpoint_every)

    def _save(self, trainer, kind: str, epoch: int) -> None:
        start = time.perf_counter()
        self.store.save_checkpoint(self.run_id, kind, epoch, trainer.checkpoint_tensors(),
                                   {"epoch": epoch, "step": trainer.step})
        self._prune(trainer)
        self.last_save_at = time.perf_counter()           # what a save costs, removing the older ones included
        took = self.last_save_at - start
        self.last_save_s, self._previous_s = min(took, self._previous_s) if self.saved else 0.0, took
        self.saved = (epoch, trainer.step, kind)
