"""The Train page opened on a run with more rows than one poll reads: it draws the run over a few reruns,
a bounded number of rows each, and ends with the whole run drawn (AppTest; a run trained in-process)."""
from __future__ import annotations

import base64
import json

import numpy as np

import dashboard.train.live.feed as feed_module
from core.runs import Store
from tests.helpers_runs import open_page, train_run

PER_READ = 100


def loss_x_max(at) -> float:
    """The last x (in epochs) of the loss chart's per-step trace."""
    for el in at.get("plotly_chart"):
        if el.proto.id and "train.chart.loss" in el.proto.id:
            trace = next(t for t in json.loads(el.proto.spec)["data"] if t.get("name") == "loss per step")
            x = trace["x"]
            if isinstance(x, dict):
                x = np.frombuffer(base64.b64decode(x["bdata"]), dtype=np.dtype(x["dtype"]))
            return float(np.max(x))
    return 0.0


def test_a_long_finished_run_is_read_over_a_few_reruns_and_then_drawn_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(feed_module, "ROWS_PER_READ", PER_READ, raising=False)   # a feed that reads it all fails below
    run_id = train_run(tmp_path, "spiral", epochs=40)            # 9 steps an epoch: 360 step losses
    run = Store(tmp_path).get_run(run_id)
    rows = Store(tmp_path).db.execute("SELECT count(*) FROM metrics WHERE run=?", (run_id,)).fetchone()[0]
    assert rows > 4 * PER_READ
    at = open_page(tmp_path, monkeypatch, "train", run_id)
    feed = at.session_state["_train_feed"]
    seen = [feed.last_step]
    assert 0 < feed.last_step < run.step                         # the first rerun read only part of the run
    while feed.behind or feed.last_step < run.step:
        at.run()
        assert not at.exception, at.exception
        feed = at.session_state["_train_feed"]
        seen.append(feed.last_step)
        assert len(seen) < 10, seen
    assert seen == sorted(seen) and len(seen) >= 3
    db = Store(tmp_path).db
    per_rerun = [db.execute("SELECT count(*) FROM metrics WHERE run=? AND step>? AND step<=?", (run_id, a, b)
                            ).fetchone()[0] for a, b in zip([-1, *seen[:-1]], seen)]
    assert max(per_rerun) <= 2 * PER_READ + 20, per_rerun       # two reads a rerun at most, whole steps each
    assert loss_x_max(at) == np.float32(run.step / 9)             # the chart spans the whole run
