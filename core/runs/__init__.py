"""Runs: where every run lives (the store), who trains it (the executor and its worker processes), and
how a stored run comes back (its network, predictions, exports, and its place beside other runs).

  Store, Run, StoreError, ACTIVE, SCHEMA,     one workspace's database and checkpoint files: runs,
  new_run_id                                  metrics, frames, events; epoch_checkpoints, latest_checkpoint
                                              and checkpoint_path name a run's saved weights     store.py
                                              the database: its SQLite file (WAL), or PostgreSQL with
                                              GLASSNET_DATABASE_URL                 db.py, db_postgres.py
                                              a SQLite workspace into PostgreSQL (`db copy`)     copying.py
  executor, JobError, recover, pid_alive,     the job interface: submit; pause, step, resume, stop, set_lr;
  keep_standby_worker, warm_up                queue_position; recover, wait, delete; warm_up, shutdown: the
                                              pool of K warm workers (pool.py, pool_worker.py, registry.py)
                                              taking queued runs fair between people (queue.py), or a
                                              worker of its own per run (spawning.py)             executor.py
  load_run, LoadedRun, predict_array,         a stored run's dataset and network at a checkpoint, its
  predictions_frame, export                   predictions, its model written out                  loading.py
  overview, architecture, parameter_count,    run overviews, learning curves, settings side by side,
  validation_curves, best_validation,         download bytes and file names                      compare.py
  spec_table, metrics_csv, export_bytes,
  file_stem, EXPORTS
  Person, PERSONAL, MAX_NAME, class_keys,     who uses the workspace: personal mode's one person, or a
  ClassKeys, join, token_for, person_for,     class's students and teacher; the class code, teacher key
  class_members, JoinError, TokenError        and signed tokens kept in the workspace            people.py
  scoped, ScopedStore, NotYours, owner_of     a person's view of the store: their own runs only (the
                                              teacher's and personal mode's: every run)          scope.py

worker.py is the worker process itself, `python -m core.runs.worker RUN_ID --home DIR [--resume]` or, a
worker of the pool, `python -m core.runs.worker --pool --home DIR`, which the executor starts; nothing imports
it here (it imports the training loop, which writes to this store).
"""
from . import executor
from .compare import (EXPORTS, architecture, best_validation, export_bytes, file_stem, metrics_csv, overview,
                      parameter_count, spec_table, validation_curves)
from .executor import JobError, keep_standby_worker, pid_alive, recover, warm_up
from .loading import LoadedRun, export, load_run, predict_array, predictions_frame
from .people import (MAX_NAME, PERSONAL, ClassKeys, JoinError, Person, TokenError, class_keys, class_members, join,
                     person_for, token_for)
from .scope import NotYours, ScopedStore, owner_of, scoped
from .store import ACTIVE, SCHEMA, Run, Store, StoreError, new_run_id

__all__ = [
    "ACTIVE",
    "EXPORTS",
    "PERSONAL",
    "SCHEMA",
    "ClassKeys",
    "JobError",
    "JoinError",
    "LoadedRun",
    "MAX_NAME",
    "NotYours",
    "Person",
    "Run",
    "ScopedStore",
    "Store",
    "StoreError",
    "TokenError",
    "architecture",
    "best_validation",
    "class_keys",
    "class_members",
    "executor",
    "export",
    "export_bytes",
    "file_stem",
    "join",
    "keep_standby_worker",
    "load_run",
    "metrics_csv",
    "new_run_id",
    "overview",
    "owner_of",
    "parameter_count",
    "person_for",
    "pid_alive",
    "predict_array",
    "predictions_frame",
    "recover",
    "scoped",
    "spec_table",
    "token_for",
    "validation_curves",
    "warm_up",
]
