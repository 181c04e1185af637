"""What the pages share: the page list, the session's workspace store, and the current
dataset, network spec, training spec and run — in one place.

Session keys (plain JSON-able values, so they survive page switches; named in dashboard/keys.py):
    keys.DATASET_REF   DatasetRef.to_dict() of the chosen dataset
    keys.NETWORK       NetworkSpec.to_dict() being edited on the Build page
    keys.TRAIN_SPEC    TrainSpec.to_dict() being edited on the Train page
The current run lives in the URL (?run=ID) so a browser refresh keeps it. The pages reach runs through
store(), the workspace as the session's person may use it (dashboard/people.py: in class mode a student's
own runs; the person's signed token lives in the URL beside the run, ?who=...).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from core.runs import Store, StoreError, keep_standby_worker, recover, warm_up
from core.runs.db import database_url
from core.runs.store import DatabaseUnavailable
from dashboard import keys, people


@dataclass(frozen=True)
class PageInfo:
    file: str
    title: str
    icon: str
    url: str
    blurb: str
    default: bool = False


# The pages in the order of the workflow; a page appears here once it exists.
PAGES = [
    PageInfo("home.py", "Home", ":material/home:", "home", "What Glassnet does and where to start.", default=True),
    PageInfo("data.py", "Data", ":material/table:", "data", "Pick a dataset or upload a CSV."),
    PageInfo("build.py", "Build", ":material/account_tree:", "build", "Design the network."),
    PageInfo("train.py", "Train", ":material/play_circle:", "train", "Train it live."),
    PageInfo("race.py", "Race", ":material/flag:", "race", "Race optimisers, learning rates or other settings."),
    PageInfo("evaluate.py", "Evaluate", ":material/fact_check:", "evaluate", "Judge a trained run."),
    PageInfo("explain.py", "Explain", ":material/psychology:", "explain", "Why the network decides what it decides."),
    PageInfo("fairness.py", "Fairness", ":material/balance:", "fairness",
             "Does it treat groups alike? Audit, explain the gap, mitigate."),
    PageInfo("runs.py", "Runs", ":material/list:", "runs", "Compare, rename, export runs."),
    PageInfo("lessons.py", "Lessons", ":material/school:", "lessons", "Guided experiments that check your runs."),
]

# The teacher's page of a class: in the menu of the class's teacher only; anyone else who opens its address is
# told it is the teacher's.
CLASS_PAGE = PageInfo("class.py", "Class", ":material/groups:", "class", "Every student's runs at once.")

# The whole workflow, for the home page's map (pages not built yet are shown as coming).
FLOW = [
    ("Data", "Pick a toy set (spirals, moons, XOR…), a real table (iris, breast cancer, German credit…), "
             "digit images, or your own CSV."),
    ("Build", "Stack layers — units, activations, initialisation, dropout, batch norm — and watch the "
              "architecture and parameter count update."),
    ("Train", "Train live on your GPU or CPU: loss and accuracy stream in, and for 2-D data the decision "
              "boundary redraws as the network learns. Pause, step, change the learning rate."),
    ("Evaluate", "Confusion matrix, ROC and PR curves, residuals, and the worst mistakes."),
    ("Explain", "SHAP and LIME, globally and per row, in your own columns — and where they disagree."),
    ("Fairness", "Metrics across a sensitive attribute (sex, age…), live during training and after, with "
                 "mitigations compared side by side."),
]

ROOT = Path(__file__).resolve().parent.parent


def streamlit_page(info: PageInfo, visible: bool = True):
    """The st.Page of a page; app.py registers these, and st.page_link / st.switch_page accept them."""
    return st.Page(ROOT / "pages" / info.file, title=info.title, icon=info.icon, url_path=info.url,
                   default=info.default, visibility="visible" if visible else "hidden")


def navigation_pages() -> list:
    """The pages app.py registers: the workflow's, and the Class page — in the menu for a class's teacher
    alone (its address still opens, to say whose page it is)."""
    person = people.session_person(workspace()) if people.class_mode() else None
    teacher = person is not None and person.role == "teacher"
    return [streamlit_page(p) for p in PAGES] + [streamlit_page(CLASS_PAGE, visible=teacher)]


def page(title: str):
    """The st.Page for a page title, e.g. st.page_link(page("Build"), label="Next: build a network →")."""
    return streamlit_page(next(p for p in PAGES if p.title == title))


DEFAULT_DATASET = {"kind": "builtin", "name": "spiral", "params": {"n": 400, "noise": 0.1, "seed": 0},
                   "sha256": None, "preprocess": {"scaling": "standard", "val_fraction": 0.15,
                                                  "test_fraction": 0.15, "split_seed": 0}}


def workspace() -> Store:
    """This session's connection to the whole workspace; stale runs are recovered once per session."""
    if "_store" not in st.session_state:
        s = Store()
        recover(s)
        keep_standby_worker(os.environ.get("GLASSNET_STANDBY", "1") != "0")
        st.session_state["_store"] = s
    return st.session_state["_store"]


