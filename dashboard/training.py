"""The Train page's pieces: the settings panel, the run controls and the live charts.

The page script (pages/train.py) calls these top to bottom. Training itself runs in a
worker process (core.jobs); everything here only writes requests to the run store and
reads what the worker logged, so nothing waits on training.
"""
from __future__ import annotations

import gc
import math
import re
import time

import streamlit as st

from core import jobs
from core.spec import CLASS_WEIGHTS, FAIRNESS_PENALTIES, OPTIMIZERS, NetworkSpec, SpecError, TrainSpec
from core.store import ACTIVE, Run, Store, StoreError
from dashboard.charts import train as charts
from dashboard.live import LiveFeed
from dashboard.number_boxes import BOXES, LIVE_LR, box_problem, box_problems
from dashboard.text import md_plain as md
from dashboard.widgets import dataset_title

SETTINGS = ("optimizer", "lr", "momentum", "nesterov", "batch_size", "epochs", "loss", "l1", "l2",
            "class_weights", "grad_clip", "early_stopping", "seed", "device",
            "sensitive", "reweigh", "fairness_penalty", "fairness_lambda")
FAIRNESS_SETTINGS = {"sensitive": "", "reweigh": False, "fairness_penalty": "none"}   # off, for data without groups
FLOATS = ("lr", "momentum", "l1", "l2", "grad_clip", "fairness_lambda")
INTS = ("batch_size", "epochs", "early_stopping", "seed")

OPTIMIZER_LABELS = {"sgd": "SGD (plain gradient descent)", "momentum": "SGD with momentum", "adagrad": "Adagrad",
                    "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW"}
LOSS_LABELS = {"auto": "auto (picked for the task)", "cross_entropy": "cross-entropy",
               "bce": "binary cross-entropy", "mse": "mean squared error", "mae": "mean absolute error",
               "huber": "Huber"}
PENALTY_LABELS = {"none": "none", "demographic_parity": "demographic parity (same share predicted favourable)",
                  "equalized_odds": "equalized odds (same error rates)"}
FIELD_LABELS = {"optimizer": "Optimiser", "lr": "Learning rate", "momentum": "Momentum", "nesterov": "Nesterov",
                "loss": "Loss", "l1": "L1 penalty", "l2": "L2 penalty", "class_weights": "Class weights",
                "batch_size": "Batch size", "epochs": "Epochs", "grad_clip": "Gradient clipping",
                "early_stopping": "Early stopping", "seed": "Seed", "device": "Device",
                "sensitive": "Sensitive column", "reweigh": "Reweighing", "fairness_penalty": "Fairness penalty",
                "fairness_lambda": "Penalty weight λ"}
HELP = {
    "optimizer": "How the weights are nudged after each batch. Adam adapts the step size of every weight and "
                 "is a safe first choice; plain SGD takes the same small step everywhere, which is easiest to "
                 "understand; momentum keeps some of the previous step, like a ball rolling downhill.",
    "lr": "The size of each step the optimiser takes downhill on the loss. Too small: learning crawls. "
          "Too large: the loss jumps around or explodes. Try 0.01 with Adam, 0.1 with SGD. You can change it "
          "while the network trains.",
    "momentum": "How much of the previous step is kept (0 = none, 0.9 = a lot). It smooths the path and "
                "speeds up travel along long, gentle valleys.",
    "nesterov": "Looks ahead along the momentum before measuring the slope; often a little steadier.",
    "batch_size": "How many examples the network looks at before each weight update. Small batches give "
                  "noisy but frequent steps; large batches give smooth but fewer steps per epoch.",
    "epochs": "How many times the network sees the whole training set.",
    "loss": "What the network is punished for. 'auto' picks cross-entropy for classes and mean squared "
            "error for numbers.",
    "l1": "Adds the sum of the weights' sizes to the loss, pushing unneeded weights to exactly zero. "
          "0 = off; try 0.0001.",
    "l2": "Adds the weights' squares to the loss (weight decay), keeping all weights small so the "
          "decision boundary stays smooth. 0 = off; try 0.001.",
    "class_weights": "'balanced' makes mistakes on rare classes count more, so the network cannot ignore them.",
    "grad_clip": "Caps how large a single update can be (the gradient's norm). Rescues training when the "
                 "loss suddenly explodes. 0 = off; try 1.",
    "early_stopping": "Stop when the validation loss has not improved for this many epochs, before the "
                      "network starts memorising the training set. 0 = off.",
    "seed": "Fixes the random start (initial weights, batch order). The same seed gives the same run again.",
    "device": "Where the maths runs. 'auto' uses a GPU when one was found, else the CPU. Small networks "
              "train about as fast on a CPU.",
    "smoothing": "Averages the noisy per-step loss over recent steps so the trend is easier to see. "
                 "0 = raw values.",
    "live_lr": "Change the learning rate while the network trains; the change is marked on the loss curve.",
    "sensitive": "The column describing a person (e.g. sex) whose groups are compared after each evaluated "
                 "epoch; reweighing and the penalty act on these groups.",
    "reweigh": "Reweighing gives rows weights so that every group has the same share of each label: rows of "
               "a group that rarely got the favourable label count more where they did, so the network cannot "
               "learn the old imbalance from the labels alone.",
    "fairness_penalty": "The penalty adds λ × the gap in average predicted probability between groups to the "
                        "loss: higher λ, fairer, usually less accurate. Demographic parity compares all rows of "
                        "each group; equalized odds compares rows with the same true label (error rates).",
    "fairness_lambda": "λ: how much the gap between groups counts against the loss. 0 = not at all, 1 = a good "
                       "start; higher λ, fairer, usually less accurate.",
    "fair_gaps": "How differently the network treats the groups, measured on the validation rows after each "
                 "evaluated epoch: the largest difference between any two groups. 0 = every group alike. "
                 "Demographic parity compares the share predicted favourable (e.g. approved); equal "
                 "opportunity the share of truly favourable rows found; equalized odds also the false alarms.",
    "fair_metric": "Which number to compare across the groups, epoch by epoch: how often the network is right "
                   "for each group, how often it predicts the favourable outcome, or each group's loss.",
    "fair_tradeoff": "Each point is one evaluated epoch: how accurate the network was (across) against the "
                     "demographic parity gap (up). Training usually moves right; a fairness penalty pulls the "
                     "path down. The star is the latest epoch.",
}


