"""The settings panel: how the network learns, bound to the session's training spec (keys.TRAIN_SPEC).

Widgets lose their state when the person visits another page; the spec (a plain dict) does not. So
each widget is given its value from the spec whenever another page (a preset, say) changed the spec
or the live view reran the page by itself, and the spec is written back from the widgets on every run.
"""
from __future__ import annotations

import math

import streamlit as st

from core.spec import CLASS_WEIGHTS, FAIRNESS_PENALTIES, OPTIMIZERS, RESAMPLING, TrainSpec
from dashboard import keys

from .checks import check_settings
from .devices import available_devices
from .number_boxes import BOXES, box_problem, box_problems
from .resync import resync
from .summary import resampled_words
from .wording import CLASS_LOSS_LABELS, HELP, LOSS_LABELS, OPTIMIZER_LABELS, PENALTY_LABELS, RESAMPLE_LABELS

SETTINGS = ("optimizer", "lr", "momentum", "nesterov", "batch_size", "epochs", "loss", "l1", "l2",
            "class_weights", "resample", "grad_clip", "early_stopping", "seed", "device",
            "sensitive", "reweigh", "fairness_penalty", "fairness_lambda")
FAIRNESS_SETTINGS = {"sensitive": "", "reweigh": False, "fairness_penalty": "none"}   # off, for data without groups
FLOATS = ("lr", "momentum", "l1", "l2", "grad_clip", "fairness_lambda")
INTS = ("batch_size", "epochs", "early_stopping", "seed")
_key = keys.train_setting                   # the widget of a setting


def loss_options(dataset) -> list[str]:
    if dataset.task == "regression":
        return ["auto", "mse", "mae", "huber"]
    return ["auto", "cross_entropy"] + (["bce"] if dataset.n_classes == 2 else []) + ["mse"]


def resample_line(dataset, how: str, seed) -> str:
    """'Training rows per class: a 900 → 900, b 100 → 900.' for a resampling choice; '' for none."""
    from core.training import resampled_rows
    from core.training.resample import class_counts
    if how not in ("over", "under"):
        return ""
    y = dataset.y_train
    after = class_counts(y[resampled_rows(y, dataset.n_classes, how, int(seed or 0))], dataset.class_names)
    return f"Training rows per class: {resampled_words(class_counts(y, dataset.class_names), after)}."


def training_rows(dataset, how: str) -> int:
    """How many rows an epoch trains on: a classifier's after resampling `how`."""
    from core.training import resampled_size
    if dataset.task != "classification" or how not in ("over", "under"):
        return len(dataset.X_train)
    return resampled_size(dataset.y_train, dataset.n_classes, how)


def steps_per_epoch(n_train: int, batch_size: int) -> int:
    return max(1, math.ceil(n_train / max(1, int(batch_size))))


def has_groups(dataset) -> bool:
    """Whether fairness can be measured (and mitigated) while training: classes and a sensitive column."""
    return dataset.task == "classification" and bool(getattr(dataset, "sensitive", None))


def settings_panel(dataset) -> tuple[dict, list[str]]:
    """The training settings, bound to st.session_state[keys.TRAIN_SPEC]; returns (spec dict, problems)."""
    train, notes = _session_spec(dataset)
    devices = ["auto"] + available_devices()
    _sync_widgets(train)
    if st.session_state.get(_key("device")) not in devices:
        devices.append(st.session_state[_key("device")])
    groups = has_groups(dataset)
    _keep_choices_valid(dataset, groups)

    _optimiser_boxes(dataset)
    with st.expander("Loss and regularisation"):
        _loss_boxes(dataset)
    if groups:
        with st.expander("Fairness"):
            _fairness_boxes(dataset)
    with st.expander("Stopping, seed and device"):
        _stopping_boxes(devices)

    new = {**train, **{f: st.session_state[_key(f)] for f in SETTINGS}}
    new = _unused_boxes_valid(new, groups)
    st.session_state[keys.TRAIN_SPEC] = new
    st.session_state[keys.TRAIN_SYNCED] = dict(new)
    st.session_state[keys.TRAIN_EDITED] = set()
    for note in notes:
        st.warning(note)
    spec = new if groups else {**new, **FAIRNESS_SETTINGS}    # mitigations need groups: off for other data
    if dataset.task != "classification":
        spec["resample"] = "none"                              # it balances classes: off for numbers
    return spec, check_settings(spec, dataset)


def _session_spec(dataset) -> tuple[dict, list[str]]:
    """The session's training spec with every field present, and what had to change for this data."""
    train = st.session_state.get(keys.TRAIN_SPEC)
    if not isinstance(train, dict):
        train = TrainSpec().to_dict()
    train = {**TrainSpec().to_dict(), **train}
    notes = []
    if train.get("loss") not in loss_options(dataset):
        notes.append(f"The loss {train.get('loss')!r} does not fit this dataset ({dataset.task}); "
                     "it was set back to auto.")
        train["loss"] = "auto"
        st.session_state.pop(_key("loss"), None)
    return train, notes


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


def _bound(field: str) -> dict:
    """A settings widget's key, and the callback that notes the person changed it."""
    return {"key": _key(field), "on_change": _note_edit, "args": (field,)}


def _note_edit(field: str) -> None:
    """The person changed a box since the page last wrote the spec: a rerun the live view starts before
    the page has run with the new value must not give the box its old value back."""
    edited = st.session_state.setdefault(keys.TRAIN_EDITED, set())
    edited.add(field)


