"""The live view of a run: progress and loss polled fast, the boundary and the network's insides in
fragments of their own, polled slower; drawn once when the run no longer trains.

A fragment re-sends every chart in it each time it runs, so what people watch — the progress and the
loss — polls every POLL_S seconds, and the other charts sit in fragments of their own that poll every
SLOW_POLL_S. Each chart is rebuilt only when its own data changed (else the figure it already has is
sent again: the browser keeps it as is).
"""
from __future__ import annotations

import streamlit as st

from core.runs import executor as jobs
from core.runs import ACTIVE, Run, Store, StoreError
from dashboard import keys
from dashboard.state import dataset_for
from dashboard.text import md_plain as md
from dashboard.widgets import dataset_title

from ..charts import loss_figure, progress_text
from ..resync import ask_resync
from ..settings import steps_per_epoch
from ..summary import resampled_words, trained_rows
from ..wording import HELP
from .boundary import boundary_controls, boundary_view
from .diagnosis import chart_marks, diagnosis_view
from .diagram import DIAGRAM_POLL_S, diagram_view
from .insides import detail_view
from .kept import feed_for, show
from .waiting import show_waiting

POLL_S = 0.5
SLOW_POLL_S = 2.0
WAIT_POLL_S = 1.0          # a run waiting for a worker: only its place in line changes


def poll_every(run: Run, catching_up: bool = False) -> tuple[float | None, float | None]:
    """How often (seconds) the live view and the slower charts poll the run; None: drawn once. A run waiting
    for a worker has nothing to chart yet: the live view alone polls, slowly, for its place in line and its
    start (which reruns the page, and the charts then poll as while it trains). A class pressing Start
    together leaves most runs waiting: their pages cost the server and the browsers little meanwhile."""
    if run.status == "queued" and run.pid is None:
        return WAIT_POLL_S, None
    if run.status in ACTIVE or catching_up:
        return POLL_S, SLOW_POLL_S
    return None, None


def show_run(store: Store, run: Run, dataset, ref: dict) -> None:
    """The live view of a run on the data it trained on (`dataset` when that is the data chosen, `ref`)."""
    try:
        run_dataset = dataset if run.dataset == ref else dataset_for(run.dataset)
    except Exception as e:
        st.error(f"The data this run trained on cannot be loaded any more ({md(e)}), so its charts cannot be drawn.")
        return
    if run.dataset != ref:
        st.caption(f"This run trained on **{dataset_title(run_dataset)}**, not the data chosen now.")
    record = (run.summary or {}).get("resampled")
    if isinstance(record, dict) and isinstance(record.get("before"), dict) and isinstance(record.get("after"), dict):
        how = "oversampled" if record.get("how") == "over" else "undersampled"
        st.caption(f"Trained on {how} rows (validation and test rows as they were) — training rows per class: "
                   f"{resampled_words(record['before'], record['after'])}.")
    show_live(store, run, run_dataset)


def show_live(store: Store, run: Run, dataset) -> None:
    """The live view: progress and loss, the decision boundary (2-D data), the network drawn (or summarised
    layer by layer), the diagnosis, fairness over training (data with groups) and the network's insides; polling while the run is active, drawn once otherwise."""
    catching_up = run.status not in ACTIVE and _behind(store, run)
    fast, slow = poll_every(run, catching_up)
    if dataset.is_2d:
        left, right = st.columns([1, 1.25])
        with right:                            # first: it reads the store for the fragments after it
            st.fragment(live_view, run_every=fast)(store, run.id, dataset, run.status, catching_up)
            loss_controls()
        with left:
            st.fragment(boundary_view, run_every=slow)(run.id, dataset)
            boundary_controls(dataset)
    else:
        st.fragment(live_view, run_every=fast)(store, run.id, dataset, run.status, catching_up)
        loss_controls()
    # the network drawn as it learns: its own fragment, redrawn once a second while the run trains
    st.fragment(diagram_view, run_every=DIAGRAM_POLL_S if slow else None)(run.id, dataset, run.network,
                                                                          slow is not None)
    st.fragment(diagnosis_view, run_every=slow)(run.id, dataset)
    st.fragment(detail_view, run_every=slow)(run.id, dataset)