# ----------------------------------------------------------------- devices, losses
_heap_frozen = False


def freeze_heap() -> None:
    """Once per server process, after torch is imported: collect, then move every object alive into
    the garbage collector's permanent generation. Torch's hundreds of thousands of objects are then
    no longer walked by each full collection (~200 ms → ~50 ms each, and a polling tab triggers
    them every few seconds)."""
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.collect()
        gc.freeze()


@st.cache_resource(show_spinner=False)
def available_devices() -> list[str]:
    from core.training import available_devices as found   # imports torch: only when the page needs it
    freeze_heap()
    return found()


def loss_options(dataset) -> list[str]:
    if dataset.task == "regression":
        return ["auto", "mse", "mae", "huber"]
    return ["auto", "cross_entropy"] + (["bce"] if dataset.n_classes == 2 else [])


def steps_per_epoch(n_train: int, batch_size: int) -> int:
    return max(1, math.ceil(n_train / max(1, int(batch_size))))


# ----------------------------------------------------------------- summaries
def dataset_line(ds) -> str:
    rows = f"{len(ds.X_train):,} training / {len(ds.X_val):,} validation / {len(ds.X_test):,} test rows"
    if ds.task == "classification":
        names = ", ".join(ds.class_names[:6]) + ("…" if ds.n_classes > 6 else "")
        what = f"{ds.n_classes} classes ({names})"
    else:
        what = f"predicts a number ({ds.target})"
    return f"**{dataset_title(ds)}** — {ds.n_features} inputs, {md(what)}; {rows}"


def network_line(network: dict, ds) -> tuple[str, str | None]:
    """('2 inputs → dense 8 relu → … → 2 outputs · 106 parameters', error or None)."""
    try:
        spec = NetworkSpec.from_dict(network)
        from core.model import output_units, parameter_table
        n_out = output_units(ds.task, ds.n_classes, "auto")
        _, params = parameter_table(spec, ds.n_features, n_out, ds.image_shape)
    except (SpecError, ValueError, TypeError) as e:
        return "", f"The network does not fit this data: {e}. Fix it on the Build page."
    hidden = [layer.describe() for layer in spec.layers] or ["no hidden layer (a linear model)"]
    outs = "1 output" if n_out == 1 else f"{n_out} outputs"
    return f"{ds.n_features} inputs → " + " → ".join(hidden) + f" → {outs} · **{params:,} parameters**", None


def run_name(ds, network: dict, train: dict) -> str:
    try:
        hidden = "-".join(str(l.get("units", l.get("type"))) for l in network.get("layers", []))
    except AttributeError:
        hidden = "?"
    return f"{ds.name} [{hidden or 'linear'}] {train['optimizer']} lr={train['lr']:g}"


# ----------------------------------------------------------------- settings
def _coerce(field: str, value, default):
    try:
        if field in FLOATS:
            return float(value)
        if field in INTS:
            return int(value)
        if field in ("nesterov", "reweigh"):
            return bool(value)
        return value
    except (TypeError, ValueError):
        return default


def _resync(part: str) -> bool:
    """Whether a part of the page ('settings', 'controls') must give its widgets their values again, as the
    live view asks before it reruns the page; True once per request."""
    parts = st.session_state.get("_train_resync")
    if isinstance(parts, set) and part in parts:
        parts.discard(part)
        return True
    return False


def _sync_widgets(train: dict) -> None:
    """Give each settings widget its value from the session's training spec.

    Widgets lose their state when the person visits another page; the spec (a plain dict) does not.
    When another page (a preset, say) changed the spec, or the live view reran the page by itself,
    the widgets are given the spec's values again.
    """
    defaults = TrainSpec().to_dict()
    changed_elsewhere = _resync("settings") or st.session_state.get("_train_synced") != train
    for f in SETTINGS:
        key = f"train.{f}"
        if key not in st.session_state or changed_elsewhere:
            st.session_state[key] = _coerce(f, train.get(f, defaults[f]), defaults[f])


