"""The names under which the pages keep things in st.session_state, in one place.

What the pages share (plain JSON-able values, so they survive page switches):
    DATASET_REF   DatasetRef.to_dict() of the chosen dataset (the Data page writes it)
    NETWORK       NetworkSpec.to_dict() being edited (the Build page writes it)
    TRAIN_SPEC    TrainSpec.to_dict() being edited (the Train page writes it; a preset may too)

Then each page's own keys, its name first. A key that starts with "_" holds the page's state and
belongs to no widget; the others are widgets' keys. Keys that carry a value (a dataset's name, an
uploaded file's hash, a run's id) are made by the functions below, so every place spells them alike.
"""
from __future__ import annotations

DATASET_REF = "dataset_ref"
NETWORK = "network"
TRAIN_SPEC = "train"

# ---------------------------------------------------------------- People (class mode)

WHO = "_who"                                # the session's signed token (also the URL's ?who=)
WHO_VIEW = "_who_view"                      # (person id, the store as that person may use it)
JOIN_NAME, JOIN_CODE, JOIN_KEY = "join_name", "join_code", "join_key"   # the Join form's boxes

# ---------------------------------------------------------------- Data

DATA_SOURCE = "data_source"                 # built-in, upload or an earlier upload
DATA_GROUP = "data_group"                   # the kind of built-in data
DATA_UPLOAD = "data_upload"                 # the file uploader
DATA_SAVED_UPLOAD = "data_saved_upload"     # the earlier upload picked (its hash)
DATA_SCALING, DATA_VAL, DATA_TEST, DATA_SPLIT_SEED = "data_scaling", "data_val", "data_test", "data_split_seed"
DATA_PREPROCESS = (DATA_SCALING, DATA_VAL, DATA_TEST, DATA_SPLIT_SEED)
DATA_BY_GROUP = "data_by_group"             # colour the 2-D points by their sensitive group
DATA_SCATTER, DATA_IMAGES, DATA_BALANCE = "data_scatter", "data_images", "data_balance"
DATA_REMOVE_ASK, DATA_REMOVE_YES, DATA_REMOVE_NO = "data_remove_ask", "data_remove_yes", "data_remove_no"
DATA_PREFILL = "_data_pp_prefill"           # the preprocessing to start from after picking an earlier upload
DATA_FLASH = "_data_flash"                  # (kind, message) for the next run, e.g. after removing an upload
DATA_ASK_REMOVE = "_data_remove"            # the upload whose removal awaits confirmation
TABLE_CHOICES = ("target", "task", "sensitive", "drop")


def dataset_in_group(group: str) -> str:
    """The dataset picker of one kind of built-in data."""
    return f"data_name_{group}"


def dataset_param(param: str, dataset: str) -> str:
    """A built-in dataset's parameter: n, noise, classes, bias or seed."""
    return f"data_{param}_{dataset}"


def table_choice(what: str, sha: str, target: str | None = None) -> str:
    """An uploaded table's choice (one of TABLE_CHOICES) for the file with hash `sha`; the sensitive
    and dropped columns are kept per target as well."""
    key = f"data_{what}_{sha[:16]}"
    return key if target is None else f"{key}_{target}"


# ---------------------------------------------------------------- Build

NET_REV = "_net_rev"                        # bumped by every structural change: the editor's widgets start afresh
NET_PICK = "net_pick"                       # the layer chips: the layer open for editing
NET_LAST_PICK = "_net_last_pick"            # that choice, kept while another page is shown
NET_OPEN = "_net_open"                      # the layer whose widgets are on the page
NET_ADD = "net_add"
NET_FLASH = "_net_flash"                    # a message for the next run, e.g. after applying a preset
NET_IMPORT = "net_import"                   # the spec uploader
NET_IMPORTED = "_net_import"                # (hash, problem or None) of the last file imported
NET_DOWNLOAD_JSON, NET_DOWNLOAD_CODE = "net_download_json", "net_download_code"
PRESET_CHOICE, PRESET_APPLY, PRESET_WITH_TRAIN = "preset_choice", "preset_apply", "preset_with_train"
BUILD_DIAGRAM, BUILD_PARAMS = "build_diagram", "build_params"
BUILD_INIT_LAYER, BUILD_INITS = "build_init_layer", "build_inits"   # the starting weights: which layer, the chart
BUILD_START_NETWORK = "build_start_network"  # the drawing of the network as it starts (small nets, 2-D data)


