"""What if? One box per original column of a row, starting from its values; the edited row in codes, and
what changed in words."""
from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard import keys
from dashboard.text import md_plain as md

from .help import HELP
from .session import cached


def whatif(ds, codes: np.ndarray, tag: str) -> np.ndarray:
    """Inputs for every original column of the row, starting from its values; returns the edited codes."""
    kinds = ds.column_kinds()
    cols = list(ds.original_columns)
    boxes = [keys.whatif_value(tag, j) for j in range(len(cols))]
    train_codes = cached("train_codes", ds.ref.key, lambda: ds.codes(ds.raw.iloc[ds.idx_train]))
    for j, key in enumerate(boxes):
        st.session_state.setdefault(key, int(codes[j]) if kinds[cols[j]] is not None else float(codes[j]))

    def reset():
        for key in boxes:
            st.session_state.pop(key, None)
    grid = st.columns(4)
    for j, (col, key) in enumerate(zip(cols, boxes)):
        cell = grid[j % 4]
        cats = kinds[col]
        if cats is not None:
            cell.selectbox(md(col), list(range(len(cats))), key=key, format_func=lambda i, c=cats: c[i],
                           help=HELP["whatif_category"])
        else:
            _number_box(cell, col, key, train_codes[:, j])
    st.button("Back to the row's own values", key=keys.EXPLAIN_WHATIF_RESET, on_click=reset, icon=":material/undo:",
              help=HELP["whatif_reset"])
    return np.array([float(st.session_state[k]) for k in boxes])


def _number_box(cell, column: str, key: str, train_values: np.ndarray) -> None:
    """A number column's box, stepping by 1 for whole numbers, else by a round share of its spread."""
    v = train_values
    integral = bool(np.all(np.mod(v, 1) == 0))
    spread = float(np.std(v)) or 1.0
    step = 1.0 if integral else float(10 ** np.floor(np.log10(spread / 4)))
    cell.number_input(md(column), key=key, step=step, format="%g",
                      help=HELP["whatif_number"].format(lo=f"{v.min():.4g}", hi=f"{v.max():.4g}"))


def changes(ds, before: np.ndarray, after: np.ndarray) -> list[str]:
    """Each edited column as 'column: before → after'."""
    kinds = ds.column_kinds()
    out = []
    for j, col in enumerate(ds.original_columns):
        if before[j] != after[j]:
            cats = kinds[col]
            if cats is not None:
                out.append(f"{md(col)}: {md(cats[int(before[j])])} → {md(cats[int(after[j])])}")
            else:
                out.append(f"{md(col)}: {before[j]:.4g} → {after[j]:.4g}")
    return out


def code_texts(ds, codes: np.ndarray) -> list[str]:
    """An edited row's values as texts (categories by name)."""
    kinds = ds.column_kinds()
    return [kinds[c][int(v)] if kinds[c] is not None else f"{v:.4g}" for c, v in zip(ds.original_columns, codes)]