def settings_panel(dataset) -> tuple[dict, list[str]]:
    """The training settings, bound to st.session_state['train']; returns (spec dict, problems)."""
    train = st.session_state.get("train")
    if not isinstance(train, dict):
        train = TrainSpec().to_dict()
    train = {**TrainSpec().to_dict(), **train}
    notes = []
    losses = loss_options(dataset)
    if train.get("loss") not in losses:
        notes.append(f"The loss {train.get('loss')!r} does not fit this dataset ({dataset.task}); "
                     "it was set back to auto.")
        train["loss"] = "auto"
        st.session_state.pop("train.loss", None)
    devices = ["auto"] + available_devices()
    _sync_widgets(train)
    if st.session_state.get("train.device") not in devices:
        devices.append(st.session_state["train.device"])
    if st.session_state.get("train.optimizer") not in OPTIMIZERS:
        st.session_state["train.optimizer"] = "adam"
    groups = has_groups(dataset)
    if groups and st.session_state.get("train.sensitive") not in dataset.sensitive:
        st.session_state["train.sensitive"] = dataset.sensitive[0]      # '' = the data's first sensitive column
    if st.session_state.get("train.fairness_penalty") not in FAIRNESS_PENALTIES:
        st.session_state["train.fairness_penalty"] = "none"

    st.selectbox("Optimiser", OPTIMIZERS, key="train.optimizer", format_func=OPTIMIZER_LABELS.get,
                 help=HELP["optimizer"])
    if st.session_state["train.optimizer"] == "momentum":
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        c1.number_input("Momentum", step=0.05, key="train.momentum", help=HELP["momentum"])
        c2.checkbox("Nesterov", key="train.nesterov", help=HELP["nesterov"])
    st.number_input("Learning rate", step=0.001, format="%.4g", key="train.lr", help=HELP["lr"])
    c1, c2 = st.columns(2)
    c1.number_input("Batch size", step=1, key="train.batch_size", help=HELP["batch_size"])
    c2.number_input("Epochs", step=10, key="train.epochs", help=HELP["epochs"])
    if not box_problems({f: st.session_state[f"train.{f}"] for f in ("batch_size", "epochs")}):
        spe = steps_per_epoch(len(dataset.X_train), st.session_state["train.batch_size"])
        st.caption(f"{spe:,} weight update{'s' if spe != 1 else ''} per epoch, "
                   f"{spe * st.session_state['train.epochs']:,} in all.")
    with st.expander("Loss and regularisation"):
        st.selectbox("Loss", losses, key="train.loss", format_func=LOSS_LABELS.get, help=HELP["loss"])
        c1, c2 = st.columns(2)
        c1.number_input("L1 penalty", step=0.0001, format="%.4g", key="train.l1", help=HELP["l1"])
        c2.number_input("L2 penalty", step=0.0001, format="%.4g", key="train.l2", help=HELP["l2"])
        if dataset.task == "classification":
            st.selectbox("Class weights", CLASS_WEIGHTS, key="train.class_weights", help=HELP["class_weights"])
        st.number_input("Gradient clipping (max norm)", step=0.5, format="%.3g", key="train.grad_clip",
                        help=HELP["grad_clip"])
    if groups:
        with st.expander("Fairness"):
            st.selectbox("Sensitive column", dataset.sensitive, key="train.sensitive", help=HELP["sensitive"])
            st.checkbox("Reweigh the training rows", key="train.reweigh", help=HELP["reweigh"])
            st.selectbox("Fairness penalty", FAIRNESS_PENALTIES, key="train.fairness_penalty",
                         format_func=PENALTY_LABELS.get, help=HELP["fairness_penalty"])
            st.number_input("Penalty weight λ", step=0.5, format="%.3g", key="train.fairness_lambda",
                            help=HELP["fairness_lambda"],
                            disabled=st.session_state["train.fairness_penalty"] == "none")
            st.caption("The gaps between the groups are measured after each evaluated epoch and drawn under "
                       "the loss, with or without these.")
    with st.expander("Stopping, seed and device"):
        st.number_input("Early stopping patience (epochs)", step=5, key="train.early_stopping",
                        help=HELP["early_stopping"])
        st.number_input("Seed", step=1, key="train.seed", help=HELP["seed"])
        st.selectbox("Device", devices, key="train.device", help=HELP["device"])
        found = [d for d in available_devices() if d != "cpu"]
        st.caption("Accelerators found: " + (", ".join(d.upper() for d in found) if found else
                                             "none — training runs on the CPU."))

    new = {**train, **{f: st.session_state[f"train.{f}"] for f in SETTINGS}}
    new = _unused_boxes_valid(new, groups)
    st.session_state["train"] = new
    st.session_state["_train_synced"] = dict(new)
    for note in notes:
        st.warning(note)
    spec = new if groups else {**new, **FAIRNESS_SETTINGS}    # mitigations need groups: off for other data
    return spec, check_settings(spec, dataset)


