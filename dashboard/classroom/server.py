"""The server as the teacher sees it, polled: the runs waiting for a worker (who, their place, about how
long), how busy the workers are, the load average and the memory in use."""
from __future__ import annotations

import streamlit as st

from core.classroom import machine
from dashboard.text import md_plain as md

POLL_S = 3.0


def _bytes(n: int) -> str:
    return f"{n / 2 ** 30:.1f} GB"


def load_line() -> str:
    """'Load 3.2 on 2 cores (1-minute average) · memory 7.1 of 23.5 GB in use', or what the system does not tell."""
    m = machine()
    parts = []
    if m.load is not None:
        parts.append(f"load {m.load[0]:.1f} on {m.cores} core{'s' if m.cores != 1 else ''} (1-minute average; "
                     f"{m.load[2]:.1f} over 15 minutes)")
    if m.memory_used_fraction is not None:
        parts.append(f"memory {_bytes(m.memory_total - m.memory_available)} of {_bytes(m.memory_total)} in use")
    return ("The machine: " + " · ".join(parts) + ".") if parts else "This system does not tell its load or memory."


def server_view(view) -> None:
    st.fragment(_server, run_every=POLL_S)(view)


def _server(view) -> None:
    st.markdown(md(load_line()))
