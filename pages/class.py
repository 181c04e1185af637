"""Class: the teacher's view of every student's runs — one live chart, a leaderboard, the queue and the
server's load — and their hand on the class: hand settings out, pause, resume or stop every run, download
the results. Anyone but the class's teacher is told the page is not for them."""
import streamlit as st

from dashboard.classroom import class_controls, download, handout_panel, live_class, server_view, teacher_store

st.title("Class")
view = teacher_store()
if view is None:
    st.stop()
st.caption("Every run of the class as it trains: a line per run, coloured by the setting you choose; hover a line "
           "to see whose it is.")
live_class(view)

st.subheader("Queue and server")
server_view(view)

left, right = st.columns(2, gap="large")
with left:
    st.subheader("Hand out settings")
    handout_panel(view)
with right:
    st.subheader("Every run at once")
    class_controls(view)
    download(view)
