"""From a clean table to a Dataset: the target checked, the feature columns chosen, the rows split,
the encoder fitted on the training rows and every step noted in plain words.

``prepare_table`` validates a parsed table against the person's choices (target, task, sensitive
and dropped columns); ``assemble`` turns an already valid table into a Dataset. Built-in sets that
are valid by construction go straight to ``assemble``.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from .columns import column_flags, infer_task, is_numeric, labels_and_names
from .dataset import Dataset
from .encoding import Encoder
from .. import limits
from ..limits import exceeded
from .errors import DataError, names_list, quote
from .ref import DatasetRef
from .split import split_indices

TASKS = ("classification", "regression")

_SCALING_NOTES = {
    "standard": "Standardised every input with the training rows' mean and standard deviation.",
    "minmax": "Scaled every input to 0..1 with the training rows' minimum and maximum.",
    "none": "Left the inputs unscaled.",
}


def check_task(task: Any) -> None:
    """A task setting: "classification", "regression" or None (to infer it from the target)."""
    if task is not None and task not in TASKS:
        raise DataError(f"task must be 'classification', 'regression' or None (to infer it), not {task!r}; use one of those.")


def as_name_list(value: Any, what: str) -> list[str]:
    """Column names given as one name, a list of names or None, as a list of texts."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        items = list(value)
    except TypeError:
        raise DataError(f"{what} must be a list of column names, not {type(value).__name__}; pass a list.") from None
    return [str(v) for v in items]


# ----------------------------------------------------------------------------------------------
# Assembling a valid table
# ----------------------------------------------------------------------------------------------


def _targets(frame: pd.DataFrame, target: str, task: str, class_order: list[str] | None):
    """(y for every row, class names): class ids (int64) for classification, float32 values otherwise."""
    if task != "classification":
        return frame[target].to_numpy(dtype=np.float32), None
    labels, found = labels_and_names(frame[target])
    class_names = list(class_order) if class_order is not None else found
    return pd.Index(class_names).get_indexer(labels).astype(np.int64), class_names


def _fill_notes(frame: pd.DataFrame, encoder: Encoder, notes: list[str]) -> None:
    for col in encoder.columns:
        n_missing = int(frame[col["name"]].isna().sum())
        if n_missing:
            how = "median" if col["kind"] == "numeric" else "most common value"
            fill = f"{col['fill']:g}" if col["kind"] == "numeric" else repr(col["fill"])
            notes.append(
                f"Filled {n_missing} missing value{'s' if n_missing > 1 else ''} in {quote(col['name'])} "
                f"with the training rows' {how} ({fill})."
            )


def _one_hot_note(encoder: Encoder, notes: list[str]) -> None:
    categorical = [c for c in encoder.columns if c["kind"] == "categorical"]
    if categorical:
        width = sum(len(c["categories"]) for c in categorical)
        example = encoder.feature_names()[encoder.groups()[categorical[0]["name"]][0]]
        notes.append(
            f"One-hot encoded {len(categorical)} text column{'s' if len(categorical) > 1 else ''} into {width} "
            f"input features named like {example!r}."
        )


def _encoding_notes(frame: pd.DataFrame, encoder: Encoder, scaling: str, pixel_scale: float | None,
                    notes: list[str]) -> None:
    """What the encoder did to the table: gaps filled, text one-hot encoded, inputs scaled."""
    if pixel_scale is not None:
        notes.append(f"Divided pixel values by {pixel_scale:g} so they lie in 0..1 (the scaling option does not apply to images).")
        return
    _fill_notes(frame, encoder, notes)
    _one_hot_note(encoder, notes)
    notes.append(_SCALING_NOTES[scaling])


def assemble(
    *,
    ref: DatasetRef,
    name: str,
    frame: pd.DataFrame,
    target: str,
    task: str,
    features: list[str],
    sensitive: list[str],
    notes: list[str],
    class_order: list[str] | None = None,
    image_shape: tuple[int, int, int] | None = None,
    pixel_scale: float | None = None,
) -> Dataset:
    """Labels, split, encoder fitted on the training rows, arrays. `frame` is already clean."""
    pp = ref.preprocess
    y_all, class_names = _targets(frame, target, task, class_order)
    idx_train, idx_val, idx_test = split_indices(len(frame), y_all if class_names else None, pp, notes)
    kinds = {c: ("numeric" if is_numeric(frame[c]) else "categorical") for c in features}
    encoder = Encoder.fit(frame.iloc[idx_train], kinds, pp.scaling, pixel_scale)
    _encoding_notes(frame, encoder, pp.scaling, pixel_scale, notes)
    _check_size(len(frame), encoder)
    X_all = encoder.transform(frame)
    keep = list(features) + [target] + [s for s in sensitive if s not in features and s != target]
    return Dataset(
        ref=ref, name=name, task=task,
        feature_names=encoder.feature_names(), original_columns=list(features), groups=encoder.groups(),
        class_names=class_names, target=target, sensitive=list(sensitive), image_shape=image_shape,
        X_train=X_all[idx_train], X_val=X_all[idx_val], X_test=X_all[idx_test],
        y_train=y_all[idx_train], y_val=y_all[idx_val], y_test=y_all[idx_test],
        idx_train=idx_train, idx_val=idx_val, idx_test=idx_test,
        raw=frame[keep].reset_index(drop=True), notes=notes, _encoder=encoder,
    )


