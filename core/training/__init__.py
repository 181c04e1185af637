"""Training: a network learns from a dataset in one readable loop; whatever watches it (the run store, the
command line's progress, the live fairness audit) hangs off the loop's events.

  Trainer, train, EpochReport, TrainResult  the loop, and what its events carry       loop.py, reports.py
  TrainingError                             a run that cannot start as specified      errors.py
  make_optimizer, make_loss_fn              a TrainSpec's optimiser and loss          optim.py
  resample_dataset, resampled_rows,         a classifier's training rows rebalanced   resample.py
  resampled_size, check_resample            (over- or undersampled), seeded
  available_devices, resolve_device,        where a run trains; its seed              devices.py
  seed_everything
  decode_boundary, boundary_extent,         the decision-boundary grid of 2-D data    frames.py
  boundary_points, BOUNDARY_RESOLUTION
  LiveFairness                              the per-epoch audit across groups and the
                                            in-training mitigations                   fairness.py
  NetworkFrames, NetworkFrame,              the 'network' frame of a small dense net on 2-D data:
  decode_network, diagram_problem,          its weights and each neuron over the plane;
  frame_body                                why a net gets none; its body back            netframes.py
  step_trace                                one optimiser step on a batch: each weight's
                                            gradient and update                          trace.py
  StoreRecorder, StoreControl               the events → the run store; its requests
                                            (pause, step, stop, learning rate) → the loop  recorder.py
  DivergenceWatch, chance_loss, calmer_lr,  when a run has diverged, why and the fix;
  update_size                               how far one step moved the weights        diagnose.py

Which loss 'auto' means is core.model's concrete_loss. A checkpoint holds the weights and the optimiser's
state (checkpoints.py), so a run resumes where it stopped.
"""
from .devices import available_devices, resolve_device, seed_everything
from .diagnose import DivergenceWatch, calmer_lr, chance_loss, update_size
from .errors import TrainingError
from .fairness import LiveFairness
from .frames import BOUNDARY_RESOLUTION, boundary_extent, boundary_points, decode_boundary
from .loop import Trainer, train
from .netframes import NetworkFrame, NetworkFrames, decode_network, diagram_problem, frame_body
from .optim import make_loss_fn, make_optimizer
from .recorder import StoreControl, StoreRecorder
from .reports import EpochReport, TrainResult
from .trace import step_trace
from .resample import check_resample, resample_dataset, resampled_rows, resampled_size

__all__ = [
    "BOUNDARY_RESOLUTION",
    "DivergenceWatch",
    "EpochReport",
    "LiveFairness",
    "NetworkFrame",
    "NetworkFrames",
    "StoreControl",
    "StoreRecorder",
    "TrainResult",
    "Trainer",
    "TrainingError",
    "available_devices",
    "boundary_extent",
    "boundary_points",
    "calmer_lr",
    "chance_loss",
    "check_resample",
    "decode_boundary",
    "decode_network",
    "diagram_problem",
    "frame_body",
    "make_loss_fn",
    "make_optimizer",
    "resample_dataset",
    "resampled_rows",
    "resampled_size",
    "resolve_device",
    "seed_everything",
    "step_trace",
    "train",
    "update_size",
]
