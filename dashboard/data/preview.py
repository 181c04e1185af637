"""The Data page's look at the dataset in use: its size and split, its points, images or rows, the
class balance, and how it was prepared."""
from __future__ import annotations

import numpy as np
import streamlit as st

from core.data import FairnessError, csv_columns_summary, row_groups
from dashboard import keys
from dashboard.widgets import dataset_title, md

from .charts import class_balance, image_grid, scatter_2d
from .help import HELP


def preview(dataset) -> None:
    summary(dataset)
    if dataset.is_2d:
        points(dataset)
    elif dataset.image_shape is not None:
        st.plotly_chart(image_grid(dataset), width="stretch", key=keys.DATA_IMAGES)
        st.caption("The first training images with their labels. Each image is 8×8 pixels — "
                   "64 inputs for a dense network, or a small picture for a convolutional one.")
    else:
        rows_tab, columns_tab = st.tabs(["Rows", "Columns"])
        with rows_tab:
            st.dataframe(dataset.raw.head(200), width="stretch", height=280)
        with columns_tab:
            st.dataframe(csv_columns_summary(dataset.raw), hide_index=True, width="stretch")
    label = "Class balance" if dataset.task == "classification" else "Target values"
    st.markdown(f"**{label}**")
    st.plotly_chart(class_balance(dataset), width="stretch", key=keys.DATA_BALANCE)
    if dataset.task == "classification":
        st.caption(class_counts_text(dataset))
    with st.expander("How the data was prepared"):
        st.markdown("\n".join(f"- {md(note)}" for note in dataset.notes))


def class_counts_text(dataset) -> str:
    """Rows per class with their shares, and the accuracy of always answering the commonest class."""
    y = np.concatenate([dataset.y_train, dataset.y_val, dataset.y_test]).astype(np.int64)
    counts = np.bincount(y, minlength=len(dataset.class_names))
    shares = counts / max(1, counts.sum())
    parts = " · ".join(f"{md(str(c))}: {n:,} ({s:.1%})" for c, n, s in zip(dataset.class_names, counts, shares))
    top = int(np.argmax(counts))
    text = f"Rows per class: {parts}."
    if shares[top] >= 0.6:
        text += (f" Always answering **{md(str(dataset.class_names[top]))}** would be {shares[top]:.1%} accurate "
                 "without learning anything: judge a network on these data by each class's recall and precision "
                 "(Evaluate page), not by accuracy alone.")
    return text


def summary(dataset) -> None:
    """The dataset's name, task, target, sensitive columns and the rows in each split."""
    rows = dataset.summary()["rows"]
    st.subheader(dataset_title(dataset))
    kind = (f"Classification into {dataset.n_classes} classes" if dataset.task == "classification"
            else "Regression (predicting a number)")
    st.markdown(f"{kind} · target **{md(dataset.target)}**"
                + (f" · sensitive: {', '.join(md(s) for s in dataset.sensitive)}" if dataset.sensitive else ""))
    c = st.columns(4)
    c[0].metric("Training rows", rows["train"], help="Rows the network learns from.")
    c[1].metric("Validation rows", rows["val"], help=HELP["val_fraction"])
    c[2].metric("Test rows", rows["test"], help=HELP["test_fraction"])
    c[3].metric("Inputs", dataset.n_features, help="Numbers fed to the network per row (text columns become "
                                                   "one input per category).")


def points(dataset) -> None:
    """A 2-D dataset's points on the plane, coloured by class — or, on request, by their sensitive group."""
    by_group, groups, order = None, None, None
    if dataset.sensitive and dataset.task == "classification":
        column = dataset.sensitive[0]
        if st.toggle(f"Colour the points by {md(column)}", key=keys.DATA_BY_GROUP,
                     help="Colour = the point's group, shape = its class: see where each group lies. "
                          "Numbers with many values are cut into bands at the training rows' quartiles."):
            try:
                groups, order = row_groups(dataset, column)
                by_group = column
            except FairnessError as e:
                st.warning(f"{md(str(e))} The points keep their class colours.", icon=":material/group:")
    st.plotly_chart(scatter_2d(dataset, groups=groups, group_title=by_group or "", group_order=order),
                    width="stretch", key=keys.DATA_SCATTER)
    if by_group:
        st.caption(f"Each mark is one row; the colour is its {md(by_group)}, the shape its class. The network "
                   "sees only the two inputs: if the groups sit in different places, where a point lies gives "
                   "its group away.")
    else:
        st.caption("Each dot is one row; the colour is its class. Filled dots train the network; "
                   "open diamonds (validation) and crosses (test) are kept aside to check it.")