def _check_size(n_rows: int, encoder: Encoder) -> None:
    """The encoded table fits the limits on inputs and on rows × inputs, checked before it is made."""
    width = encoder.width
    wide = sorted((c for c in encoder.columns if c["kind"] == "categorical"), key=lambda c: -len(c["categories"]))
    widest = ", ".join(f"{quote(c['name'])} ({len(c['categories'])})" for c in wide[:3])
    leave_out = f"leave out text columns with many values (the widest: {widest}) or some columns" if wide else \
        "leave out some columns"
    bounds = limits.current()
    if width > bounds.max_inputs:
        raise DataError(exceeded("max_inputs", f"The table makes {width:,} model inputs after one-hot encoding",
                                 leave_out))
    if n_rows * width > bounds.max_cells:
        raise DataError(exceeded("max_cells", f"The table makes {n_rows:,} rows × {width:,} inputs = "
                                              f"{n_rows * width:,} numbers", f"use fewer rows, or {leave_out}"))


# ----------------------------------------------------------------------------------------------
# Validating a parsed table against the person's choices
# ----------------------------------------------------------------------------------------------


def _check_columns(columns: list[str], target: Any, sensitive: list[str], drop: list[str]) -> None:
    """The target is one of the table's columns; sensitive and dropped columns exist and are not the target."""
    if not isinstance(target, str) or not target:
        raise DataError(f"Choose a target column; one of {names_list(columns)}.")
    if target not in columns:
        close = [c for c in columns if c.strip().lower() == target.strip().lower()]
        hint = f"did you mean {close[0]!r}? " if close else ""
        if not close and all(re.fullmatch(r"[+-]?[\d.,eE+-]+", c) for c in columns):
            hint = "the first row looks like data, so add a header row with column names, or "
        raise DataError(f"Target column {target!r} is not in the table; {hint}choose one of {names_list(columns)}.",
                        column=target)
    for what, names in (("Sensitive", sensitive), ("Dropped", drop)):
        for c in names:
            if c not in columns:
                raise DataError(f"{what} column {c!r} is not in the table; choose from {names_list(columns)}.", column=c)
            if c == target:
                raise DataError(f"{what} column {c!r} is also the target; pick a different target or remove it from "
                                "that list.", column=c)


def _labelled_rows(frame: pd.DataFrame, name: str, target: str, task: str | None,
                   notes: list[str]) -> tuple[pd.DataFrame, str]:
    """The rows that have a target value (enough of them to split), and the task (inferred if None)."""
    fewest = limits.current().min_rows
    if len(frame) < fewest:
        raise DataError(
            f"{quote(name)} has only {len(frame)} data rows but at least {fewest} are needed to split it "
            "into training, validation and test sets; add more rows."
        )
    present = frame[target].notna()
    if not present.any():
        raise DataError(f"Target column {target!r} has no values in any row; choose a column that holds the labels.",
                        column=target)
    resolved = task or infer_task(frame[target])  # before dropping gaps: a float column with gaps may hold whole numbers
    if not present.all():
        n_missing = int((~present).sum())
        frame = frame[present].reset_index(drop=True)
        notes.append(f"Dropped {n_missing} row{'s' if n_missing > 1 else ''} with no value in the target {target!r}.")
    if len(frame) < fewest:
        raise DataError(
            f"Only {len(frame)} rows have a target value but at least {fewest} are needed to split the data "
            "into training, validation and test sets; add more labelled rows."
        )
    return frame, resolved


def _check_target(y: pd.Series, target: str, task: str) -> None:
    """A regression target holds numbers; a classification target has 2 to max_classes classes."""
    if task == "regression" and not is_numeric(y):
        example = y.dropna().astype(str).iloc[0]
        raise DataError(
            f"Target column {target!r} is not numeric (it contains {example!r}), so it cannot be a regression target; "
            "use task='classification' or choose a numeric column.",
            column=target,
        )
    if task != "classification":
        return
    _, found = labels_and_names(y)
    if len(found) < 2:
        raise DataError(
            f"Target column {target!r} has only one class ({found[0]!r}); a classifier needs at least two, "
            "so choose another target or add rows of the other classes.",
            column=target,
        )
    most = limits.current().max_classes
    if len(found) > most:
        fix = "use task='regression'" if is_numeric(y) else "choose a column with fewer distinct labels"
        raise DataError(
            f"Target column {target!r} has {len(found)} different labels, more than the {most} "
            f"classes allowed; {fix}.",
            column=target,
        )


def _features(frame: pd.DataFrame, columns: list[str], target: str, drop: list[str], notes: list[str]) -> list[str]:
    """The columns left as features once the target, the dropped ones and the useless ones are out."""
    candidates = [c for c in columns if c != target and c not in drop]
    if drop:
        notes.append(f"Left out {names_list(drop)} as requested.")
    flags = column_flags(frame, candidates, compare_to=[target])
    for c, (_, reason) in flags.items():
        notes.append(f"Dropped {reason}.")
    features = [c for c in candidates if c not in flags]
    if not features:
        reasons = ", ".join(reason for _, reason in flags.values()) or "the table has only the target column"
        raise DataError(
            f"No usable feature column is left ({reasons}); add columns with informative values or drop fewer columns."
        )
    return features


def prepare_table(
    frame: pd.DataFrame,
    notes: list[str],
    *,
    ref: DatasetRef,
    name: str,
    target: Any,
    task: str | None,
    sensitive: list[str],
    drop: list[str],
    class_order: list[str] | None = None,
) -> Dataset:
    """Validate target and columns of a parsed table, drop what cannot be a feature, and assemble."""
    check_task(task)
    columns = [str(c) for c in frame.columns]
    _check_columns(columns, target, sensitive, drop)
    frame, resolved = _labelled_rows(frame, name, target, task, notes)
    _check_target(frame[target], target, resolved)
    if task is None:
        notes.append(f"Treated {target!r} as a {resolved} target.")
    features = _features(frame, columns, target, drop, notes)
    return assemble(ref=ref, name=name, frame=frame, target=target, task=resolved, features=features,
                    sensitive=list(sensitive), notes=notes, class_order=class_order)
