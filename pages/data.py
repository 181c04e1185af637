"""Data: pick a built-in dataset, upload a CSV or reopen an earlier upload; see it; choose how it is
split and scaled.

Every change takes effect at once: the page writes the chosen dataset's reference to
st.session_state["dataset_ref"], which every other page (and the training worker) rebuilds from.
"""
import time

import streamlit as st

from core import fairness as F
from core.data import (BUILTIN, LIMITS, DataError, csv_columns_summary, delete_upload, infer_task, load_csv,
                       load_upload, read_csv_bytes, read_upload, remember_upload_settings, uploaded_csvs)
from dashboard.charts.data import class_balance, image_grid, scatter_2d
from dashboard.state import DEFAULT_DATASET, current_dataset_ref, dataset_for, ready_to_train, store
from dashboard.widgets import (DATA_GROUPS, DATA_LABELS, HELP, builtin_ref, dataset_title, group_of, md, memo,
                               next_step, sha256)

SOURCES = ["Built-in dataset", "Upload a CSV", "Your uploads"]
TASKS = ["auto", "classification", "regression"]
PP_KEYS = ("data_scaling", "data_val", "data_test", "data_split_seed")
PREFILL = "_data_pp_prefill"      # preprocessing to start from after picking an earlier upload
FLASH = "_data_flash"             # a message for the next run, e.g. after removing an upload
ASK_REMOVE = "_data_remove"       # id of the upload whose removal awaits confirmation


def preprocessing(ref: dict) -> dict:
    pp = st.session_state.pop(PREFILL, None) or ref["preprocess"]
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
        against = "group B" if name == "two_groups" else "women"
        params["bias"] = st.slider(f"Bias against {against} in past decisions", 0.0, 1.0, float(values["bias"]), 0.05,
                                   key=f"data_bias_{name}", help=HELP["bias"])
    if info["kind"] != "real":
        params["seed"] = int(st.number_input("Seed", 0, 10_000, int(values["seed"]), key=f"data_seed_{name}",
                                             help=HELP["seed"]))
    else:
        params["seed"] = 0
    return builtin_ref(name, params, pp)


def csv_controls(frame, digest: str, chosen: dict) -> tuple:
    """Target, task, sensitive and dropped columns of a table; the same for a fresh and an earlier upload."""
    columns = [str(c) for c in frame.columns]
    key = digest[:16]
    target_default = chosen.get("target") if chosen.get("target") in columns else columns[-1]
    target = st.selectbox("Target column (what to predict)", columns, index=columns.index(target_default),
                          key=f"data_target_{key}", help=HELP["target"])
    try:
        guessed = infer_task(frame[target])
    except DataError:
        guessed = "classification"
    task = st.radio("Task", TASKS, index=TASKS.index(chosen.get("task") or "auto"), horizontal=True,
                    key=f"data_task_{key}", help=HELP["task"],
                    format_func=lambda t: f"automatic ({guessed})" if t == "auto" else t)
    others = [c for c in columns if c != target]
    sensitive = st.multiselect("Sensitive columns (for the fairness audit)", others,
                               default=[c for c in chosen.get("sensitive") or [] if c in others],
                               key=f"data_sensitive_{key}_{target}", help=HELP["sensitive"])
    drop = st.multiselect("Columns to leave out", others,
                          default=[c for c in chosen.get("drop") or [] if c in others],
                          key=f"data_drop_{key}_{target}", help=HELP["drop"])
    return target, None if task == "auto" else task, sensitive, drop


def load_or_explain(frame, compute) -> dict | None:
    """The new reference from compute() (a Dataset), or None after showing why it cannot be used."""
    try:
        dataset = compute()
    except DataError as e:
        st.error(md(f"{e} The dataset in use has not changed."))
        with st.expander("Columns of your file", expanded=True):
            st.dataframe(csv_columns_summary(frame), hide_index=True, width="stretch")
        return None
    return dataset.ref.to_dict()


