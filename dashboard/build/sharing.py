"""The Build page's "Save and share": the spec as JSON and the network as PyTorch code to download, and
a spec to import."""
from __future__ import annotations

import streamlit as st

from core.spec import NetworkSpec, SpecError, dumps, loads_network
from dashboard import keys
from dashboard.widgets import md, sha256, spec_message

from .architecture import network_code
from .help import HELP


def downloads(spec: NetworkSpec, dataset, n_out: int | None) -> None:
    """The spec as JSON; the PyTorch code when the layers fit together (n_out is the output's size)."""
    s1, s2 = st.columns(2)
    s1.download_button("Download spec (JSON)", dumps(spec), file_name="network.json", mime="application/json",
                       key=keys.NET_DOWNLOAD_JSON, width="stretch", on_click="ignore",
                       help="The layers as JSON: keep it, share it, or import it again here.")
    if n_out is not None:
        s2.download_button("Download PyTorch code", lambda: network_code(spec, dataset, n_out), file_name="network.py",
                           mime="text/x-python", key=keys.NET_DOWNLOAD_CODE, width="stretch", on_click="ignore",
                           help="A standalone Python file that defines this network in PyTorch.")


def import_box() -> None:
    """The spec uploader; a file imported replaces the network."""
    upload = st.file_uploader("Import a spec (JSON)", type=["json"], key=keys.NET_IMPORT, help=HELP["import"])
    if upload is not None:
        import_spec(upload)


def import_spec(upload) -> None:
    """Replace the network with an uploaded spec (once per file); a bad file changes nothing."""
    data = upload.getvalue()
    digest = sha256(data)
    if st.session_state.get(keys.NET_IMPORTED, (None,))[0] != digest:
        try:
            imported = loads_network(data.decode("utf-8", errors="replace"))
            st.session_state[keys.NETWORK] = imported.to_dict()
            st.session_state[keys.NET_REV] += 1
            st.session_state[keys.NET_IMPORTED] = (digest, None)
            st.session_state[keys.NET_FLASH] = f"Imported {len(imported.layers)} layers from {md(upload.name)}."
            st.rerun()
        except SpecError as e:
            st.session_state[keys.NET_IMPORTED] = (digest, f"{md(upload.name)} was not imported: "
                                                           f"{md(spec_message(e))}. Your current network is unchanged.")
    if st.session_state[keys.NET_IMPORTED][1]:
        st.error(st.session_state[keys.NET_IMPORTED][1])
