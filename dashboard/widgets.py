"""What several pages share: safe text (a spec's error as the page words it, a file's hash), the
"what to do next" footer, and how a dataset is named. Each page's tooltips live in its own package.

Everything here that does not need Streamlit is a plain function, so tests can call it directly.
"""
from __future__ import annotations

import hashlib

import streamlit as st

from dashboard.text import md_plain as md  # noqa: F401  (the pages import it from here)

# ---------------------------------------------------------------- safe text

def spec_message(error: Exception) -> str:
    """A SpecError's text, the layer it names (layers[i]) called the 1-based "Layer i+1" the page shows."""
    text = str(error)
    layer = getattr(error, "layer", None)
    if layer is not None:
        inside = f".{error.layer_field}" if error.layer_field else ""
        text = f"Layer {layer + 1}{inside}{error.detail}"
    return text[:1].upper() + text[1:]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- page parts

def next_step(page_title: str, label: str, text: str) -> None:
    """The "what to do next" footer every page ends with."""
    from dashboard.state import PAGES, page

    st.divider()
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.markdown(text)
    if any(p.title == page_title for p in PAGES):
        with right:
            st.page_link(page(page_title), label=label, icon=":material/arrow_forward:")


# ---------------------------------------------------------------- dataset choices

DATA_LABELS = {
    "spiral": "Spiral", "moons": "Moons", "circles": "Circles", "xor": "XOR", "blobs": "Blobs",
    "regression2d": "Wavy surface (regression)", "iris": "Iris flowers", "wine": "Wine",
    "breast_cancer": "Breast cancer", "nines": "Is it a 9? (digits, imbalanced)", "diabetes": "Diabetes (regression)",
    "digits": "Handwritten digits (8×8)",
    "german_credit": "German credit", "biased_loans": "Biased loans (synthetic)",
    "two_groups": "Two groups (2-D, synthetic)",
}


def dataset_title(ds) -> str:
    """How the pages name a dataset, as Markdown-safe text: a built-in set's label ("Two groups
    (2-D, synthetic)"), else the uploaded file's name."""
    builtin = getattr(getattr(ds, "ref", None), "kind", None) == "builtin"
    return md(DATA_LABELS.get(ds.name, ds.name) if builtin else ds.name)