def _unused_boxes_valid(train: dict, groups: bool) -> dict:
    """A box the settings do not use (momentum without the momentum optimiser, the penalty weight without a
    penalty) cannot stop a run: a value it was left at outside its range goes back to the default."""
    unused = set()
    if train.get("optimizer") != "momentum":
        unused.add("momentum")
    if not groups or train.get("fairness_penalty") == "none":
        unused.add("fairness_lambda")
    defaults = TrainSpec().to_dict()
    return {**train, **{f: defaults[f] for f in unused if box_problem(BOXES[f], train.get(f)) is not None}}


def has_groups(dataset) -> bool:
    """Whether fairness can be measured (and mitigated) while training: classes and a sensitive column."""
    return dataset.task == "classification" and bool(getattr(dataset, "sensitive", None))


def adopt_run_settings(run: Run, dataset_for) -> bool:
    """A new session (a browser reload) that opens a run by its URL takes that run's network, training
    settings and — when it still loads (dataset_for(ref) does not raise) — data, so the page shows what
    the run was trained with and Start trains the same again. What the session already has is kept.
    True when anything was taken."""
    taken = False
    if not isinstance(st.session_state.get("network"), dict) and isinstance(run.network, dict):
        st.session_state["network"] = dict(run.network)
        taken = True
    if not isinstance(st.session_state.get("train"), dict) and isinstance(run.train, dict):
        st.session_state["train"] = {**TrainSpec().to_dict(), **run.train}
        taken = True
    if not isinstance(st.session_state.get("dataset_ref"), dict) and isinstance(run.dataset, dict):
        try:
            dataset_for(run.dataset)
        except Exception:             # noqa: BLE001 — e.g. a deleted upload: keep the default data
            return taken
        st.session_state["dataset_ref"] = dict(run.dataset)
        taken = True
    return taken


def _friendly(message: str) -> str:
    """'lr: the learning rate must…' → '**Learning rate**: the learning rate must…'."""
    head, sep, rest = message.partition(":")
    field = head.split()[0] if head else ""
    if sep and field in FIELD_LABELS:
        return f"**{FIELD_LABELS[field]}**:{rest}"
    for f, label in FIELD_LABELS.items():
        if message.startswith(f + " "):
            return f"**{label}**{message[len(f):]}"
    return message


def check_settings(train: dict, dataset) -> list[str]:
    """Problems that would stop a run from starting, each naming the setting and the fix."""
    boxes = box_problems(train)
    if boxes:
        return boxes
    try:
        spec = TrainSpec.from_dict(train)
    except (SpecError, TypeError) as e:
        return [_friendly(str(e))]
    problems = []
    from core.model import concrete_loss, output_units
    try:
        output_units(dataset.task, dataset.n_classes, concrete_loss(spec.loss, dataset.task))
    except SpecError as e:
        problems.append(_friendly(str(e)))
    if spec.device != "auto" and spec.device not in available_devices():
        problems.append(f"**Device**: {spec.device} is not available on this machine (found: "
                        f"{', '.join(available_devices())}); choose auto or cpu.")
    if spec.batch_size > len(dataset.X_train):
        problems.append(f"**Batch size**: {spec.batch_size:,} is more than the {len(dataset.X_train):,} training "
                        f"rows, so every step uses the whole set; lower it to {min(32, len(dataset.X_train))} "
                        "for more, smaller steps.")
    return problems


# ----------------------------------------------------------------- runs
def start_run(store: Store, dataset_ref: dict, dataset, network: dict, train: dict) -> str:
    """Validate and submit a run; returns its id (raises SpecError with a readable message)."""
    run_id = jobs.submit(store, dataset=dataset_ref, network=NetworkSpec.from_dict(network),
                         train=TrainSpec.from_dict(train), name=run_name(dataset, network, train))
    return run_id


STATUS_BADGE = {"queued": ("starting", "gray", ":material/hourglass_top:"),
                "running": ("training", "blue", ":material/play_arrow:"),
                "paused": ("paused", "orange", ":material/pause:"),
                "finished": ("finished", "green", ":material/check_circle:"),
                "stopped": ("stopped", "gray", ":material/stop:"),
                "diverged": ("diverged", "red", ":material/warning:"),
                "failed": ("failed", "red", ":material/error:"),
                "interrupted": ("interrupted", "orange", ":material/report:")}


# a request the worker has not taken up yet: what the badge says meanwhile
PENDING_BADGE = {"pause": ("pausing…", "orange", ":material/hourglass_top:"),
                 "stop": ("stopping…", "gray", ":material/hourglass_top:"),
                 "run": ("resuming…", "blue", ":material/hourglass_top:")}
CONFIRM_WAIT_S = 1.0     # how long a control's click waits for the worker to confirm before the page redraws


def badge_for(run: Run) -> tuple[str, str, str | None]:
    """(label, colour, icon) of a run's status badge: its status, or the request on its way to the worker."""
    pending = {("running", "pause"): "pause", ("queued", "pause"): "pause", ("paused", "run"): "run"}.get(
        (run.status, run.control))
    if run.control == "stop" and run.status in ACTIVE:
        pending = "stop"
    if pending:
        return PENDING_BADGE[pending]
    return STATUS_BADGE.get(run.status, (run.status, "gray", None))


