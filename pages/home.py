"""Home: what Glassnet is, the workflow, and the latest runs."""
import time

import streamlit as st

from dashboard.people import class_mode
from dashboard.state import FLOW, PAGES, page, store

st.title("Glassnet")
st.markdown(
    "**See how neural networks learn, and why they decide what they decide.** "
    "Build a network, train it live on your own machine, then open it up: "
    "explanations of each prediction and a bias audit across groups of people."
)

built = {p.title for p in PAGES}
cols = st.columns(len(FLOW))
for i, (col, (name, text)) in enumerate(zip(cols, FLOW)):
    with col:
        st.markdown(f"##### {i + 1}. {name}")
        st.caption(text)
        if name in built:
            st.page_link(page(name), label=f"Open {name}")
        else:
            st.caption(":grey[coming soon]")

if {"Lessons", "Race"} <= built:
    st.markdown("**Learning or teaching?** The **Lessons** are guided experiments that check your own runs and "
                "say whether you found what each one is about; a **Race** trains one run per optimiser, learning "
                "rate or initialisation on the same data and seed and says which won.")
    links = st.columns(2)
    links[0].page_link(page("Lessons"), label="Open the lessons", icon=":material/school:")
    links[1].page_link(page("Race"), label="Start a race", icon=":material/flag:")

st.divider()
st.subheader("Latest runs")
runs = store().list_runs()[:10]
if not runs:
    st.info("No runs yet. Start on the **Data** page: pick a dataset (the spiral is a good first one), then "
            "build a network and train it. Every run you train is listed here.", icon=":material/rocket_launch:")
    st.page_link(page("Data"), label="Start with the data →", icon=":material/table:")
    st.caption("Runs trained from a terminal are listed here too, e.g. "
               "`python -m core train --dataset spiral --hidden 8,8 --activation tanh`.")
else:
    st.dataframe(
        [{"name": r.name, "status": r.status, "dataset": r.dataset.get("name"), "epochs": r.epoch,
          "device": r.device or "", "started": time.strftime("%Y-%m-%d %H:%M", time.localtime(r.created))}
         for r in runs],
        hide_index=True, width="stretch")
if not class_mode():              # a class's members are not shown where the server keeps its files
    st.caption(f"Workspace: `{store().home}` — set GLASSNET_HOME to use another folder.")