def unreachable_store() -> str | None:
    """Why the run store's database cannot be opened (GLASSNET_DATABASE_URL malformed or unreachable: the
    server's setting, named without its password, with the fix), or None when it opens. Without the setting
    nothing is opened here (the SQLite workspace opens when a page first needs it, as before)."""
    if not database_url():
        return None
    try:
        workspace()
    except DatabaseUnavailable as e:
        return f"Glassnet cannot open its runs: {e} — this is the server's setting: whoever runs Glassnet can fix it, then reload this page."
    return None


def store() -> Store:
    """The workspace as this session's person may use it: in class mode a student's own runs only
    (see dashboard/people.py); in personal mode the workspace itself."""
    return people.view(workspace())


def uploads_home() -> Path:
    """The folder whose datasets/ keeps this session's uploads (a student's own space in class mode)."""
    return people.uploads_home(workspace())


def ready_to_train() -> None:
    """Have a worker with torch imported wait, so Start trains at once. Called by the pages that lead
    to training, not by Home: a worker importing torch takes a core for a second or two, which the
    first page of a fresh server needs more (cold start about 2.1 s without it, 3.1–3.3 s with it, on 2 cores)."""
    warm_up(store())


def session_cache(name: str, kind: str, key, compute, keep: int):
    """compute()'s result kept in this session under (kind, key) in the cache `name`; the `keep` most
    recently used are kept."""
    cache = st.session_state.setdefault(name, {})
    slot = (kind, key)
    if slot in cache:
        cache[slot] = cache.pop(slot)          # most recently used last
        return cache[slot]
    value = compute()
    cache[slot] = value
    while len(cache) > keep:
        cache.pop(next(iter(cache)))
    return value


def choose(key: str, options, default):
    """Keep a widget's session value valid for its options (else `default`) and hand it to the widget on
    every run, so the browser always shows what the page uses (even after a rerun cut the first one short)."""
    value = st.session_state.get(key)
    if value not in options:
        value = default
    st.session_state[key] = value
    return value


def keep(key: str, default):
    """Initialise a session key once and keep it across page switches (widgets created with key=...)."""
    st.session_state.setdefault(key, default)
    st.session_state[key] = st.session_state[key]
    return st.session_state[key]


@st.cache_resource(show_spinner=False, max_entries=32)
def _dataset(ref_json: str, home: str):
    from core.data import DatasetRef, load_dataset
    from pathlib import Path
    return load_dataset(DatasetRef.from_dict(json.loads(ref_json)), Path(home))


def dataset_for(ref: dict):
    """The Dataset of a reference, built once per server process (datasets are small and read-only)."""
    return _dataset(json.dumps(ref, sort_keys=True), str(store().home))


def current_dataset_ref() -> dict:
    return st.session_state.get(keys.DATASET_REF) or DEFAULT_DATASET


def current_dataset():
    return dataset_for(current_dataset_ref())


def current_run_id() -> str | None:
    """The run named in the URL (else the one this session last chose), if it exists in this workspace.

    Page links drop the URL's query, so the session remembers the run too and puts it back."""
    run_id = st.query_params.get("run") or st.session_state.get("_current_run")
    if not run_id:
        return None
    try:
        store().get_run(run_id)
    except StoreError:
        return None
    return run_id


def choose_run(key: str, runs) -> dict:
    """Put the run a page shows into st.session_state[key]: the URL's run if listed, else the one
    already chosen, else the newest finished run (else the newest). Returns {run id: Run}."""
    by_id = {r.id: r for r in runs}
    url_run = current_run_id()
    if url_run in by_id:
        st.session_state[key] = url_run
    elif st.session_state.get(key) not in by_id:
        finished = [r for r in runs if r.status == "finished"]
        st.session_state[key] = (finished or list(runs))[0].id
    return by_id


def set_current_run(run_id: str | None) -> None:
    st.session_state["_current_run"] = run_id
    if run_id:
        st.query_params["run"] = run_id
    elif "run" in st.query_params:
        del st.query_params["run"]
