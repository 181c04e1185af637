"""2-D data: the decision boundary with the audited rows coloured by group, and the line where each
group's threshold flips the decision."""
from __future__ import annotations

import streamlit as st

from dashboard import keys
from dashboard.text import md_plain as md

from .charts import PLAIN
from .groups import Groups
from .run import SPLITS, Scored
from .setup import Setup


def show_boundary(sc: Scored, g: Groups, setup: Setup, threshold) -> None:
    """2-D data: the plane coloured by what the network predicts, the audited rows coloured by group,
    and the line where the decision flips — one per group when each group has its own threshold."""
    from dashboard.train.charts import group_boundary_figure
    ds = sc.dataset
    X, _ = ds.split(setup.split)
    _, y, _ = sc.splits[setup.split]
    labels = g.labels.get(setup.split)
    if sc.grid is None or labels is None or not len(X):
        return
    fig = group_boundary_figure(sc.grid, sc.extent, class_names=ds.class_names,
                                points=[(X, y, labels, SPLITS[setup.split])], feature_names=ds.feature_names[:2],
                                lines=threshold, favourable=setup.favourable, height=460)
    st.markdown("**The decision boundary by group**")
    st.plotly_chart(fig, config=PLAIN, key=keys.FAIR_CHART_BOUNDARY)
    fav = md(ds.class_names[setup.favourable])
    how = ("one line per group: each is where that group's own threshold flips the decision"
           if isinstance(threshold, dict) else "the dashed line is where the decision flips at the threshold above")
    st.caption(f"Background: the network's prediction over the two inputs (scaled). Marks: the {SPLITS[setup.split]} "
               f"rows, colour = group, shape = true class; {how} (rows on its '{md(fav)}' side get '{md(fav)}'). The network "
               "never sees the "
               "group — if the groups sit in different places, the line can treat them differently all the same.")
