"""Who this session is, and the store and uploads folder as that person may use them.

GLASSNET_MODE chooses the mode: `personal` (the default) is one person who reaches everything, as the
app always did; `class` (what `make class` starts) admits a session only once it has joined — the Join
form stands in for every page until then — and scopes the store to the person who joined. The person is
named by a signed token in the address (?who=...): the session keeps it too and puts it back after a page
switch, so a refresh, a reconnect or a link to another page finds the same person.
"""
from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from core.data import space_folder
from core.runs import (PERSONAL, NotYours, Person, Store, StoreError, TokenError, class_members, person_for,
                       scoped)
from dashboard import keys
from dashboard.text import md_plain as md

MODES = ("personal", "class")
MODE_VARIABLE = "GLASSNET_MODE"


def mode() -> str:
    """The server's mode as GLASSNET_MODE names it (unset: personal); checked by admitted()."""
    return os.environ.get(MODE_VARIABLE, "").strip().lower() or "personal"


def class_mode() -> bool:
    return mode() == "class"


def session_person(workspace: Store) -> Person | None:
    """The person this session is: personal mode's one person, or in class mode whoever the URL's (else the
    session's) token names; None before joining or when the token is refused (the reason is kept for the
    Join form)."""
    if not class_mode():
        return PERSONAL
    token = st.query_params.get("who") or st.session_state.get(keys.WHO)
    if not token:
        return None
    try:
        person = person_for(workspace, token)
    except TokenError as e:
        st.session_state.pop(keys.WHO, None)
        st.session_state["_who_problem"] = f"This page's sign-in was refused: {e}."
        return None
    st.session_state[keys.WHO] = token
    return person


def view(workspace: Store):
    """The store as this session's person may use it (personal mode: the store itself)."""
    if not class_mode():
        return workspace
    person = session_person(workspace)
    if person is None:           # never reached by a page (app.py admits none before joining): refuse all
        raise StoreError("join the class first: open the join link your teacher gave you")
    kept = st.session_state.get(keys.WHO_VIEW)
    if kept and kept[0] == person.id and kept[1].store is workspace:
        return kept[1]
    scope = scoped(workspace, person)
    st.session_state[keys.WHO_VIEW] = (person.id, scope)
    return scope


def uploads_home(workspace: Store) -> Path:
    """Where this session's uploads are kept: a student's own space, else the workspace."""
    person = session_person(workspace)
    if person is not None and person.role == "student":
        return space_folder(workspace.home, person.id)
    return workspace.home


def keep_token_in_url() -> None:
    """Put the session's token back into the address after a page switch dropped it (the run, if any, stays)."""
    token = st.session_state.get(keys.WHO)
    if token and st.query_params.get("who") != token:
        st.query_params["who"] = token


def foreign_run_notice(workspace: Store) -> None:
    """When the address names another person's run: say so once and take it out of the address, so every
    page goes on as if no run were named."""
    run_id = st.query_params.get("run")
    if not run_id:
        return
    try:
        view(workspace).get_run(run_id)
    except NotYours:
        st.warning("This run belongs to someone else: you can open only the runs you started. Yours are listed "
                   "on the Runs page.", icon=":material/lock:")
        del st.query_params["run"]
        if st.session_state.get("_current_run") == run_id:
            st.session_state["_current_run"] = None
    except StoreError:
        pass


def sidebar(person: Person) -> None:
    """Who is signed in, and how to come back as them."""
    if person.role == "teacher":
        what = "Teacher: you see every run of the class."
    else:
        what = "Your runs and uploads are yours alone."
    st.sidebar.caption(f"Signed in as **{md(person.name)}**. {what} This page's address signs you in: bookmark "
                       "it to come back, and share it with nobody.")


def admitted(open_workspace) -> bool:
    """Whether this session may see the pages: always in personal mode; in class mode once it has joined
    (until then the Join form is drawn instead). An unknown GLASSNET_MODE admits nobody and says why.
    `open_workspace()` gives the session's Store; personal mode does not open it here."""
    from dashboard.join import join_page
    if mode() not in MODES:
        st.error(f"This server's {MODE_VARIABLE} is “{md(mode())}”: set it to personal or class and start the "
                 "server again.", icon=":material/error:")
        return False
    if not class_mode():
        return True
    workspace = open_workspace()
    person = session_person(workspace)
    if person is None:
        join_page(workspace)
        return False
    keep_token_in_url()
    foreign_run_notice(workspace)
    sidebar(person)
    return True


def cache_scope(store) -> str:
    """What a server-wide cache keys a run's loaded network or predictions by, besides the run: the
    workspace and the person whose view loaded it, so no cached object serves another person."""
    person = getattr(store, "person", None)
    return f"{store.home}#{getattr(person, 'id', None) or ''}"


def whose_runs(store) -> str:
    """How the Runs page names what it lists: the workspace's runs, a student's own or the whole class's."""
    person = getattr(store, "person", None)
    if person is None or person.role == "personal":
        return "Every run in this workspace."
    return "Every run of the class." if person.role == "teacher" else "Every run you started."


def owner_names(store) -> dict | None:
    """For the teacher's view: person id → display name of everyone in the class (None for anyone else)."""
    person = getattr(store, "person", None)
    if person is None or person.role != "teacher":
        return None
    return {p.id: p.name for p in class_members(store.store)}
