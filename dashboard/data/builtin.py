"""The Data page's built-in datasets: the kind of data, the dataset, and its parameters."""
from __future__ import annotations

import streamlit as st

from core.data import BUILTIN, balanced_share
from dashboard import keys
from dashboard.widgets import DATA_LABELS

from .help import HELP

DATA_GROUPS = {
    "2-D toy sets": ["spiral", "moons", "circles", "xor", "blobs", "regression2d"],
    "Real tables": ["iris", "wine", "breast_cancer", "nines", "diabetes"],
    "Images": ["digits"],
    "Fairness": ["german_credit", "biased_loans", "two_groups"],
}


def builtin_choice(ref: dict, pp: dict) -> dict:
    """The reference of the built-in dataset chosen, with preprocessing `pp`; raises DataError when invalid."""
    current = ref["name"] if ref["kind"] == "builtin" else "spiral"
    groups = list(DATA_GROUPS)
    group = st.radio("Kind of data", groups, index=groups.index(group_of(current)), key=keys.DATA_GROUP,
                     horizontal=True, help=HELP["group"])
    names = DATA_GROUPS[group]
    name = st.selectbox("Dataset", names, index=names.index(current) if current in names else 0,
                        format_func=DATA_LABELS.get, key=keys.dataset_in_group(group))
    info = BUILTIN[name]
    st.caption(info["description"])
    values = {**info["params"], "seed": 0}
    if ref["kind"] == "builtin" and ref["name"] == name:
        values.update(ref["params"])
    return builtin_ref(name, parameters(name, info, values), pp)


def parameters(name: str, info: dict, values: dict) -> dict:
    """The widgets of the parameters the dataset takes, starting at `values`; returns their values."""
    params = {}
    if "n" in values:
        low, high, step = (200, 10_000, 100) if name == "biased_loans" else (50, 2_000, 50)
        params["n"] = st.slider("Number of points" if info["kind"] == "toy2d" else "Number of applicants",
                                low, high, min(high, max(low, int(values["n"]))), step,
                                key=keys.dataset_param("n", name), help=HELP["n"])
    if "noise" in values:
        params["noise"] = st.slider("Noise", 0.0, 1.0, float(values["noise"]), 0.05,
                                    key=keys.dataset_param("noise", name), help=HELP["noise"])
    if "classes" in values:
        params["classes"] = st.radio("Classes", [2, 3], index=[2, 3].index(int(values["classes"])),
                                     horizontal=True, key=keys.dataset_param("classes", name), help=HELP["classes"])
    if "minority" in info.get("options", {}):
        params.update(minority_share(name, values, params.get("classes", 2)))
    if "bias" in values:
        against = "group B" if name == "two_groups" else "women"
        params["bias"] = st.slider(f"Bias against {against} in past decisions", 0.0, 1.0, float(values["bias"]), 0.05,
                                   key=keys.dataset_param("bias", name), help=HELP["bias"])
    if info["kind"] != "real":
        params["seed"] = int(st.number_input("Seed", 0, 10_000, int(values["seed"]),
                                             key=keys.dataset_param("seed", name), help=HELP["seed"]))
    else:
        params["seed"] = 0
    return params


def minority_share(name: str, values: dict, classes: int) -> dict:
    """The "Minority share" slider: {"minority": share} when it makes the classes unequal, else {} (balanced,
    so the reference stays the one made without the knob)."""
    balanced = balanced_share(classes)
    start = min(0.5, max(0.02, float(values.get("minority", 0.5))))
    rare = "class 1" if classes == 2 else f"class {classes - 1}"
    share = st.slider("Minority share", 0.02, 0.5, start, 0.01, key=keys.dataset_param("minority", name),
                      help=HELP["minority"] + f" Here the rare class is {rare}"
                      + ("." if classes == 2 else "; from a third up the three classes are balanced."))
    return {"minority": share} if share < balanced - 1e-9 else {}


def group_of(name: str) -> str:
    return next((g for g, names in DATA_GROUPS.items() if name in names), "2-D toy sets")


def builtin_ref(name: str, params: dict, preprocess: dict) -> dict:
    """The dataset_ref of a built-in dataset (params include "seed"); raises DataError when invalid."""
    from core.data import DatasetRef, Preprocess

    return DatasetRef(kind="builtin", name=name, params=dict(params),
                      preprocess=Preprocess.from_dict(preprocess)).to_dict()
