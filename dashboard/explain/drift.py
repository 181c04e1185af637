"""Drift over training: each column's importance rank at every saved checkpoint, and when the network
began relying on the column it ended relying on most."""
from __future__ import annotations

import streamlit as st

from core.analysis import explain as xp
from core.analysis.explain.stored import load_json
from dashboard import keys
from dashboard.text import md_plain as md

from .charts import PLAIN, bump_chart
from .help import HELP
from .jobs import as_job, pending
from .session import cached, peek

DRIFT_ROWS, DRIFT_BACKGROUND = 200, 50


def drift_sentence(drift: list[dict]) -> str:
    """One sentence on when the network started relying on its (finally) most important column."""
    if not drift:
        return ""
    ranks = xp.ranks_over_time(drift)
    epochs = [d["epoch"] for d in drift]
    top = next(iter(drift[-1]["importance"]))
    r = ranks[top]
    if len(epochs) < 2:
        return f"At epoch {epochs[0]}, the network relied most on **{md(top)}**."
    if all(x == 1 for x in r):
        return (f"The network relied most on **{md(top)}** at every saved checkpoint, "
                f"from epoch {epochs[0]} to epoch {epochs[-1]}.")
    near = 3 if len(ranks) > 4 else 1
    start = next(i for i in range(len(r)) if all(x <= near for x in r[i:]))
    if start == 0:
        return (f"**{md(top)}** was among the most important columns from the first saved checkpoint "
                f"(epoch {epochs[0]}) and ended as the most important one.")
    place = "the top 3" if near == 3 else "the top"
    return (f"The network started relying on **{md(top)}** at epoch {epochs[start]}: it rose from rank "
            f"{r[start - 1]} (epoch {epochs[start - 1]}) into {place}, and ended as the most important column.")


def drift_movers(drift: list[dict]) -> str:
    """A sentence on the columns whose rank changed most between the first and the last checkpoint."""
    if len(drift) < 2:
        return ""
    ranks = xp.ranks_over_time(drift)
    first, last = drift[0]["epoch"], drift[-1]["epoch"]
    change = {c: r[0] - r[-1] for c, r in ranks.items()}          # > 0: moved up
    up = max(change, key=lambda c: change[c])
    down = min(change, key=lambda c: change[c])
    parts = []
    if change[up] >= 2:
        parts.append(f"**{md(up)}** rose the most, from rank {ranks[up][0]} to {ranks[up][-1]}")
    if change[down] <= -2:
        parts.append(f"**{md(down)}** fell the most, from rank {ranks[down][0]} to {ranks[down][-1]}")
    if not parts:
        return f"Between epoch {first} and epoch {last} no column moved more than one place."
    return f"Between epoch {first} and epoch {last}, " + "; ".join(parts) + "."


def show_drift(ex, store) -> None:
    """The drift view: computed on request (it explains every checkpoint), then kept in the session."""
    epochs = sorted({c["epoch"] for c in store.checkpoints(ex.run_id) if c["kind"] == "epoch"})
    st.markdown("Which columns the network relies on can change while it learns. This computes the importance "
                "of every column at each saved checkpoint and ranks them.")
    if len(epochs) < 2:
        st.info(f"This run kept only one checkpoint (epoch {epochs[0] if epochs else '—'}), so there is nothing to "
                "compare. Runs keep a checkpoint every 10 epochs: train one for 30 epochs or more to see the "
                "explanation change.", icon=":material/info:")
        return
    key = (ex.run_id, tuple(epochs))
    drift = peek("drift", key)
    if drift is None:
        drift = _found_or_computed(ex, epochs)
        if drift is None:
            return
        cached("drift", key, lambda: drift)
    ranks = xp.ranks_over_time(drift)
    st.markdown(drift_sentence(drift) + " " + drift_movers(drift))
    st.plotly_chart(bump_chart([d["epoch"] for d in drift], ranks, top=8), width="stretch", config=PLAIN,
                    key=keys.EXPLAIN_DRIFT_CHART)
    st.caption("Each line is one column's importance rank (1 = the column that moves the output most, mean |SHAP| "
               "over every output) at each saved checkpoint; the 8 most important columns at the end are drawn.")


def _found_or_computed(ex, epochs: list[int]) -> list[dict] | None:
    """The explanation at every checkpoint: from the run's cache, or a job of the server's workers (one
    progress step a checkpoint) once the button is pressed; None until it is done."""
    request = {"run": ex.run_id, "checkpoint": ex.checkpoint, "epochs": list(map(int, epochs)), "rows": DRIFT_ROWS,
               "background": DRIFT_BACKGROUND}
    if pending("drift", request) is None:
        try:
            drift = ex.drift(rows=DRIFT_ROWS, background=DRIFT_BACKGROUND, cached_only=True)
        except Exception as e:
            st.error(f"The drift could not be computed: {md(e)}")
            return None
        if drift is not None:
            return drift
    return as_job("drift", request, f"The explanation at {len(epochs)} checkpoints", keys.EXPLAIN_DRIFT, load_json,
                  lambda: _ask(epochs))


def _ask(epochs: list[int]) -> bool:
    """What the drift costs, and the button that starts it."""
    box = st.empty()
    with box.container():
        st.caption(f"{len(epochs)} saved checkpoints (epochs {', '.join(map(str, epochs[:12]))}"
                   f"{'…' if len(epochs) > 12 else ''}); {DRIFT_ROWS} test rows and {DRIFT_BACKGROUND} "
                   "background rows at each, with the automatic method.")
        go = st.button("Compute the explanation at every checkpoint", key=keys.EXPLAIN_DRIFT, type="primary",
                       icon=":material/timeline:", help=HELP["drift"])
    if go:
        box.empty()
    return go