def status_badge(run: Run) -> None:
    """The run's status as a badge, in a container of its own (class st-key-train-status) whose text
    changes the moment a Pause, Resume or Stop takes effect."""
    label, color, icon = badge_for(run)
    with st.container(key="train-status"):
        st.badge(label, color=color, icon=icon)


def _act(action, store: Store, run_id: str, *args) -> None:
    """A control button's callback: send the request and wait a moment for the worker to take it up, so
    the page redraws the run in its new state; keep any refusal to show it on the page."""
    try:
        action(store, run_id, *args, wait=CONFIRM_WAIT_S)
    except (jobs.JobError, SpecError, StoreError) as e:
        st.session_state["_train_message"] = str(e)


def controls(store: Store, run: Run) -> None:
    """Pause / Resume / Step / Stop and the live learning-rate box for an active run."""
    pausing = run.control in ("pause", "step")
    stopping = run.control == "stop"
    n = 3 if pausing else 2
    cols = st.columns([1.1] * n + [1.4, 1.6], vertical_alignment="bottom")
    if pausing:
        cols[0].button("Resume", icon=":material/play_arrow:", type="primary", key="train.resume",
                       on_click=_act, args=(jobs.resume, store, run.id), disabled=stopping,
                       help="Carry on training from where it paused.", width="stretch")
        cols[1].button("Step", icon=":material/skip_next:", key="train.step", on_click=_act,
                       args=(jobs.step, store, run.id), disabled=stopping or run.status != "paused",
                       help="Train on one more batch, then pause again: watch a single update.", width="stretch")
    else:
        cols[0].button("Pause", icon=":material/pause:", key="train.pause", on_click=_act,
                       args=(jobs.pause, store, run.id), disabled=stopping,
                       help="Hold training where it is; then step one batch at a time or resume.", width="stretch")
    cols[n - 1].button("Stopping…" if stopping else "Stop", icon=":material/stop:", key="train.stop", on_click=_act,
                       args=(jobs.stop, store, run.id), disabled=stopping,
                       help="End this run now; its last checkpoint is kept.", width="stretch")
    key = f"train.live_lr.{run.id}"
    if key not in st.session_state or _resync("controls"):
        st.session_state[key] = float(st.session_state.get(key) or run.lr_request or run.train.get("lr", 0.01))
    cols[n].number_input("Learning rate (live)", step=0.001, format="%.4g", key=key, help=HELP["live_lr"])
    cols[n + 1].button("Change learning rate", key="train.set_lr", on_click=_set_lr, args=(store, run.id, key),
                       disabled=stopping, width="stretch")


def _set_lr(store: Store, run_id: str, key: str) -> None:
    """The live learning-rate box's button: a value outside what the box takes is refused with words."""
    value = st.session_state[key]
    problem = box_problem(LIVE_LR, value)
    if problem:
        st.session_state["_train_message"] = problem
        return
    try:
        jobs.set_lr(store, run_id, float(value))
    except (SpecError, StoreError) as e:
        st.session_state["_train_message"] = str(e)
    else:
        st.session_state["_train_toast"] = f"Learning rate set to {value:g}"


def run_outcome(store: Store, run: Run, dataset) -> None:
    """What a run that is no longer training ended with, and what to do next."""
    s = run.summary
    if run.status == "finished":
        score = ""
        if "test_accuracy" in s:
            score = f" Test accuracy **{s['test_accuracy']:.1%}**."
        elif "test_r2" in s:
            score = f" Test R² **{s['test_r2']:.3f}**."
        note = f" ({run.error})" if run.error else ""
        st.success(f"Finished {run.epoch:,} epochs in {charts.format_seconds(s.get('seconds', 0))}{note}.{score} "
                   "Next: judge it on the Evaluate page, or change a setting and train again to compare.")
    elif run.status == "stopped":
        st.info(f"Stopped at epoch {run.epoch:,} of {run.train.get('epochs', '?'):,}. "
                "Its last checkpoint is kept; continue it or start a new run.")
        if run.epoch < int(run.train.get("epochs", 0)):
            st.button("Continue this run", icon=":material/play_arrow:", key="train.continue", on_click=_act,
                      args=(jobs.resume, store, run.id), help="Continue from the last checkpoint.")
    elif run.status == "interrupted":
        st.warning(f"This run was interrupted at epoch {run.epoch:,}: {interruption_reason(run.error)}. "
                   + resume_point(store, run.id))
        st.button("Resume", icon=":material/play_arrow:", type="primary", key="train.resume_interrupted",
                  on_click=_act, args=(jobs.resume, store, run.id))
    elif run.status == "diverged":
        st.error("**Training diverged**: " + (run.error or "the loss became NaN or infinite. Lower the learning "
                                               "rate or turn on gradient clipping, then train again."),
                 icon=":material/warning:")
    elif run.status == "failed":
        st.error(f"Training failed: {run.error or 'the worker stopped with an error'}. Check the data, network "
                 "and settings, then press Start again; the worker log is in "
                 f"`{store.run_dir(run.id) / 'worker.log'}`.", icon=":material/error:")


