"""The Join form: what a class-mode server shows instead of any page until the session has joined."""
from __future__ import annotations

import streamlit as st

from core.runs import MAX_NAME, JoinError, Store, StoreError, join, token_for
from dashboard import keys
from dashboard.text import md_plain as md


def join_page(workspace: Store) -> None:
    """The form; a successful join puts the person's token in the session and the address, then reruns."""
    st.title("Join the class")
    st.caption("This Glassnet server is shared by a class. Join with your name and the class code to get a "
               "space of your own: the runs you train and the files you upload are yours alone.")
    problem = st.session_state.pop("_who_problem", None)
    if problem:
        st.warning(md(problem), icon=":material/key_off:")
    st.session_state.setdefault(keys.JOIN_CODE, st.query_params.get("code", ""))
    with st.form("join_form", border=True):
        st.text_input("Your name", key=keys.JOIN_NAME, max_chars=MAX_NAME, placeholder="e.g. Ada L.",
                      help="As your teacher will recognise it. Others in the class never see it.")
        st.text_input("Class code", key=keys.JOIN_CODE, placeholder="e.g. K7QM-X3PD",
                      help="The code your teacher shows; the join link fills it in.")
        with st.expander("Teacher?"):
            st.text_input("Teacher key", key=keys.JOIN_KEY, type="password",
                          help="The key printed where the server was started. With it you see every run of the "
                               "class.")
        pressed = st.form_submit_button("Join", type="primary")
    if pressed:
        _join(workspace)


def _join(workspace: Store) -> None:
    code = st.session_state.get(keys.JOIN_KEY) or st.session_state.get(keys.JOIN_CODE)
    try:
        person = join(workspace, st.session_state.get(keys.JOIN_NAME), code)
        token = token_for(workspace, person)
    except JoinError as e:
        st.error(md(e), icon=":material/person_off:")
        return
    except StoreError:
        st.error("This server cannot admit anyone right now: its class keys cannot be read. Tell whoever runs "
                 "the server; they can make new ones.", icon=":material/error:")
        return
    st.session_state[keys.WHO] = token
    st.session_state.pop(keys.JOIN_KEY, None)
    if "code" in st.query_params:
        del st.query_params["code"]
    st.query_params["who"] = token
    st.rerun()
