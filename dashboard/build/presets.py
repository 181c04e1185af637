"""The Build page's presets: ready-made networks (and the training settings that suit them)."""
from __future__ import annotations

import streamlit as st

from core.presets import PRESETS, get_preset
from dashboard import keys
from dashboard.widgets import dataset_title

from .help import HELP


def apply_preset(key: str) -> None:
    """on_click of "Apply preset": its layers replace the network's, and its training settings the Train
    page's when asked for."""
    preset = get_preset(key)
    st.session_state[keys.NETWORK] = preset.network().to_dict()
    st.session_state[keys.NET_REV] += 1
    st.session_state[keys.NET_PICK] = 0
    message = f"Applied the preset “{preset.title}”."
    if st.session_state.get(keys.PRESET_WITH_TRAIN, True) and preset.train is not None:
        st.session_state[keys.TRAIN_SPEC] = preset.train_spec().to_dict()
        message += " Its training settings are ready on the Train page."
    st.session_state[keys.NET_FLASH] = message


def preset_panel(dataset) -> None:
    """Pick a preset and apply it; one that does not suit the data says why and cannot be applied."""
    image_data = dataset.image_shape is not None
    with st.container(border=True):
        p1, p2 = st.columns([3, 2], vertical_alignment="bottom")
        chosen = get_preset(p1.selectbox("Preset", [p.key for p in PRESETS], format_func=lambda k: get_preset(k).title,
                                         key=keys.PRESET_CHOICE, help=HELP["preset"]))
        misfit = chosen.fits(dataset.task, dataset.n_classes, image_data)
        p2.button("Apply preset", type="primary", on_click=apply_preset, args=(chosen.key,),
                  disabled=misfit is not None, key=keys.PRESET_APPLY, width="stretch")
        st.caption(chosen.description)
        st.checkbox("Also use its recommended training settings", value=True, key=keys.PRESET_WITH_TRAIN,
                    help=HELP["apply_train"])
        if misfit:
            st.warning(f"Not for {dataset_title(dataset)}: {misfit}.")


def network_message() -> None:
    """What the last preset or import did, once."""
    if keys.NET_FLASH in st.session_state:
        st.success(st.session_state.pop(keys.NET_FLASH))
