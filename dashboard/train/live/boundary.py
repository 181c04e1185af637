"""The boundary view of 2-D data: what the network predicts over the plane, the points on top — by
class, or coloured by their group when the data has a sensitive column."""
from __future__ import annotations

import streamlit as st

from core.runs import Run
from dashboard import keys
from dashboard.text import md_plain as md

from ..charts import boundary_figure
from .feed import LiveFeed
from .kept import feed_for, show


def boundary_controls(dataset) -> None:
    """For 2-D data with a sensitive column: colour the boundary view's points by group. Outside the
    polling fragment, like the loss controls; the choice also lives in a plain session key."""
    column = group_column(dataset)
    if column is None:
        return
    on = st.toggle(f"Colour the points by {md(column)}", value=st.session_state.get(keys.TRAIN_KEPT_BY_GROUP, False),
                   key=keys.TRAIN_BY_GROUP, help="Colour = the point's group, shape = its class. The network never "
                   "sees the group: this shows whether it draws its line differently where one group lives.")
    st.session_state[keys.TRAIN_KEPT_BY_GROUP] = on


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
    by = column if column and st.session_state.get(keys.TRAIN_BY_GROUP, st.session_state.get(
        keys.TRAIN_KEPT_BY_GROUP, False)) else None
    st.markdown("**What the network predicts**")
    show(feed, "boundary", lambda: boundary_for(feed, feed.run, dataset, by_group=by),
         (feed.boundary and feed.boundary[0], extent, by))


def boundary_for(feed: LiveFeed | None, run: Run | None, dataset, by_group: str | None = None):
    """The decision-boundary figure from the feed's latest grid (only the points before it exists);
    with `by_group`, the points coloured by that column and, for two classes, the line where the
    network's decision flips."""
    grid, extent = _latest_grid(feed, run, dataset)
    if extent is None:
        from core.training import boundary_extent
        extent = boundary_extent(dataset.X_train)
    groups = lines = order = None
    if by_group is not None:
        from core.analysis import fairness as F
        try:
            labels, order = F.row_groups(dataset, by_group)
            groups = (labels[dataset.idx_train], labels[dataset.idx_test])
            lines = 0.5 if dataset.n_classes == 2 else None
        except F.FairnessError:             # no groups to colour by: the points keep their class colours
            pass
    return boundary_figure(grid, extent, task=dataset.task, class_names=dataset.class_names,
                           X_train=dataset.X_train, y_train=dataset.y_train, X_test=dataset.X_test,
                           y_test=dataset.y_test, feature_names=dataset.feature_names[:2],
                           groups=groups, group_lines=lines, group_order=order)


def _latest_grid(feed: LiveFeed | None, run: Run | None, dataset):
    """(grid, extent) of the feed's latest boundary frame; (None, None) before there is one."""
    if feed is None or feed.boundary is None or run is None:
        return None, None
    from core.training import BOUNDARY_RESOLUTION, decode_boundary
    channels = 1 if dataset.task == "regression" else dataset.n_classes
    try:
        return decode_boundary(feed.boundary[2], channels, BOUNDARY_RESOLUTION), run.summary.get("boundary_extent")
    except ValueError:
        return None, None