def interruption_reason(error: str | None) -> str:
    """Why a run was interrupted, without the advice to resume it (the page gives that once, itself)."""
    reason = re.split(r"[;.,]\s*(?:you can\s+)?resume\b", error or "", maxsplit=1, flags=re.IGNORECASE)[0]
    return reason.strip().rstrip(".;, ") or "its worker stopped"


def resume_point(store: Store, run_id: str) -> str:
    """'Resume continues from its last checkpoint (epoch 40).' — or that it starts over when none was kept."""
    saved = [c["epoch"] for c in store.checkpoints(run_id) if c["kind"] == "epoch"]
    if not saved:
        return "No checkpoint was kept yet, so Resume starts it again from the beginning."
    return f"Resume continues from its last checkpoint (epoch {max(saved):,})."


def other_active_runs(store: Store, current: str | None) -> list[Run]:
    return [r for r in store.list_runs() if r.status in ACTIVE and r.id != current]


# ----------------------------------------------------------------- live view
# While a run is active the live view polls in fragments. A fragment re-sends every chart in it each
# time it runs, so what people watch — the progress and the loss — polls every POLL_S seconds, and the
# other charts sit in fragments of their own that poll every SLOW_POLL_S. Each chart is rebuilt only
# when its own data changed (else the figure it already has is sent again: the browser keeps it as is).
POLL_S = 0.5
SLOW_POLL_S = 2.0


def feed_for(run_id: str) -> LiveFeed:
    """This session's feed of a run (one at a time: switching runs starts a fresh feed)."""
    feed = st.session_state.get("_train_feed")
    if not isinstance(feed, LiveFeed) or feed.run_id != run_id:
        feed = LiveFeed(run_id)
        st.session_state["_train_feed"] = feed
    return feed


def show_live(store: Store, run: Run, dataset) -> None:
    """The live view: progress and loss, the decision boundary (2-D data), fairness over training
    (data with groups) and the network's insides; polling while the run is active, drawn once otherwise."""
    active = run.status in ACTIVE
    fast, slow = (POLL_S, SLOW_POLL_S) if active else (None, None)
    if dataset.is_2d:
        left, right = st.columns([1, 1.25])
        with right:                            # first: it reads the store for the fragments after it
            st.fragment(live_view, run_every=fast)(store, run.id, dataset, run.status)
            loss_controls()
        with left:
            st.fragment(boundary_view, run_every=slow)(run.id, dataset)
            boundary_controls(dataset)
    else:
        st.fragment(live_view, run_every=fast)(store, run.id, dataset, run.status)
        loss_controls()
    st.fragment(detail_view, run_every=slow)(run.id, dataset)


def loss_controls() -> None:
    """Smoothing and log scale of the loss chart. Outside the polling fragment, so a poll does not send
    them again; a change reruns the page. The choices live in plain session keys too: a widget's own
    state is dropped when the page is left."""
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    smoothing = c2.slider("Smoothing", 0.0, 0.99, value=st.session_state.get("_train_smoothing", 0.8),
                          key="train.smoothing", help=HELP["smoothing"])
    log_y = c1.toggle("Log scale for the loss", value=st.session_state.get("_train_log_loss", False),
                      key="train.log_loss", help="Shows small losses late in training more clearly.")
    st.session_state["_train_smoothing"], st.session_state["_train_log_loss"] = smoothing, log_y


def _loss_choices() -> tuple[float, bool]:
    """(smoothing, log scale) as the controls under the chart are set (the widgets come after the chart)."""
    smoothing = st.session_state.get("train.smoothing", st.session_state.get("_train_smoothing", 0.8))
    log_y = st.session_state.get("train.log_loss", st.session_state.get("_train_log_loss", False))
    return float(smoothing), bool(log_y)


