"""The Class page is the teacher's: anyone else is told so, and sees nothing of the class."""
from __future__ import annotations

import streamlit as st

from core.classroom import TeachersOnly, is_teacher, teacher_view
from dashboard.state import store


def teacher_store():
    """The teacher's view of the store; None after saying why the page shows nothing (a student, or
    personal mode)."""
    view = store()
    if is_teacher(view):
        return view
    try:
        teacher_view(view)
    except TeachersOnly as e:
        st.info(str(e), icon=":material/lock:")
    return None