def csv_choice(ref: dict, pp: dict) -> dict | None:
    """The upload flow; the new reference when the file and the choices make a usable dataset."""
    mb = LIMITS.max_bytes // 2**20
    upload = st.file_uploader(
        "Your CSV file", type=["csv", "txt", "tsv"], key="data_upload",
        help=f"{HELP['upload']} Limits: {mb} MB, {LIMITS.max_rows:,} rows, {LIMITS.max_columns} columns, "
             f"at least {LIMITS.min_rows} rows.")
    st.caption(f"Up to {mb} MB, {LIMITS.max_rows:,} rows and {LIMITS.max_columns} columns. "
               "The file is kept in your workspace so training can read it again, and so you can "
               "reopen it under Your uploads.")
    if upload is None:
        if ref["kind"] == "csv":
            st.info(f"Using {md(ref['name'])} (uploaded before). To change its target or columns, "
                    "open it under Your uploads — no need to upload it again.")
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
    same = ref["kind"] == "csv" and ref["sha256"] == digest
    target, task, sensitive, drop = csv_controls(frame, digest, ref["params"] if same else {})
    settings = (digest, upload.name, target, task, tuple(sensitive), tuple(drop))
    new_ref = load_or_explain(frame, lambda: memo("csv_load", settings, lambda: load_csv(
        data, filename=upload.name, target=target, task=task, sensitive=sensitive, drop=drop,
        preprocess=None, home=store().home)))
    return None if new_ref is None else {**new_ref, "preprocess": pp}


# ---------------------------------------------------------------- earlier uploads

def when(t: float) -> str:
    """An upload time as people write it: "23 Nov, 14:05" this year, "23 Nov 2024, 14:05" before."""
    local = time.localtime(t)
    same_year = local.tm_year == time.localtime().tm_year
    return time.strftime("%d %b, %H:%M" if same_year else "%d %b %Y, %H:%M", local).lstrip("0")


def upload_label(u) -> str:
    if not u.ok:
        return f"{u.name} · cannot be opened"
    return f"{u.name} · {u.rows:,} rows × {u.columns} columns · {when(u.uploaded)}"


def picked_upload() -> None:
    """on_change of the uploads list: the file's controls and the split start from its last settings."""
    sha = st.session_state.get("data_saved_upload")
    st.session_state.pop(ASK_REMOVE, None)
    if not sha:
        return
    upload = next((u for u in uploaded_csvs(store().home) if u.id == sha), None)
    if upload is None or not upload.ok:
        return
    stale = tuple(f"data_{what}_{sha[:16]}" for what in ("target", "task", "sensitive", "drop"))
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(stale)]:
        del st.session_state[key]
    for key in PP_KEYS:
        st.session_state.pop(key, None)
    st.session_state[PREFILL] = upload.preprocess


def runs_using(sha: str) -> list:
    try:
        return [r for r in store().list_runs() if (r.dataset or {}).get("sha256") == sha]
    except Exception:           # the list is only for a warning; the removal itself does not need it
        return []


def remove_upload(sha: str, name: str) -> None:
    """on_click of "Yes, remove it"."""
    st.session_state.pop(ASK_REMOVE, None)
    if any(r.active for r in runs_using(sha)):
        st.session_state[FLASH] = ("error", f"{name} is being used by a run that is training now; "
                                            "stop that run on the Train page first, then remove the file.")
        return
    try:
        delete_upload(store().home, sha)
    except DataError as e:
        st.session_state[FLASH] = ("error", str(e))
        return
    st.session_state.pop("data_saved_upload", None)
    message = f"Removed {name} from this workspace."
    if current_dataset_ref().get("sha256") == sha:
        st.session_state["dataset_ref"] = DEFAULT_DATASET
        message += f" It was in use, so the {DATA_LABELS[DEFAULT_DATASET['name']]} dataset is in use again."
    st.session_state[FLASH] = ("success", message)


def removal(upload) -> None:
    """Remove an earlier upload, after a confirmation."""
    if st.session_state.get(ASK_REMOVE) != upload.id:
        st.button("Remove this upload…", key="data_remove_ask", help=HELP["remove_upload"],
                  on_click=lambda: st.session_state.__setitem__(ASK_REMOVE, upload.id))
        return
    runs = runs_using(upload.id)
    used = (f" {len(runs)} run{'s were' if len(runs) != 1 else ' was'} trained on it; "
            f"{'they stay' if len(runs) != 1 else 'it stays'} listed but cannot be evaluated again "
            "until the file is uploaded again." if runs else "")
    st.warning(f"Remove {md(upload.name)} from this workspace?{used}")
    yes, no = st.columns(2)
    yes.button("Yes, remove it", key="data_remove_yes", type="primary", help=HELP["remove_yes"],
               on_click=remove_upload, args=(upload.id, upload.name))
    no.button("Keep it", key="data_remove_no", help=HELP["remove_no"],
              on_click=lambda: st.session_state.pop(ASK_REMOVE, None))