def layer_widget(revision: int, layer: int, field: str) -> str:
    """A widget of the open layer's editor, for one revision of the network."""
    return f"net_{revision}_{layer}_{field}"


# ---------------------------------------------------------------- Train

TRAIN_START = "train.start"
TRAIN_PAUSE, TRAIN_RESUME, TRAIN_STEP, TRAIN_STOP = "train.pause", "train.resume", "train.step", "train.stop"
TRAIN_SET_LR = "train.set_lr"               # the button that sends the live learning rate
TRAIN_CONTINUE = "train.continue"           # continue a stopped run
TRAIN_RESUME_INTERRUPTED = "train.resume_interrupted"
TRAIN_SMOOTHING, TRAIN_LOG_LOSS = "train.smoothing", "train.log_loss"     # under the loss chart
TRAIN_BY_GROUP = "train.by_group"           # colour the boundary view's points by group
TRAIN_HIST_LAYER = "train.hist_layer"       # the layer whose weights are drawn
TRAIN_FAIR_METRIC = "train.fair_metric"     # the per-group metric drawn over training
TRAIN_DIAGRAM = "_train_diagram"            # the network frames of the run shown (NetworkFrames of live/diagram.py)
TRAIN_DIAGRAM_FRAME = "train.diagram_frame"  # the recorded frame shown, once the run no longer trains
TRAIN_POINT_X1, TRAIN_POINT_X2 = "train.point_x1", "train.point_x2"   # the point followed through the network
TRAIN_POINT_TARGET = "train.point_target"   # its target, for the one step shown
TRAIN_DIAGRAM_BOX = "train-diagram"         # the diagram's container (CSS class st-key-…)
TRAIN_STATUS_BOX, TRAIN_PAUSED_BOX = "train-status", "train-paused"      # containers (CSS class st-key-…)
TRAIN_WAITING_BOX = "train-waiting"                   # the place in line of a run waiting for a worker
TRAIN_DIAGNOSIS_BOX = "train-diagnosis"               # the Diagnosis panel of the run shown
TRAIN_RUN = "_train_run"                    # the run this session watches (page links drop the URL's run)
TRAIN_SYNCED = "_train_synced"              # the training spec the settings widgets were last given
TRAIN_EDITED = "_train_edited"              # settings boxes the person changed since the spec was last written
TRAIN_RESYNC = "_train_resync"              # parts of the page ("settings", "controls") to give their values again
TRAIN_KEPT_SMOOTHING = "_train_smoothing"   # the loss chart's choices, kept while another page is shown
TRAIN_KEPT_LOG_LOSS = "_train_log_loss"
TRAIN_KEPT_BY_GROUP = "_train_by_group"
TRAIN_FEED = "_train_feed"                  # the LiveFeed of the run shown
TRAIN_FIGURES = "_train_figures"            # the live charts' figures, rebuilt only when their data changed
TRAIN_LAST_START = "_train_last_start"      # {"fingerprint", "time", "run"} of the session's last Start
TRAIN_TOAST = "_train_toast"                # a toast for the next run, e.g. after a Start that repeated one
TRAIN_MESSAGE = "_train_message"            # a refused control request, shown on the next run


def train_setting(field: str) -> str:
    """The settings widget of one TrainSpec field, e.g. train.lr."""
    return f"train.{field}"


def live_lr(run_id: str) -> str:
    """The live learning-rate box of one run."""
    return f"train.live_lr.{run_id}"


def train_switch(run_id: str) -> str:
    """The button that switches the view to another run that trains now."""
    return f"train.switch.{run_id}"