def live_view(store: Store, run_id: str, dataset, shown_status: str) -> None:
    """Progress and loss; reads what the run logged since the last poll. When the run's status changed
    it reruns the whole page (which stops the polling when the run ended)."""
    t0 = time.perf_counter()
    try:
        run = store.get_run(run_id)
    except StoreError:
        st.rerun()
    if run.status in ACTIVE and run.pid and not jobs.pid_alive(run.pid):
        jobs.recover(store)                   # its worker died: mark the run interrupted
        run = store.get_run(run_id)
    if run.status != shown_status:
        # the browser can lose the settings widgets' values over a rerun that comes right after the page
        # loaded (it then shows each box's minimum): the page gives them their values again
        st.session_state["_train_resync"] = {"settings", "controls"}
        st.rerun()
    if st.query_params.get("run") != run_id:
        # keep the run in the URL: a rerun racing the URL update can drop it, and a refresh needs it
        st.query_params["run"] = run_id
    feed = feed_for(run_id)
    feed.update(store, run)
    train = run.train
    n_train = len(dataset.X_train)
    spe = steps_per_epoch(n_train, train.get("batch_size", 32))

    frac, text = charts.progress_text(run.epoch, int(train.get("epochs", 1)),
                                      feed.latest("samples_per_second") if run.status == "running" else None,
                                      n_train)
    lr_now = feed.latest("lr")
    if lr_now is not None:
        text += f" · learning rate {lr_now:g}"
    st.progress(frac, text=text)
    if run.status == "paused":
        with st.container(key="train-paused"):
            st.markdown(paused_text(run, feed.stepped()))
    smoothing, log_y = _loss_choices()

    def loss_fig():
        te, tl = feed.epoch_series("train_loss")
        ve, vl = feed.epoch_series("val_loss")
        return charts.loss_figure(feed.loss_step, feed.loss, train_epochs=te, train_loss=tl, val_epochs=ve,
                                  val_loss=vl, steps_per_epoch=spe, smoothing=smoothing,
                                  lr_changes=feed.lr_changes(), log_y=log_y)

    st.markdown("**Loss** — lower is better")
    _show(feed, "loss", loss_fig, (feed.last_step, len(feed.events), smoothing, log_y))
    st.session_state["_train_tick_ms"] = (time.perf_counter() - t0) * 1000


def paused_text(run: Run, step: dict | None) -> str:
    """'**Paused at step 1,204** — that step's batch loss 0.4312; the update moved the weights by 0.0123 (0.21 %
    of their size).' when the last thing the run did was a Step, else how to take one."""
    text = f"**Paused at step {run.step:,}**"
    if step is None or step["step"] != run.step or "loss" not in step["detail"]:
        return text + " — press **Step** to train on one more batch and see what it changes."
    d = step["detail"]
    return (text + f" — that step's batch loss **{d['loss']:.4g}**; the update moved the weights by "
            f"{d['update']:.3g} (**{100 * d['relative']:.2g} %** of their size).")


def boundary_controls(dataset) -> None:
    """For 2-D data with a sensitive column: colour the boundary view's points by group. Outside the
    polling fragment, like the loss controls; the choice also lives in a plain session key."""
    column = group_column(dataset)
    if column is None:
        return
    on = st.toggle(f"Colour the points by {md(column)}", value=st.session_state.get("_train_by_group", False),
                   key="train.by_group", help="Colour = the point's group, shape = its class. The network never "
                   "sees the group: this shows whether it draws its line differently where one group lives.")
    st.session_state["_train_by_group"] = on


def group_column(dataset) -> str | None:
    """The sensitive column the boundary view can colour points by (classification data only)."""
    if dataset.task != "classification" or not dataset.sensitive:
        return None
    return dataset.sensitive[0]


def boundary_view(run_id: str, dataset) -> None:
    """What the network predicts over the plane (2-D data), from the feed live_view keeps reading."""
    feed = feed_for(run_id)
    extent = feed.run.summary.get("boundary_extent") if feed.run is not None else None
    column = group_column(dataset)
    by = column if column and st.session_state.get("train.by_group",
                                                   st.session_state.get("_train_by_group", False)) else None
    st.markdown("**What the network predicts**")
    _show(feed, "boundary", lambda: boundary_for(feed, feed.run, dataset, by_group=by),
          (feed.boundary and feed.boundary[0], extent, by))


def detail_view(run_id: str, dataset) -> None:
    """Fairness over training (when the run measures it) and the network's insides: validation score,
    gradient sizes, weight distributions."""
    feed = feed_for(run_id)
    if feed.has_fairness():
        fairness_view(feed, dataset)
    metric = "accuracy" if dataset.task == "classification" else "r2"
    names = charts.layer_names(feed.hist)
    label = None
    cols = st.columns(3)
    with cols[0]:
        st.markdown("**Validation accuracy**" if metric == "accuracy" else "**Validation R²**")
        score = feed.epoch_series(f"val_{metric}")
        _show(feed, "score", lambda: charts.score_figure(*score, metric=metric, height=280), (len(score[0]),))
    with cols[1]:
        st.markdown("**Gradient size per layer**", help="How strongly each layer is being pushed. A layer "
                    "whose line sinks far below the others barely learns (vanishing gradients).")
        norms = feed.grad_norms()
        _show(feed, "grads", lambda: charts.grad_norm_figure(norms, height=280),
              tuple(len(e) for e, _ in norms.values()))
    with cols[2]:
        if names:
            options = list(names)
            if st.session_state.get("train.hist_layer") not in options:
                st.session_state["train.hist_layer"] = options[0]
            label = st.selectbox("Weights of", options, format_func=names.get, key="train.hist_layer",
                                 help="How this layer's weights are spread over time: darker = more weights "
                                      "with that value. Watch them spread out as the layer learns; L2 pulls "
                                      "them back towards 0.")
        else:
            st.markdown("**Weights**")
        frames = feed.hist.get(label, [])
        _show(feed, "weights", lambda: charts.weights_figure(frames, layer=names.get(label, ""), height=240),
              (label, len(frames)))


FAIR_METRIC_LABELS = {"accuracy": "accuracy", "selection_rate": "predicted favourable", "loss": "loss"}


