"""UI helpers the Data and Build pages share: plain-words help, safe text, small state helpers.

Everything here that does not need Streamlit is a plain function, so tests can call it directly.
"""
from __future__ import annotations

import hashlib

import streamlit as st

from dashboard.text import md_plain as md  # noqa: F401  (the pages import it from here)

# ---------------------------------------------------------------- help texts (the tooltips teach)

HELP = {
    "source": "Built-in datasets are ready to use. Or bring your own table as a CSV file. "
              "Your uploads lists the CSV files uploaded earlier in this workspace, to use again "
              "without uploading them.",
    "group": "2-D toy sets are drawn as points on a plane, so you can watch the decision boundary form. "
             "Real tables are measured data. Digits are small images. The fairness sets carry a "
             "sensitive column such as sex, for the bias audit.",
    "n": "How many points to generate. More points show the shape better; training takes a little longer.",
    "noise": "How much the points are jittered away from the clean shape. With more noise the classes "
             "overlap, and no network can be perfect.",
    "classes": "How many clusters (one class each).",
    "seed": "The random seed: the same seed always gives the same points, so a classroom sees the same data.",
    "bias": "How strongly past (synthetic) decisions penalised one group (women, or group B): 0 = not at all, "
            "1 = strongly. A model trained on these decisions learns the bias — the Fairness page measures it.",
    "scaling": "Networks learn faster when every input has a similar range. Standard: mean 0, spread 1. "
               "Min-max: squeezed into 0..1. None: left as they are (try it to see training struggle).",
    "val_fraction": "Rows held out while training to check the network on data it did not learn from; "
                    "used to spot overfitting and for early stopping.",
    "test_fraction": "Rows kept aside until the very end, for an honest final score.",
    "split_seed": "Which rows go to training, validation and test. Change it to see how much the score "
                  "depends on the luck of the split.",
    "upload": "A text table with a header row, one row per example and one column per attribute. "
              "Comma, semicolon, tab or pipe separated.",
    "target": "The column the network should learn to predict.",
    "task": "Classification predicts a category (e.g. yes/no, a species); regression predicts a number "
            "(e.g. a price). Glassnet guesses from the target column; override it if the guess is wrong.",
    "sensitive": "Columns describing a person (sex, age, ethnicity…) to audit the model's fairness across. "
                 "They stay model inputs unless you also leave them out below.",
    "drop": "Columns the network should not see, e.g. IDs, free text, or information from the future.",
    "uploads": "CSV files uploaded earlier in this workspace, newest first. Pick one to use it again; "
               "its target, task, columns and split start as you last left them.",
    "remove_upload": "Delete this file's copy from the workspace. You will be asked to confirm.",
    "remove_yes": "Delete the copy for good. Runs trained on it stay listed, but cannot be evaluated "
                  "again until the file is uploaded again.",
    "remove_no": "Keep the file in the workspace.",
    "preset": "A ready-made network to start from. Applying one replaces the current layers.",
    "apply_train": "Also use this preset's recommended training settings (learning rate, loss, epochs…) "
                   "on the Train page.",
    "type": "Dense: every neuron sees every output of the previous layer. Conv2d: small filters slide over "
            "the image and detect local patterns. Max-pool: keeps the strongest signal in each small "
            "square, halving the image. Flatten: turns an image into a row of numbers. Dropout: randomly "
            "switches neurons off while training. Batch norm: re-centres and re-scales the signals.",
    "units": "How many neurons this layer has. More neurons can learn more complicated shapes, "
             "but need more data and time and can overfit.",
    "channels": "How many filters this convolution learns; each filter looks for one kind of pattern.",
    "kernel": "The size of the square window (in pixels) the filter or pool looks at.",
    "padding": "Pixels of zeros added around the image so the filter can also look at the border.",
    "activation": "The bend each neuron applies to its sum of inputs. Without it (linear), any stack of "
                  "layers is just one straight-line model. ReLU: max(0, x), fast and common. Tanh and "
                  "sigmoid: smooth S-curves. Leaky ReLU and GELU: ReLU variants that never go fully flat.",
    "init": "How the weights start before training. Xavier suits tanh/sigmoid, He suits ReLU. "
            "Zeros makes every neuron identical — try it to see the network fail to learn.",
    "dropout": "The share of this layer's neurons switched off at random on each training step. It stops "
               "neurons from relying on each other, which fights overfitting. 0 = off.",
    "rate": "The share of signals switched off at random on each training step (only while training).",
    "batch_norm": "Re-centre and re-scale this layer's outputs over each batch. Often lets you use a "
                  "higher learning rate and train deeper networks.",
    "import": "A network saved from Glassnet as JSON (use the download button to see the format).",
}