def train_chart(name: str) -> str:
    """A chart of the Train page: loss, boundary, score, grads, weights, fair_gaps, fair_groups, fair_tradeoff,
    or data (the points before any run)."""
    return f"train.chart.{name}"


# ---------------------------------------------------------------- Race

RACE_SETTING = "race.setting"               # the setting a race varies
RACE_START = "race.start"                   # start a race on the session's data, network and settings
RACE_DEFAULT = "race.default"               # start the default optimiser race
RACE_PICK = "race.pick"                     # the race shown, among the person's races
RACE_CHART = "race.chart"
RACE_SHOWN = "_race_shown"                  # the race this session shows (the URL's ?race= too)
RACE_LAST_START = "_race_last_start"        # {"fingerprint", "time", "race"} of the session's last race start


def race_values(setting: str) -> str:
    """The values box of one setting (each setting keeps its own values)."""
    return f"race.values.{setting}"


# ---------------------------------------------------------------- Evaluate

EVAL_RUN, EVAL_CHECKPOINT, EVAL_SPLIT = "eval_run", "eval_checkpoint", "eval_split"
EVAL_THRESHOLD, EVAL_WORST_N = "eval_threshold", "eval_worst_n"

# ---------------------------------------------------------------- Runs

RUNS_FLASH = "runs_flash"                   # a message for the next run, e.g. after a rename
RUNS_COMPARE, RUNS_ONLY_DIFF = "runs_compare", "runs_only_diff"
RUNS_MANAGE = "runs_manage"                 # the run to rename, delete or download
RUNS_RENAME, RUNS_DELETE = "runs_rename", "runs_delete"
RUNS_CONFIRM_DELETE = "runs_confirm_delete"  # the run whose deletion awaits confirmation
RUNS_DELETE_YES, RUNS_DELETE_NO = "runs_delete_yes", "runs_delete_no"


def run_name(run_id: str) -> str:
    """The new-name box of one run."""
    return f"runs_name_{run_id}"


def download(what: str) -> str:
    """A download button of the chosen run: spec, metrics, pytorch, safetensors or onnx."""
    return f"dl_{what}"


# ---------------------------------------------------------------- Class (the teacher's page)

CLASS_METRIC = "class.metric"               # the class chart's curve: validation loss or score
CLASS_COLOUR = "class.colour"               # the setting its lines are coloured by
CLASS_CHART = "class.chart"
CLASS_BOARD = "class.board"                 # the leaderboard
CLASS_QUEUE = "class.queue"                 # the runs waiting for a worker
CLASS_HAND_OUT, CLASS_WITHDRAW = "class.hand_out", "class.withdraw"
CLASS_PAUSE_ALL, CLASS_RESUME_ALL, CLASS_STOP_ALL = "class.pause_all", "class.resume_all", "class.stop_all"
CLASS_STOP_YES, CLASS_STOP_NO = "class.stop_yes", "class.stop_no"
CLASS_DOWNLOAD = "class.download"
CLASS_FEED = "_class_feed"                  # the ClassFeed of this session
CLASS_FIGURE = "_class_figure"              # (what it shows, the figure) of the chart last drawn
CLASS_ASK_STOP = "_class_ask_stop"          # Stop all awaits confirmation
CLASS_FLASH = "_class_flash"                # (kind, message) for the next run, e.g. after Pause all
HANDOUT_TAKE = "handout.take"               # a student's button: use the teacher's hand-out
HANDOUT_TAKEN = "_handout_taken"            # the hand-out's time this session last took

# ---------------------------------------------------------------- Explain

