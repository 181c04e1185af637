"""The Evaluate page's worst rows: a classifier's mistakes (and, when there are fewer mistakes than
asked for, the right answers it was least sure of), a regressor's largest errors; digits as images."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core.analysis import SPLIT_LABELS, least_sure_correct, mistake_count, row_images, worst_errors
from dashboard import keys

from .charts import image_grid

ROW_PX, HEADER_PX, MAX_ROWS_SHOWN = 35, 38, 20


def _columns(task: str) -> dict:
    fmt = {"row": st.column_config.NumberColumn("row", help="The row's number in the original table.")}
    if task == "classification":
        fmt["p_true"] = st.column_config.NumberColumn("P(true class)", format="%.3f",
                                                      help="The probability the network gave to the right answer.")
        fmt["confidence"] = st.column_config.NumberColumn("P(predicted)", format="%.3f",
                                                          help="How sure the network was of its answer.")
        fmt["loss"] = st.column_config.NumberColumn("loss", format="%.3f",
                                                    help="−log P(true class): how much the row adds to the loss.")
    else:
        fmt["true"] = st.column_config.NumberColumn("actual", format="%.4g")
        fmt["predicted"] = st.column_config.NumberColumn("predicted", format="%.4g")
        fmt["error"] = st.column_config.NumberColumn("actual − predicted", format="%.4g",
                                                     help="Above 0 the network predicted too low.")
        fmt["abs_error"] = st.column_config.NumberColumn("size of the error", format="%.4g")
    return fmt


def _show_rows(table: pd.DataFrame, dataset, task: str, right: bool) -> None:
    """The rows as a table; for image data, their pictures first (and the pixel columns left out)."""
    images = row_images(dataset, table["row"].to_numpy())
    if images is not None and len(table):
        if right:
            captions = [f"{t} (p={q:.2f})" for t, q in zip(table["true"], table["p_true"])]
        else:
            captions = [f"true {t} → {p} (p={q:.2f})" for t, p, q in zip(table["true"], table["predicted"],
                                                                         table["p_true"])]
        st.plotly_chart(image_grid(images, captions), width="stretch", config={"displayModeBar": False})
        table = table[[c for c in table.columns if c not in set(dataset.original_columns)]]
    st.dataframe(table, hide_index=True, width="stretch", column_config=_columns(task),
                 height=HEADER_PX + ROW_PX * max(1, min(len(table), MAX_ROWS_SHOWN)))


def show_worst(preds, dataset, threshold: float | None) -> None:
    """The 'Worst mistakes' section of the Evaluate page."""
    classifier = preds.task == "classification"
    st.subheader("Worst mistakes")
    st.caption("The rows the network predicts wrongly, the lowest probability given to the true class first."
               if classifier else "The rows the network misses most: the largest distance between the prediction "
                                  "and the truth first.")
    max_rows = min(60, preds.n)
    st.session_state[keys.EVAL_WORST_N] = min(max(1, st.session_state.get(keys.EVAL_WORST_N, 12)), max_rows)
    n = st.slider("How many rows", 1, max_rows, key=keys.EVAL_WORST_N,
                  help="How many of the worst rows to list, worst first.") if max_rows > 1 else 1
    original = dataset.raw.drop(columns=[dataset.target], errors="ignore")    # 'true' already holds it
    thr = threshold if classifier else None
    worst = worst_errors(preds, original, n, thr)
    if not classifier:
        _show_rows(worst, dataset, preds.task, right=False)
        return
    wrong = mistake_count(preds, thr)
    rows = f"{preds.n} {SPLIT_LABELS[preds.split]} rows"
    if wrong == 0:
        st.success(f"No mistakes: the network predicts all {rows} correctly.", icon=":material/check_circle:")
    else:
        if wrong < n:
            st.caption(f"Only {wrong} of the {rows} {'is' if wrong == 1 else 'are'} predicted wrongly: "
                       f"{'it is' if wrong == 1 else 'all are'} listed.")
        _show_rows(worst, dataset, preds.task, right=False)
    if len(worst) < n:
        st.markdown("**Least confident correct predictions**")
        st.caption("Right, but only just: the correct predictions with the lowest probability of their class — "
                   "the rows nearest to becoming mistakes.")
        _show_rows(least_sure_correct(preds, original, n - len(worst), thr), dataset, preds.task, right=True)
