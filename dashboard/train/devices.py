"""Where training can run: the devices this machine has (found once per server process)."""
from __future__ import annotations

import gc

import streamlit as st

_heap_frozen = False


def freeze_heap() -> None:
    """Once per server process, after torch is imported: collect, then move every object alive into
    the garbage collector's permanent generation. Torch's hundreds of thousands of objects are then
    no longer walked by each full collection (~200 ms → ~50 ms each, and a polling tab triggers
    them every few seconds)."""
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.collect()
        gc.freeze()


@st.cache_resource(show_spinner=False)
def available_devices() -> list[str]:
    from core.training import available_devices as found   # imports torch: only when the page needs it
    freeze_heap()
    return found()
