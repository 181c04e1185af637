"""The baseline for the browser figures: about the least a Streamlit app can do, served by the same
streamlit, with the same configuration, and driven by the same browser as Glassnet.

  Home   a title, a button and a text that counts its clicks (cold start, a click → a text redrawn)
  Other  a title (page switches: Home ↔ Other)
  Poll   a text read from a SQLite file by a fragment that polls as often as the Train page's live
         view (a value committed → the text redrawn; a polling tab's server CPU)

The SQLite file and the polling interval come from the environment (BENCH_BASELINE_DB, BENCH_POLL_S).
"""
import os
import sqlite3
from contextlib import closing

import streamlit as st


def home():
    st.title("Home")
    if st.button("Click"):
        st.session_state["clicks"] = st.session_state.get("clicks", 0) + 1
    st.write(f"Clicked {st.session_state.get('clicks', 0)} times")


def other():
    st.title("Other")


@st.fragment(run_every=float(os.environ.get("BENCH_POLL_S", "0.5")))
def polled_value():
    with closing(sqlite3.connect(os.environ["BENCH_BASELINE_DB"])) as db:
        value = db.execute("SELECT value FROM probe").fetchone()[0]
    st.write(f"Value {value}")


def poll():
    st.title("Poll")
    polled_value()


st.set_page_config(page_title="Baseline", layout="wide")
st.navigation([st.Page(home, title="Home", default=True), st.Page(other, title="Other"),
               st.Page(poll, title="Poll")]).run()
