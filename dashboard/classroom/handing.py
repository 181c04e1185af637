"""The teacher hands their own data, network and training settings out to the class (kept in the run
store by core.classroom): every student's Data, Build and Train pages then open with them (prefill.py)."""
from __future__ import annotations

import time

import streamlit as st

from core.classroom import HandoutError, current_handout, hand_out, withdraw_handout
from core.presets import default_network
from core.spec import TrainSpec
from dashboard import keys
from dashboard.state import current_dataset_ref
from dashboard.text import md_plain as md

from .flash import flash, show_flash
from .summary import settings_words


def teachers_settings() -> tuple[dict, dict, dict]:
    """The teacher's own data, network and training settings, as their pages keep them."""
    return (current_dataset_ref(), st.session_state.get(keys.NETWORK) or default_network().to_dict(),
            {**TrainSpec().to_dict(), **(st.session_state.get(keys.TRAIN_SPEC) or {})})


def _hand_out(view) -> None:
    try:
        hand_out(view, *teachers_settings())
    except HandoutError as e:
        flash("handout", "error", md(e))
        return
    flash("handout", "success", "Handed out: students who have not chosen their own settings get them on their "
          "next click; the others get a button to take them.")


def _withdraw(view) -> None:
    withdraw_handout(view)
    flash("handout", "info", "The hand-out is taken back; students keep the settings they have.")


def handout_panel(view) -> None:
    """Your settings, the hand-out now, and the buttons that hand out or take back."""
    st.markdown(f"**Your settings:** {settings_words(*teachers_settings())}")
    current = current_handout(view)
    if current is None:
        st.caption("Nothing handed out yet: students start from the app's defaults.")
    else:
        when = time.strftime("%H:%M", time.localtime(current.time))
        st.caption(f"Handed out at {when}: {settings_words(*current.settings)}")
    left, right = st.columns(2)
    left.button("Hand out my settings", key=keys.CLASS_HAND_OUT, on_click=_hand_out, args=(view,),
                icon=":material/school:", type="primary", width="stretch",
                help="Change them on the Data, Build and Train pages first, then hand them out.")
    right.button("Take the hand-out back", key=keys.CLASS_WITHDRAW, on_click=_withdraw, args=(view,),
                 disabled=current is None, width="stretch")
    show_flash("handout")
