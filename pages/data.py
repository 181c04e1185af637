"""Data: pick a built-in dataset or upload a CSV; see it; choose how it is split and scaled.

Every change takes effect at once: the page writes the chosen dataset's reference to
st.session_state["dataset_ref"], which every other page (and the training worker) rebuilds from.
"""
import streamlit as st

from core.data import BUILTIN, LIMITS, DataError, csv_columns_summary, infer_task, load_csv, read_csv_bytes
from dashboard.charts.data import class_balance, image_grid, scatter_2d
from dashboard.state import DEFAULT_DATASET, current_dataset_ref, dataset_for, store
from dashboard.widgets import (DATA_GROUPS, DATA_LABELS, HELP, builtin_ref, group_of, md, memo, next_step,
                               sha256)

SOURCES = ["Built-in dataset", "Upload a CSV"]
TASKS = ["auto", "classification", "regression"]


def preprocessing(ref: dict) -> dict:
    pp = ref["preprocess"]
    scaling = st.radio("Scale the inputs", ["standard", "minmax", "none"], horizontal=True,
                       index=["standard", "minmax", "none"].index(pp["scaling"]), key="data_scaling",
                       format_func={"standard": "standard", "minmax": "min-max 0..1", "none": "none"}.get,
                       help=HELP["scaling"])
    c1, c2 = st.columns(2)
    val = c1.slider("Validation share", 0.05, 0.35, min(0.35, max(0.05, pp["val_fraction"])), 0.05,
                    key="data_val", help=HELP["val_fraction"])
    test = c2.slider("Test share", 0.05, 0.35, min(0.35, max(0.05, pp["test_fraction"])), 0.05,
                     key="data_test", help=HELP["test_fraction"])
    seed = st.number_input("Split seed", 0, 10_000, int(pp["split_seed"]), key="data_split_seed",
                           help=HELP["split_seed"])
    return {"scaling": scaling, "val_fraction": round(val, 2), "test_fraction": round(test, 2),
            "split_seed": int(seed)}


def builtin_choice(ref: dict, pp: dict) -> dict:
    current = ref["name"] if ref["kind"] == "builtin" else "spiral"
    groups = list(DATA_GROUPS)
    group = st.radio("Kind of data", groups, index=groups.index(group_of(current)), key="data_group",
                     horizontal=True, help=HELP["group"])
    names = DATA_GROUPS[group]
    name = st.selectbox("Dataset", names, index=names.index(current) if current in names else 0,
                        format_func=DATA_LABELS.get, key=f"data_name_{group}")
    info = BUILTIN[name]
    st.caption(info["description"])
    values = {**info["params"], "seed": 0}
    if ref["kind"] == "builtin" and ref["name"] == name:
        values.update(ref["params"])
    params = {}
    if "n" in values:
        low, high, step = (200, 10_000, 100) if name == "biased_loans" else (50, 2_000, 50)
        params["n"] = st.slider("Number of points" if info["kind"] == "toy2d" else "Number of applicants",
                                low, high, min(high, max(low, int(values["n"]))), step, key=f"data_n_{name}",
                                help=HELP["n"])
    if "noise" in values:
        params["noise"] = st.slider("Noise", 0.0, 1.0, float(values["noise"]), 0.05, key=f"data_noise_{name}",
                                    help=HELP["noise"])
    if "classes" in values:
        params["classes"] = st.radio("Classes", [2, 3], index=[2, 3].index(int(values["classes"])),
                                     horizontal=True, key=f"data_classes_{name}", help=HELP["classes"])
    if "bias" in values:
        params["bias"] = st.slider("Bias against women in past decisions", 0.0, 1.0, float(values["bias"]), 0.05,
                                   key=f"data_bias_{name}", help=HELP["bias"])
    if info["kind"] != "real":
        params["seed"] = int(st.number_input("Seed", 0, 10_000, int(values["seed"]), key=f"data_seed_{name}",
                                             help=HELP["seed"]))
    else:
        params["seed"] = 0
    return builtin_ref(name, params, pp)