# The Explain page's widgets.
HELP.update({
    "explain_run": "A trained run to explain. Runs that are still training appear once they finish or are stopped.",
    "explain_checkpoint": "Which saved weights to explain: those after the last epoch, those of the epoch with the "
                          "lowest validation loss, or an earlier saved epoch (to see what the network relied on then).",
    "explain_class": "Explanations answer one question at a time: what pushes the network towards this class? "
                     "Pick the class whose log-odds, log(p / (1 − p)), are explained on every chart.",
    "explain_method": "How the SHAP values are computed. SHAP shares a prediction out among the columns, fairly: "
                      "each column gets its average effect over every order in which the columns could be "
                      "revealed to the network. The methods differ in speed and accuracy:",
    "explain_split": "Which rows to explain. Test rows were never used in training: they show how the network "
                     "behaves on new data. Training rows show what it learned from.",
    "explain_rows": "How many rows to explain (the first ones of the split). More rows give a fuller picture and "
                    "take longer; lower it when the estimated time is long.",
    "explain_background": "A 'missing' column is filled in from these training rows, and the average output over them "
                          "is the starting point (base value) every explanation begins from. More rows are more "
                          "accurate and slower; 50–100 is usually enough.",
    "explain_compute": "Start the computation. A progress bar shows how far it is; clicking anything else stops it.",
    "explain_feature": "The column whose effect is plotted against its value.",
    "explain_colour": "Colour each dot by this second column's value, to spot interactions: if the colours separate "
                      "vertically, the first column's effect depends on the second.",
    "explain_row_list": "Where to find an interesting row. Most confident mistakes: wrong answers given with high "
                        "probability. Least confident: rows the network hesitates on. Largest errors: the biggest "
                        "misses of a number.",
    "explain_row": "The row to explain, by its number in the original table. Type to search.",
    "explain_whatif_category": "Pick another category to see how the prediction and the explanations change.",
    "explain_whatif_number": "Type another value to see how the prediction and the explanations change. "
                             "In the training rows this column ranges from {lo} to {hi}.",
    "explain_whatif_reset": "Undo every edit: show the row as it is in the data.",
    "explain_stability": "LIME draws random samples, so another random seed can give other weights. This runs LIME "
                         "five times with different seeds and shows how much each weight moves.",
    "explain_other_class": "A second class to compare with the predicted one: where does the network see evidence "
                           "for it, and against it?",
    "explain_drift": "Explain the network as it was at each saved checkpoint (the same rows each time) and rank the "
                     "columns by importance, to see when it began relying on each.",
    "explain_byo_model": "A model saved in the ONNX format, which takes one input per column by name (as "
                         "Glassnet's exports and skl2onnx pipelines do) or one matrix of numbers (a row per "
                         "example). Export from PyTorch with torch.onnx.export, from scikit-learn with skl2onnx. "
                         "The file is run by onnxruntime, never unpickled.",
    "explain_byo_csv": "A table with a header row, plus the target column if you have it. For a model with one "
                       "input per column: the original columns by name (other columns are left out). For a model "
                       "with one input matrix: one column per model input, in the model's order and already "
                       "prepared the way the model expects (scaled, encoded as numbers).",
    "explain_byo_target": "The column the model predicts. It is left out of the model's inputs; every other column "
                          "goes in. Choose (none) when the table holds inputs only.",
    "explain_byo_output": "The model returns several numbers per row (e.g. one probability per class): pick the one "
                          "to explain.",
    "explain_byo_row": "The row to explain step by step, counting from 0 (the first data row of the file).",
})

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


# ---------------------------------------------------------------- session helpers

def memo(name: str, key, compute):
    """The result of compute(), kept in the session and recomputed only when `key` changes.

    An exception raised by compute() is kept too and raised again for the same key, so a
    slow failing step (e.g. parsing a big upload) is not repeated on every rerun.
    """
    slot = f"_memo_{name}"
    saved = st.session_state.get(slot)
    if saved is None or saved[0] != key:
        try:
            saved = (key, compute(), None)
        except Exception as exc:         # kept and re-raised below, for the caller to show
            saved = (key, None, exc)
        st.session_state[slot] = saved
    if saved[2] is not None:
        raise saved[2]
    return saved[1]


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

DATA_GROUPS = {
    "2-D toy sets": ["spiral", "moons", "circles", "xor", "blobs", "regression2d"],
    "Real tables": ["iris", "wine", "breast_cancer", "diabetes"],
    "Images": ["digits"],
    "Fairness": ["german_credit", "biased_loans", "two_groups"],
}
DATA_LABELS = {
    "spiral": "Spiral", "moons": "Moons", "circles": "Circles", "xor": "XOR", "blobs": "Blobs",
    "regression2d": "Wavy surface (regression)", "iris": "Iris flowers", "wine": "Wine",
    "breast_cancer": "Breast cancer", "diabetes": "Diabetes (regression)", "digits": "Handwritten digits (8×8)",
    "german_credit": "German credit", "biased_loans": "Biased loans (synthetic)",
    "two_groups": "Two groups (2-D, synthetic)",
}


