"""Metrics written per second into the run store on PostgreSQL against SQLite, by 8 workers writing at once.

`python -m bench.store_backends [--writers 8] [--repeats 3] [--quick] [--json]`

Each writer is a process of its own, as a pool worker is: it opens the store, makes a run, and then writes
epoch after epoch exactly as a training worker's recorder does (StoreRecorder's epoch write: the run row's
progress, the epoch's step losses and epoch metrics, in one transaction, the run's thinning with them) with
no training in between, so the figure is the store's. The writers start together (a barrier); the figure is
all their metric rows over the time from the first start to the last end. SQLite writes a fresh workspace
file, PostgreSQL a fresh database on a server this benchmark starts in a temporary folder (its default
settings: every commit flushed to disk) and stops after; the two are measured in interleaved repeats and
the ratio is taken repeat by repeat.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from .spread import ratios, spread

STEPS_PER_EPOCH = 35            # a 1,120-row set at batch 32
EPOCH_METRICS = ("train_loss", "val_loss", "train_accuracy", "val_accuracy", "grad_norm", "weight_norm",
                 "lr", "samples_per_second", "dead_units", "unit_spread")


def _writer(home: str, url: str | None, epochs: int, barrier, out) -> None:
    """One worker: its run's epochs written as the recorder writes them; (rows, start, end) put on `out`."""
    if url:
        os.environ["GLASSNET_DATABASE_URL"] = url
    else:
        os.environ.pop("GLASSNET_DATABASE_URL", None)
    from core.runs import Store
    from core.training import StoreRecorder
    with Store(home) as store:
        run_id = store.create_run(name="bench", dataset={}, network={}, train={}, status="running")
        recorder = StoreRecorder(store, run_id)
        barrier.wait()
        start, rows = time.perf_counter(), 0
        for epoch in range(1, epochs + 1):
            report = SimpleNamespace(epoch=epoch, step=epoch * STEPS_PER_EPOCH, frames={}, events=[],
                                     step_losses=[1.0 / (epoch + i) for i in range(STEPS_PER_EPOCH)],
                                     metrics={name: 0.5 / epoch for name in EPOCH_METRICS})
            recorder._write(None, report)
            rows += STEPS_PER_EPOCH + len(EPOCH_METRICS)
        out.put((rows, start, time.perf_counter()))


def metrics_per_second(home: Path, url: str | None, writers: int, epochs: int) -> float:
    """All the writers' metric rows over the wall time from the first writer's start to the last one's end."""
    import core.training  # noqa: F401  (imported once here: the writers are forked with it)
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(writers), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(str(home), url, epochs, barrier, out)) for _ in range(writers)]
    for p in procs:
        p.start()
    results = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        if p.exitcode != 0:
            raise RuntimeError(f"a writer ended with exit code {p.exitcode}")
    rows = sum(r for r, _, _ in results)
    return rows / (max(e for _, _, e in results) - min(s for _, s, _ in results))


def figures(quick: bool = False, writers: int = 8, repeats: int | None = None) -> dict:
    """{"store_postgres_vs_sqlite": spread of PostgreSQL's metrics/s ÷ SQLite's, "store_metrics_per_s":
    {backend: spread}, "store_writers", "store_epochs"}; {"store_unavailable": why} without PostgreSQL."""
    from .postgres import PostgresMissing, PostgresServer
    repeats = repeats or (1 if quick else 3)
    epochs = 10 if quick else 60
    try:
        server = PostgresServer().start()
    except PostgresMissing as e:
        return {"store_unavailable": str(e)}
    sqlite, postgres = [], []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for r in range(repeats):
                sqlite.append(metrics_per_second(Path(tmp) / f"sqlite-{r}", None, writers, epochs))
                url = server.new_database()
                postgres.append(metrics_per_second(Path(tmp) / f"postgres-{r}", url, writers, epochs))
                server.drop_database(url)
    finally:
        server.stop()
    return {"store_postgres_vs_sqlite": spread(ratios(postgres, sqlite)),
            "store_metrics_per_s": {"sqlite": spread(sqlite, 0), "postgres": spread(postgres, 0)},
            "store_writers": writers, "store_epochs": epochs}


def describe(result: dict) -> str:
    if "store_unavailable" in result:
        return f"run store on PostgreSQL: not measured ({result['store_unavailable']})"
    s, m = result["store_postgres_vs_sqlite"], result["store_metrics_per_s"]
    return (f"metrics/s by {result['store_writers']} writers at once, PostgreSQL ÷ SQLite {s['median']:g} "
            f"({s['min']:g}–{s['max']:g}, {s['repeats']} repeats): {m['postgres']['median']:,.0f}/s against "
            f"{m['sqlite']['median']:,.0f}/s")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.store_backends", description=__doc__.splitlines()[0])
    p.add_argument("--writers", type=int, default=8)
    p.add_argument("--repeats", type=int, help="repeats of each figure (default 3; 1 with --quick)")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--json", action="store_true")
    a = p.parse_args(argv)
    result = figures(a.quick, a.writers, a.repeats)
    print(json.dumps(result) if a.json else describe(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