def csv_choice(ref: dict, pp: dict) -> dict | None:
    """The upload flow; the new reference when the file and the choices make a usable dataset."""
    mb = LIMITS.max_bytes // 2**20
    upload = st.file_uploader(
        "Your CSV file", type=["csv", "txt", "tsv"], key="data_upload",
        help=f"{HELP['upload']} Limits: {mb} MB, {LIMITS.max_rows:,} rows, {LIMITS.max_columns} columns, "
             f"at least {LIMITS.min_rows} rows.")
    st.caption(f"Up to {mb} MB, {LIMITS.max_rows:,} rows and {LIMITS.max_columns} columns. "
               "The file is kept in your workspace so training can read it again.")
    if upload is None:
        if ref["kind"] == "csv":
            st.info(f"Using {md(ref['name'])} (uploaded before). Upload it again to change its target or columns.")
        else:
            st.info("Choose a file to upload. Until then the current dataset stays in use.")
        return None
    data = upload.getvalue()
    digest = sha256(data)
    try:
        frame, _ = memo("csv_read", digest, lambda: read_csv_bytes(data, filename=upload.name))
    except DataError as e:
        st.error(md(f"{e} The dataset in use has not changed."))
        return None
    columns = [str(c) for c in frame.columns]
    same = ref["kind"] == "csv" and ref["sha256"] == digest
    chosen = ref["params"] if same else {}
    target_default = chosen.get("target") if chosen.get("target") in columns else columns[-1]
    target = st.selectbox("Target column (what to predict)", columns, index=columns.index(target_default),
                          key=f"data_target_{digest[:16]}", help=HELP["target"])
    try:
        guessed = infer_task(frame[target])
    except DataError:
        guessed = "classification"
    task = st.radio("Task", TASKS, index=TASKS.index(chosen.get("task") or "auto"), horizontal=True,
                    key=f"data_task_{digest[:16]}", help=HELP["task"],
                    format_func=lambda t: f"automatic ({guessed})" if t == "auto" else t)
    others = [c for c in columns if c != target]
    sensitive = st.multiselect("Sensitive columns (for the fairness audit)", others,
                               default=[c for c in chosen.get("sensitive", []) if c in others],
                               key=f"data_sensitive_{digest[:16]}_{target}", help=HELP["sensitive"])
    drop = st.multiselect("Columns to leave out", others,
                          default=[c for c in chosen.get("drop", []) if c in others],
                          key=f"data_drop_{digest[:16]}_{target}", help=HELP["drop"])
    settings = (digest, upload.name, target, task, tuple(sensitive), tuple(drop))
    try:
        dataset = memo("csv_load", settings, lambda: load_csv(
            data, filename=upload.name, target=target, task=None if task == "auto" else task,
            sensitive=sensitive, drop=drop, preprocess=None, home=store().home))
        new_ref = {**dataset.ref.to_dict(), "preprocess": pp}
    except DataError as e:
        st.error(md(f"{e} The dataset in use has not changed."))
        with st.expander("Columns of your file", expanded=True):
            st.dataframe(csv_columns_summary(frame), hide_index=True, width="stretch")
        return None
    return new_ref


def preview(dataset) -> None:
    summary = dataset.summary()
    st.subheader(md(DATA_LABELS.get(dataset.name, dataset.name)) if dataset.ref.kind == "builtin"
                 else md(dataset.name))
    rows = summary["rows"]
    kind = (f"Classification into {dataset.n_classes} classes" if dataset.task == "classification"
            else "Regression (predicting a number)")
    st.markdown(f"{kind} · target **{md(dataset.target)}**"
                + (f" · sensitive: {', '.join(md(s) for s in dataset.sensitive)}" if dataset.sensitive else ""))
    c = st.columns(4)
    c[0].metric("Training rows", rows["train"], help="Rows the network learns from.")
    c[1].metric("Validation rows", rows["val"], help=HELP["val_fraction"])
    c[2].metric("Test rows", rows["test"], help=HELP["test_fraction"])
    c[3].metric("Inputs", dataset.n_features, help="Numbers fed to the network per row (text columns become "
                                                   "one input per category).")
    if dataset.is_2d:
        st.plotly_chart(scatter_2d(dataset), width="stretch", key="data_scatter")
        st.caption("Each dot is one row; the colour is its class. Filled dots train the network; "
                   "open diamonds (validation) and crosses (test) are kept aside to check it.")
    elif dataset.image_shape is not None:
        st.plotly_chart(image_grid(dataset), width="stretch", key="data_images")
        st.caption("The first training images with their labels. Each image is 8×8 pixels — "
                   "64 inputs for a dense network, or a small picture for a convolutional one.")
    else:
        rows_tab, columns_tab = st.tabs(["Rows", "Columns"])
        with rows_tab:
            st.dataframe(dataset.raw.head(200), width="stretch", height=280)
        with columns_tab:
            st.dataframe(csv_columns_summary(dataset.raw), hide_index=True, width="stretch")
    label = "Class balance" if dataset.task == "classification" else "Target values"
    st.markdown(f"**{label}**")
    st.plotly_chart(class_balance(dataset), width="stretch", key="data_balance")
    with st.expander("How the data was prepared"):
        st.markdown("\n".join(f"- {md(note)}" for note in dataset.notes))


st.title("Data")
st.markdown("Pick what the network learns from: a toy set to watch it learn, a real table, digit images, "
            "or your own CSV. Changes take effect at once.")

ref = current_dataset_ref()
left, right = st.columns([1, 2], gap="large")
with left:
    source = st.radio("Where the data comes from", SOURCES, index=1 if ref["kind"] == "csv" else 0,
                      key="data_source", horizontal=True, help=HELP["source"])
    choice_box = st.container()
    with st.expander("Preprocessing: scaling and split", expanded=False):
        pp = preprocessing(ref)
    with choice_box:
        try:
            new_ref = builtin_choice(ref, pp) if source == SOURCES[0] else csv_choice(ref, pp)
        except DataError as e:
            st.error(md(str(e)))
            new_ref = None
if new_ref is None:                       # nothing new chosen: the preprocessing may still have changed
    new_ref = {**ref, "preprocess": pp}
st.session_state["dataset_ref"] = ref = new_ref

with right:
    try:
        dataset = dataset_for(ref)
    except DataError as e:
        st.error(md(f"{e} Glassnet switched back to the default dataset."))
        st.session_state["dataset_ref"] = ref = DEFAULT_DATASET
        dataset = dataset_for(ref)
    preview(dataset)

next_step("Build", "Next: build a network", "**Next:** design the network that will learn this data — "
          "start from a preset and change it layer by layer.")