def dataset_title(ds) -> str:
    """How the pages name a dataset, as Markdown-safe text: a built-in set's label ("Two groups
    (2-D, synthetic)"), else the uploaded file's name."""
    builtin = getattr(getattr(ds, "ref", None), "kind", None) == "builtin"
    return md(DATA_LABELS.get(ds.name, ds.name) if builtin else ds.name)


def group_of(name: str) -> str:
    return next((g for g, names in DATA_GROUPS.items() if name in names), "2-D toy sets")


def builtin_ref(name: str, params: dict, preprocess: dict) -> dict:
    """The dataset_ref of a built-in dataset (params include "seed"); raises DataError when invalid."""
    from core.data import DatasetRef, Preprocess

    return DatasetRef(kind="builtin", name=name, params=dict(params),
                      preprocess=Preprocess.from_dict(preprocess)).to_dict()


HELP.update({
    "fair_run": "A trained classification run to audit. Runs that are still training appear once they finish "
                "or are stopped; variants started from this page appear here too.",
    "fair_sensitive": "The column whose groups are compared, e.g. sex or age. Columns the data marks as sensitive "
                      "come first, but any column works. Pick a second one to compare their intersection "
                      "(e.g. female × under 30).",
    "fair_edges": "Numbers are cut into bands at these values, e.g. '30, 45' gives under 30, 30–45 and 45 or "
                  "more. Prefilled with the training rows' quartiles. Leave it empty to make each value its own "
                  "group (only for columns with a few values).",
    "fair_favourable": "The outcome that is good for the person (credit 'good', loan 'yes'). Rates are counted "
                       "for this label; with more than two classes it is this class against all the others.",
    "fair_split": "Which rows to audit. Test rows were never used in training: the honest choice. Validation "
                  "and training rows show whether the gaps were already there while learning.",
    "fair_threshold": "The network says the favourable label when its probability is at least this value. "
                      "Lower it and more people get the favourable outcome; watch how the gaps and the accuracy "
                      "move.",
    "fair_per_group": "Give each group its own threshold (below) instead of the one above: a simple way to close "
                      "a gap after training, at some cost in accuracy.",
    "fair_group_threshold": "This group's threshold: its rows get the favourable label when the network's "
                            "probability is at least this value.",
    "fair_demographic_parity_difference": "The largest gap in selection rate (share given the favourable label) "
                                          "between two groups. 0 means every group is selected equally often.",
    "fair_demographic_parity_ratio": "The lowest selection rate divided by the highest. 1 is equal; below 0.8 "
                                     "fails the 'four-fifths rule' used in US hiring law.",
    "fair_equalized_odds_difference": "The largest gap between groups in the true-positive rate or the "
                                      "false-positive rate: does the model make the same kinds of mistakes for "
                                      "everyone? 0 is equal.",
    "fair_equalized_odds_ratio": "The smallest ratio between groups of the true- or false-positive rate. 1 is "
                                 "equal.",
    "fair_equal_opportunity_difference": "The largest gap in true-positive rate: of the people who truly deserve "
                                         "the favourable label, does every group get it equally often?",
    "fair_predictive_parity_difference": "The largest gap in precision: when the model says favourable, is it "
                                         "right equally often for every group?",
    "fair_shap": "Compute SHAP values (how much each column pushed each decision) for 200 test rows, then compare "
                 "their average per group. Takes a few seconds; kept for the next visit.",
    "fair_reweigh": "Start a new run with the same data, network and settings, whose training rows are weighted "
                    "so that group and label are independent (rows of under-favoured combinations count more).",
    "fair_penalty": "Which gap the new run is penalised for while it trains: demographic parity (different "
                    "selection rates) or equalized odds (different error rates).",
    "fair_lambda": "How much the penalty weighs against the usual loss. 0 = no penalty; larger closes the gap "
                   "more but costs more accuracy. Try 0.3, then 1.",
    "fair_penalty_go": "Start a new run with the same data, network and settings plus the penalty on the gap "
                       "chosen on the left. It joins the comparison when it finishes.",
    "fair_pareto_x": "Which disparity to put on the chart's horizontal axis. Points further left are fairer, "
                     "higher up more accurate: the best variants sit top left.",
    "fair_report": "Write the whole audit as one HTML page (groups, disparities in words, charts, SHAP, proxies, "
                   "the mitigations compared) to download, share or print.",
    "fair_report_download": "Save the audit report: one self-contained HTML file that opens in any browser, "
                            "offline.",
})
