"""A student's pages and the class's hand-out: a student who has not chosen settings of their own opens the
Data, Build and Train pages with what the teacher handed out, and each page says "Set by your teacher"; a
student who has chosen their own gets a button to take the hand-out instead.

"Not chosen" means each of the session's data, network and training settings is unset, the app's default,
or the hand-out this session took before — so a new hand-out reaches a student who kept the last one.
"""
from __future__ import annotations

import streamlit as st

from core.classroom import Handout, current_handout
from core.data import DatasetRef
from core.presets import default_network
from core.spec import NetworkSpec, TrainSpec
from dashboard import keys, people
from dashboard.state import DEFAULT_DATASET, workspace

from .summary import settings_words

PARTS = (keys.DATASET_REF, keys.NETWORK, keys.TRAIN_SPEC)
DATA_WIDGETS = (keys.DATA_SOURCE, keys.DATA_GROUP, keys.DATA_SAVED_UPLOAD, *keys.DATA_PREPROCESS)


def student_handout() -> Handout | None:
    """The class's hand-out when this session is a student's and there is one; None otherwise."""
    if not people.class_mode():
        return None
    person = people.session_person(workspace())
    if person is None or person.role != "student":
        return None
    return current_handout(workspace())


def _same(a, b) -> bool:
    return a is not None and b is not None and a == b


def _kept_form(part: int, value) -> dict | None:
    """One part's settings in the form the pages keep them (None when unset or unreadable), so that two
    spellings of the same settings compare equal."""
    if not isinstance(value, dict):
        return None
    try:
        if part == 0:
            return DatasetRef.from_dict(value).to_dict()
        if part == 1:
            return NetworkSpec.from_dict(value).to_dict()
        return TrainSpec.from_dict({**TrainSpec().to_dict(), **value}).to_dict()
    except (TypeError, ValueError):
        return None


def _mine(part: int) -> dict | None:
    return _kept_form(part, st.session_state.get(PARTS[part]))


DEFAULTS = (DEFAULT_DATASET, default_network().to_dict(), TrainSpec().to_dict())


def unchosen() -> bool:
    """Whether none of the session's settings was chosen by the student (see the module's note)."""
    taken = st.session_state.get(keys.HANDOUT_TAKEN)
    before = taken[1] if isinstance(taken, tuple) else (None, None, None)
    for part in range(len(PARTS)):
        if st.session_state.get(PARTS[part]) is None:
            continue
        mine = _mine(part)
        if not (_same(mine, _kept_form(part, DEFAULTS[part])) or _same(mine, _kept_form(part, before[part]))):
            return False
    return True


def take(handout: Handout) -> None:
    """Put the hand-out's settings in the session; the Data and Build pages' widgets start again from them
    (the Train page's follow by themselves: its spec changed elsewhere)."""
    for key, value in zip(PARTS, handout.settings):
        st.session_state[key] = value
    for key in DATA_WIDGETS:
        st.session_state.pop(key, None)
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith("data_name_")]:
        del st.session_state[key]
    st.session_state[keys.NET_REV] = st.session_state.get(keys.NET_REV, 0) + 1
    st.session_state[keys.NET_PICK] = 0
    st.session_state[keys.HANDOUT_TAKEN] = (handout.time, handout.settings)


def take_handout_if_unchosen() -> None:
    """Before any page of a student's session: take a hand-out they have not taken yet when they have not
    chosen settings of their own (a run opened by its address keeps that run's settings instead)."""
    handout = student_handout()
    if handout is None:
        return
    taken = st.session_state.get(keys.HANDOUT_TAKEN)
    if isinstance(taken, tuple) and taken[0] == handout.time:
        return
    fresh = not any(isinstance(st.session_state.get(k), dict) for k in PARTS)
    if fresh and st.query_params.get("run"):
        return
    if unchosen():
        take(handout)


def handout_note(part: int) -> None:
    """On the Data (part 0), Build (1) and Train (2) page of a student: "Set by your teacher" when the page's
    settings are the hand-out's, else a button to take the hand-out."""
    handout = student_handout()
    if handout is None:
        return
    if _same(_mine(part), _kept_form(part, handout.settings[part])):
        st.caption("Set by your teacher.", help="Your teacher handed these settings out to the class. Change "
                   "anything you like: what you change is yours.")
        return
    with st.container(border=True):
        st.markdown(f"Your teacher handed out settings for the class: {settings_words(*handout.settings)}.")
        st.button("Use your teacher's settings", key=keys.HANDOUT_TAKE, on_click=take, args=(handout,),
                  icon=":material/school:", help="Your data, network and training settings become the "
                  "hand-out's; your runs are not touched.")