def fairness_view(feed: LiveFeed, dataset) -> None:
    """Fairness over training: the gaps between groups per epoch, one number per group per epoch, and the
    path between accuracy and the demographic parity gap."""
    run = feed.run
    train = run.train if run is not None else {}
    column = train.get("sensitive") or (dataset.sensitive[0] if getattr(dataset, "sensitive", None) else "")
    st.markdown("##### Fairness over training")
    st.caption(f"Measured on the validation rows after each evaluated epoch, across the groups of "
               f"**{column or 'the sensitive column'}**. 0 = every group treated alike. "
               + mitigation_text(train))
    cols = st.columns(3)
    with cols[0]:
        st.markdown("**Gap between groups**", help=HELP["fair_gaps"])
        gaps = feed.fairness_gaps()
        _show(feed, "fair_gaps", lambda: charts.fairness_gaps_figure(gaps, height=280),
              tuple(len(e) for e, _ in gaps.values()))
    with cols[1]:
        if st.session_state.get("train.fair_metric") not in FAIR_METRIC_LABELS:
            st.session_state["train.fair_metric"] = "accuracy"
        metric = st.selectbox("Per group", list(FAIR_METRIC_LABELS), format_func=FAIR_METRIC_LABELS.get,
                              key="train.fair_metric", help=HELP["fair_metric"])
        groups = feed.fairness_by_group(metric)
        _show(feed, "fair_groups", lambda: charts.group_metric_figure(groups, metric=metric, height=240),
              (metric, *(len(e) for e, _ in groups.values())))
    with cols[2]:
        st.markdown("**Accuracy against fairness**", help=HELP["fair_tradeoff"])
        acc = feed.epoch_series("val_accuracy")
        dpd = feed.fairness_gaps().get("demographic_parity_difference", (acc[0][:0], acc[1][:0]))
        _show(feed, "fair_tradeoff", lambda: charts.fairness_tradeoff_figure(*acc, *dpd, height=280),
              (len(acc[0]), len(dpd[0])))


PENALTY_NAMES = {"demographic_parity": "a demographic-parity penalty", "equalized_odds": "an equalized-odds penalty"}


def mitigation_text(train: dict) -> str:
    """'Mitigation: reweighing and a demographic-parity penalty (λ = 1).' or that there was none."""
    parts = []
    if train.get("reweigh"):
        parts.append("reweighing")
    penalty = PENALTY_NAMES.get(train.get("fairness_penalty", "none"))
    if penalty:
        parts.append(f"{penalty} (λ = {float(train.get('fairness_lambda', 1)):g})")
    return ("Mitigation: " + " and ".join(parts) + ".") if parts else "No mitigation while training."


def _show(feed: LiveFeed, name: str, build, inputs: tuple) -> None:
    # a resume from a checkpoint rewinds the feed: what was drawn before may look the same size
    figure = _figure(feed.run_id, name, build, (feed.restarts, *inputs))
    st.plotly_chart(figure, key=f"train.chart.{name}", config={"displaylogo": False})


def _figure(run_id: str, name: str, build, inputs: tuple):
    """The chart's figure: built again only when its inputs (what it shows) changed since it was last
    built, else the same figure again (an unchanged chart stays on screen untouched)."""
    cache = st.session_state.setdefault("_train_figures", {})
    for stale in [k for k in cache if k[0] != run_id]:        # another run's figures
        del cache[stale]
    key = (run_id, name)
    held = cache.get(key)
    if held is None or held[0] != inputs:
        held = (inputs, build())
        cache[key] = held
    return held[1]


def boundary_for(feed: LiveFeed, run: Run | None, dataset, by_group: str | None = None):
    """The decision-boundary figure from the feed's latest grid (only the points before it exists);
    with `by_group`, the points coloured by that column and, for two classes, the line where the
    network's decision flips."""
    grid = extent = None
    if feed is not None and feed.boundary is not None and run is not None:
        from core.training import BOUNDARY_RESOLUTION, decode_boundary
        channels = 1 if dataset.task == "regression" else dataset.n_classes
        try:
            grid = decode_boundary(feed.boundary[2], channels, BOUNDARY_RESOLUTION)
            extent = run.summary.get("boundary_extent")
        except ValueError:
            grid = None
    if extent is None:
        from core.training import boundary_extent
        extent = boundary_extent(dataset.X_train)
    groups = lines = order = None
    if by_group is not None:
        from core import fairness as F
        try:
            labels, order = F.row_groups(dataset, by_group)
            groups = (labels[dataset.idx_train], labels[dataset.idx_test])
            lines = 0.5 if dataset.n_classes == 2 else None
        except F.FairnessError:             # no groups to colour by: the points keep their class colours
            pass
    return charts.boundary_figure(grid, extent, task=dataset.task, class_names=dataset.class_names,
                                  X_train=dataset.X_train, y_train=dataset.y_train, X_test=dataset.X_test,
                                  y_test=dataset.y_test, feature_names=dataset.feature_names[:2],
                                  groups=groups, group_lines=lines, group_order=order)