def loss_controls() -> None:
    """Smoothing and log scale of the loss chart. Outside the polling fragment, so a poll does not send
    them again; a change reruns the page. The choices live in plain session keys too: a widget's own
    state is dropped when the page is left."""
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    smoothing = c2.slider("Smoothing", 0.0, 0.99, value=st.session_state.get(keys.TRAIN_KEPT_SMOOTHING, 0.8),
                          key=keys.TRAIN_SMOOTHING, help=HELP["smoothing"])
    log_y = c1.toggle("Log scale for the loss", value=st.session_state.get(keys.TRAIN_KEPT_LOG_LOSS, False),
                      key=keys.TRAIN_LOG_LOSS, help="Shows small losses late in training more clearly.")
    st.session_state[keys.TRAIN_KEPT_SMOOTHING], st.session_state[keys.TRAIN_KEPT_LOG_LOSS] = smoothing, log_y


def _loss_choices() -> tuple[float, bool]:
    """(smoothing, log scale) as the controls under the chart are set (the widgets come after the chart)."""
    smoothing = st.session_state.get(keys.TRAIN_SMOOTHING, st.session_state.get(keys.TRAIN_KEPT_SMOOTHING, 0.8))
    log_y = st.session_state.get(keys.TRAIN_LOG_LOSS, st.session_state.get(keys.TRAIN_KEPT_LOG_LOSS, False))
    return float(smoothing), bool(log_y)


def _behind(store: Store, run: Run) -> bool:
    """Whether the feed of a run that no longer trains has more to read than one poll reads: the view then
    polls until it has read it all (a page opened on a long run draws it over a few polls)."""
    feed = feed_for(run.id)
    if feed.last_step < 0:
        feed.update(store, run)
    return feed.behind


def live_view(store: Store, run_id: str, dataset, shown_status: str, catching_up: bool = False) -> None:
    """Progress and loss; reads what the run logged since the last poll. When the run's status changed
    it reruns the whole page (which stops the polling when the run ended), and so it does once a run that
    no longer trains has been read to its end (`catching_up`: polling until then)."""
    run = _run_now(store, run_id, shown_status)
    feed = feed_for(run_id)
    feed.update(store, run)
    if catching_up and not feed.behind:
        ask_resync()                          # the settings boxes keep their values over the rerun
        st.rerun()
    train = run.train
    n_train = trained_rows(run, dataset)            # after resampling, when the run resampled
    spe = steps_per_epoch(n_train, train.get("batch_size", 32))

    frac, text = progress_text(run.epoch, int(train.get("epochs", 1)),
                               feed.latest("samples_per_second") if run.status == "running" else None, n_train)
    lr_now = feed.latest("lr")
    if lr_now is not None:
        text += f" · learning rate {lr_now:g}"
    st.progress(frac, text=text)
    show_waiting(store, run)
    if run.status == "paused":
        with st.container(key=keys.TRAIN_PAUSED_BOX):
            st.markdown(paused_text(run, feed.stepped()))
    smoothing, log_y = _loss_choices()

    def loss_fig():
        te, tl = feed.epoch_series("train_loss")
        ve, vl = feed.epoch_series("val_loss")
        return loss_figure(feed.loss_step, feed.loss, train_epochs=te, train_loss=tl, val_epochs=ve,
                           val_loss=vl, steps_per_epoch=spe, smoothing=smoothing,
                           lr_changes=feed.lr_changes(), log_y=log_y, marks=chart_marks(feed, dataset))

    st.markdown("**Loss** — lower is better")
    show(feed, "loss", loss_fig, (feed.last_step, len(feed.events), smoothing, log_y, run.status))


def _run_now(store: Store, run_id: str, shown_status: str) -> Run:
    """The run as the store has it now; reruns the page when it is gone or its status changed."""
    try:
        # a run whose worker died is marked interrupted; one whose worker ignores a Stop past the grace, ended
        run = jobs.check(store, run_id)
    except StoreError:
        st.rerun()
    if run.status != shown_status:
        # the browser can lose the settings widgets' values over a rerun that comes right after the page
        # loaded (it then shows each box's minimum): the page gives them their values again
        ask_resync()
        st.rerun()
    if st.query_params.get("run") != run_id:
        # keep the run in the URL: a rerun racing the URL update can drop it, and a refresh needs it
        st.query_params["run"] = run_id
    return run


def paused_text(run: Run, step: dict | None) -> str:
    """'**Paused at step 1,204** — that step's batch loss 0.4312; the update moved the weights by 0.0123 (0.21 %
    of their size).' when the last thing the run did was a Step, else how to take one."""
    text = f"**Paused at step {run.step:,}**"
    if step is None or step["step"] != run.step or "loss" not in step["detail"]:
        return text + " — press **Step** to train on one more batch and see what it changes."
    d = step["detail"]
    return (text + f" — that step's batch loss **{d['loss']:.4g}**; the update moved the weights by "
            f"{d['update']:.3g} (**{100 * d['relative']:.2g} %** of their size).")