def _sync_widgets(train: dict) -> None:
    """Give each settings widget its value from the session's training spec when it has none, when
    another page changed the spec, or when the live view reran the page by itself — except a box the
    person changed since the spec was last written, which keeps (and is sent again) what they typed."""
    defaults = TrainSpec().to_dict()
    other_page = st.session_state.get(keys.TRAIN_SYNCED) != train
    rerun_by_view = resync("settings")
    edited = set() if other_page else st.session_state.get(keys.TRAIN_EDITED) or set()
    for f in SETTINGS:
        if _key(f) in st.session_state and f in edited:
            st.session_state[_key(f)] = st.session_state[_key(f)]
        elif _key(f) not in st.session_state or other_page or rerun_by_view:
            st.session_state[_key(f)] = _coerce(f, train.get(f, defaults[f]), defaults[f])


def _keep_choices_valid(dataset, groups: bool) -> None:
    """Choices the widgets cannot show (an optimiser or penalty unknown, a column not in the data) are
    set to one they can."""
    if st.session_state.get(_key("optimizer")) not in OPTIMIZERS:
        st.session_state[_key("optimizer")] = "adam"
    if groups and st.session_state.get(_key("sensitive")) not in dataset.sensitive:
        st.session_state[_key("sensitive")] = dataset.sensitive[0]      # '' = the data's first sensitive column
    if st.session_state.get(_key("resample")) not in RESAMPLING:
        st.session_state[_key("resample")] = "none"
    if st.session_state.get(_key("fairness_penalty")) not in FAIRNESS_PENALTIES:
        st.session_state[_key("fairness_penalty")] = "none"


def _optimiser_boxes(dataset) -> None:
    """Optimiser, momentum, learning rate, batch size and epochs — and the weight updates they make."""
    st.selectbox("Optimiser", OPTIMIZERS, **_bound("optimizer"), format_func=OPTIMIZER_LABELS.get,
                 help=HELP["optimizer"])
    if st.session_state[_key("optimizer")] == "momentum":
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        c1.number_input("Momentum", step=0.05, **_bound("momentum"), help=HELP["momentum"])
        c2.checkbox("Nesterov", **_bound("nesterov"), help=HELP["nesterov"])
    st.number_input("Learning rate", step=0.001, format="%.4g", **_bound("lr"), help=HELP["lr"])
    c1, c2 = st.columns(2)
    c1.number_input("Batch size", step=1, **_bound("batch_size"), help=HELP["batch_size"])
    c2.number_input("Epochs", step=10, **_bound("epochs"), help=HELP["epochs"])
    if not box_problems({f: st.session_state[_key(f)] for f in ("batch_size", "epochs")}):
        spe = steps_per_epoch(training_rows(dataset, st.session_state[_key("resample")]),
                              st.session_state[_key("batch_size")])
        st.caption(f"{spe:,} weight update{'s' if spe != 1 else ''} per epoch, "
                   f"{spe * st.session_state[_key('epochs')]:,} in all.")


def _loss_boxes(dataset) -> None:
    labels = {**LOSS_LABELS, **(CLASS_LOSS_LABELS if dataset.task == "classification" else {})}
    st.selectbox("Loss", loss_options(dataset), **_bound("loss"), format_func=labels.get,
                 help=HELP["loss"] + (HELP["class_mse"] if dataset.task == "classification" else ""))
    c1, c2 = st.columns(2)
    c1.number_input("L1 penalty", step=0.0001, format="%.4g", **_bound("l1"), help=HELP["l1"])
    c2.number_input("L2 penalty", step=0.0001, format="%.4g", **_bound("l2"), help=HELP["l2"])
    if dataset.task == "classification":
        st.selectbox("Class weights", CLASS_WEIGHTS, **_bound("class_weights"), help=HELP["class_weights"])
        st.selectbox("Resampling", RESAMPLING, **_bound("resample"), format_func=RESAMPLE_LABELS.get,
                     help=HELP["resample"])
        line = resample_line(dataset, st.session_state[_key("resample")], st.session_state[_key("seed")])
        if line:
            st.caption(line)
    st.number_input("Gradient clipping (max norm)", step=0.5, format="%.3g", **_bound("grad_clip"),
                    help=HELP["grad_clip"])


def _fairness_boxes(dataset) -> None:
    st.selectbox("Sensitive column", dataset.sensitive, **_bound("sensitive"), help=HELP["sensitive"])
    st.checkbox("Reweigh the training rows", **_bound("reweigh"), help=HELP["reweigh"])
    st.selectbox("Fairness penalty", FAIRNESS_PENALTIES, **_bound("fairness_penalty"),
                 format_func=PENALTY_LABELS.get, help=HELP["fairness_penalty"])
    st.number_input("Penalty weight λ", step=0.5, format="%.3g", **_bound("fairness_lambda"),
                    help=HELP["fairness_lambda"], disabled=st.session_state[_key("fairness_penalty")] == "none")
    st.caption("The gaps between the groups are measured after each evaluated epoch and drawn under "
               "the loss, with or without these.")


def _stopping_boxes(devices: list[str]) -> None:
    st.number_input("Early stopping patience (epochs)", step=5, **_bound("early_stopping"),
                    help=HELP["early_stopping"])
    st.number_input("Seed", step=1, **_bound("seed"), help=HELP["seed"])
    st.selectbox("Device", devices, **_bound("device"), help=HELP["device"])
    found = [d for d in available_devices() if d != "cpu"]
    st.caption("Accelerators found: " + (", ".join(d.upper() for d in found) if found else
                                         "none — training runs on the CPU."))


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