EXPLAIN_RUN, EXPLAIN_CHECKPOINT, EXPLAIN_CLASS = "xp_run", "xp_checkpoint", "xp_class"
EXPLAIN_TAB = "xp_tab"                      # whole model, one row, drift, bring your own model
EXPLAIN_METHOD, EXPLAIN_SPLIT = "xp_method", "xp_split"
EXPLAIN_ROWS, EXPLAIN_BACKGROUND = "xp_rows", "xp_background"
EXPLAIN_COMPUTE = "xp_compute"              # start a request estimated to be slow
EXPLAIN_CACHE = "_xp_cache"                 # the page's results kept in this session
EXPLAIN_FEATURE, EXPLAIN_COLOUR = "xp_feature", "xp_colour"     # the dependence plot's column and colour
EXPLAIN_ROW_LIST, EXPLAIN_ROW = "xp_list", "xp_row"
EXPLAIN_WHATIF_RESET = "xp_wi_reset"
EXPLAIN_STABILITY = "xp_stability"
EXPLAIN_OTHER_CLASS = "xp_other"            # a digit's second class to compare with
EXPLAIN_DRIFT = "xp_drift"
EXPLAIN_BYO_MODEL, EXPLAIN_BYO_CSV, EXPLAIN_BYO_TARGET = "xp_byo_model", "xp_byo_csv", "xp_byo_target"
EXPLAIN_BYO_ROWS, EXPLAIN_BYO_OUTPUT, EXPLAIN_BYO_ROW = "xp_byo_rows", "xp_byo_output", "xp_byo_row"
EXPLAIN_BYO_COMPUTE = "xp_byo_compute"
EXPLAIN_GLOBAL_PIXELS, EXPLAIN_GLOBAL_BARS = "xp_global_pixels", "xp_global_bars"
EXPLAIN_GLOBAL_SWARM, EXPLAIN_GLOBAL_DEPENDENCE = "xp_global_swarm", "xp_global_dependence"
EXPLAIN_ROW_WATERFALL, EXPLAIN_ROW_LIME, EXPLAIN_ROW_PIXELS = "xp_row_waterfall", "xp_row_lime", "xp_row_pixels"
EXPLAIN_DRIFT_CHART = "xp_drift_chart"
EXPLAIN_BYO_BARS, EXPLAIN_BYO_WATERFALL = "xp_byo_bars", "xp_byo_waterfall"


def whatif_value(tag: str, column: int) -> str:
    """The what-if box of one original column, for one row of one run (`tag`)."""
    return f"xp_wi_{tag}_{column}"


# ---------------------------------------------------------------- Fairness

FAIR_RUN = "fa_run"
FAIR_SENSITIVE, FAIR_FAVOURABLE, FAIR_SPLIT = "fa_sensitive", "fa_fav", "fa_split"
FAIR_THRESHOLD = "fa_threshold"             # one threshold for every group
FAIR_PER_GROUP = "fa_per_group"             # use a threshold per group instead
FAIR_SHAP = "fa_shap"                       # compute the SHAP gap
FAIR_REWEIGH, FAIR_PENALTY_GO = "fa_reweigh", "fa_penalty_go"    # retrain reweighed / with a penalty
FAIR_PENALTY, FAIR_LAMBDA = "fa_penalty", "fa_lambda"            # which gap is penalised, and how much
FAIR_PARETO_X = "fa_pareto_x"               # the comparison chart's fairness axis
FAIR_VARIANTS = "fa_variants"               # the variants' table
FAIR_REPORT, FAIR_REPORT_DOWNLOAD = "fa_report", "fa_report_download"
FAIR_REPORT_MADE = "_fa_report"             # (what it audits, its HTML) of the last report written
FAIR_CACHE = "_fa_cache"                    # the page's results kept in this session
FAIR_CHART_SELECTION, FAIR_CHART_ERRORS = "fa_chart_selection", "fa_chart_errors"
FAIR_CHART_SWEEP, FAIR_CHART_PROXIES = "fa_chart_sweep", "fa_chart_proxies"
FAIR_CHART_SHAP_GAP, FAIR_CHART_BOUNDARY = "fa_chart_shap_gap", "fa_chart_boundary"
FAIR_CHART_PARETO = "fa_chart_pareto"


def band_edges(dataset: str, column: str) -> str:
    """The band-edges box of one numeric column of one dataset."""
    return f"fa_edges::{dataset}::{column}"


def group_threshold(group: str) -> str:
    """The threshold slider of one group."""
    return f"fa_gt::{group}"