def saved_choice(ref: dict, pp: dict) -> dict | None:
    """Reopen a CSV uploaded earlier in this workspace; the new reference when the choices make a usable dataset."""
    home = store().home
    uploads = uploaded_csvs(home)
    if not uploads:
        st.info("No CSV files have been uploaded in this workspace yet. Upload one under Upload a CSV; "
                "it is kept here, so you can come back to it without uploading it again.")
        return None
    by_id = {u.id: u for u in uploads}
    ids = list(by_id)
    current = ref.get("sha256") if ref["kind"] == "csv" else None
    sha = st.selectbox("Earlier upload", ids, index=ids.index(current) if current in by_id else None,
                       format_func=lambda i: upload_label(by_id[i]), key="data_saved_upload",
                       placeholder="Choose a file uploaded earlier", on_change=picked_upload,
                       help=HELP["uploads"])
    if sha not in by_id:
        st.caption("Until you choose one, the current dataset stays in use.")
        return None
    upload = by_id[sha]
    if not upload.ok:
        st.error(md(f"{upload.problem} The dataset in use has not changed."))
        removal(upload)
        return None
    st.caption(f"{md(upload.name)}: {upload.rows:,} rows × {upload.columns} columns, "
               f"{upload.size / 1024:,.1f} kB, uploaded {when(upload.uploaded)}.")
    try:
        frame, _ = memo("upload_read", (sha, upload.size),
                        lambda: read_csv_bytes(read_upload(home, sha), filename=upload.name))
    except DataError as e:
        st.error(md(f"{e} The dataset in use has not changed."))
        removal(upload)
        return None
    chosen = ref["params"] if current == sha else upload.settings
    target, task, sensitive, drop = csv_controls(frame, sha, chosen)
    settings = (sha, upload.size, upload.name, target, task, tuple(sensitive), tuple(drop))
    new_ref = load_or_explain(frame, lambda: memo("upload_load", settings, lambda: load_upload(
        home, sha, target=target, task=task, sensitive=sensitive, drop=drop)))
    removal(upload)
    return None if new_ref is None else {**new_ref, "preprocess": pp}


def preview(dataset) -> None:
    summary = dataset.summary()
    st.subheader(dataset_title(dataset))
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
        by_group, groups, order = None, None, None
        if dataset.sensitive and dataset.task == "classification":
            column = dataset.sensitive[0]
            if st.toggle(f"Colour the points by {md(column)}", key="data_by_group",
                         help="Colour = the point's group, shape = its class: see where each group lies. "
                              "Numbers with many values are cut into bands at the training rows' quartiles."):
                try:
                    groups, order = F.row_groups(dataset, column)
                    by_group = column
                except F.FairnessError as e:
                    st.warning(f"{md(str(e))} The points keep their class colours.", icon=":material/group:")
        st.plotly_chart(scatter_2d(dataset, groups=groups, group_title=by_group or "", group_order=order),
                        width="stretch", key="data_scatter")
        if by_group:
            st.caption(f"Each mark is one row; the colour is its {md(by_group)}, the shape its class. The network "
                       "sees only the two inputs: if the groups sit in different places, where a point lies gives "
                       "its group away.")
        else:
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
ready_to_train()
st.markdown("Pick what the network learns from: a toy set to watch it learn, a real table, digit images, "
            "or your own CSV. Changes take effect at once.")

ref = previous = current_dataset_ref()
left, right = st.columns([1, 2], gap="large")
with left:
    source = st.radio("Where the data comes from", SOURCES, index=2 if ref["kind"] == "csv" else 0,
                      key="data_source", horizontal=True, help=HELP["source"])
    flash = st.session_state.pop(FLASH, None)
    if flash:
        (st.success if flash[0] == "success" else st.error)(md(flash[1]))
    choice_box = st.container()
    with st.expander("Preprocessing: scaling and split", expanded=False):
        pp = preprocessing(ref)
    with choice_box:
        choose = {SOURCES[0]: builtin_choice, SOURCES[1]: csv_choice, SOURCES[2]: saved_choice}[source]
        try:
            new_ref = choose(ref, pp)
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
if ref["kind"] == "csv" and ref != previous:
    try:                                  # the file's last used settings, for reopening it under Your uploads
        remember_upload_settings(store().home, ref)
    except DataError:
        pass

next_step("Build", "Next: build a network", "**Next:** design the network that will learn this data — "
          "start from a preset and change it layer by layer.")
