"""The analysis packages as a whole: the names other modules import from them, free of UI and of unpickling,
and the evaluate names loading scikit-learn only when first used."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PUBLIC = {
    "core.analysis": ["SPLIT_LABELS", "ClassificationReport", "Curve", "Curves", "EvaluationError", "Predictions",
                      "RegressionReport", "classification_report", "least_sure_correct", "mean_average_precision", "mistake_count", "pr_curves",
                      "predict_split", "predicted_classes", "regression_report", "roc_curves", "row_images",
                      "threshold_point", "worst_errors"],
    "core.analysis.explain": ["DEFAULT_BACKGROUND", "EXACT_LIMIT", "LIME_SAMPLES", "METHODS", "Attribution",
                              "ExplainError", "LimeResult", "Method", "Model", "RunExplainer", "agreement",
                              "auto_method", "background_rows", "column_groups", "column_inputs", "lime_explainer",
                              "lime_row", "lime_stability", "model_of", "onnx_model", "probe_seconds",
                              "ranks_over_time", "session_of", "shap_values", "table_codes", "torch_threads"],
    "core.analysis.fairness": ["CONSTRAINTS", "DISPARITIES", "DISPARITY_LABELS", "FOUR_FIFTHS", "GROUP_METRICS",
                               "MAX_GROUPS", "MISSING", "RATES", "SMALL_GROUP", "Audit", "FairnessError", "Finding",
                               "Grouping", "ThresholdMitigation", "ThresholdRule", "attribution_gaps", "audit",
                               "audit_loaded", "audit_run", "disparities", "favourable_index", "fit_thresholds",
                               "four_fifths", "group_labels", "group_order", "group_rates", "proxies", "rates",
                               "reweighing", "row_groups", "suggest_bins", "training_bins", "training_grouping"],
    "core.analysis.report": ["audit_report"],
}


@pytest.mark.parametrize("package, name", [(p, n) for p, names in PUBLIC.items() for n in names])
def test_public_names_import_from_their_package(package, name):
    import importlib

    module = importlib.import_module(package)
    assert getattr(module, name) is not None
    assert name in module.__all__


def test_every_name_a_package_states_is_listed_here():
    import importlib

    for package, names in PUBLIC.items():
        assert sorted(importlib.import_module(package).__all__) == sorted(names), package


def test_an_unknown_name_is_an_attribute_error():
    import core.analysis

    with pytest.raises(AttributeError, match="no_such_thing"):
        core.analysis.no_such_thing


LIGHT = """
import json, sys
import core.analysis.fairness
before = "sklearn" in sys.modules
from core.analysis import classification_report
print(json.dumps({"before": before, "after": "sklearn" in sys.modules}))
"""


def test_the_fairness_names_load_without_scikit_learn_until_evaluate_is_used():
    out = subprocess.run([sys.executable, "-c", LIGHT], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"before": False, "after": True}


def test_core_analysis_does_not_import_streamlit_or_unpickle():
    sources = sorted((ROOT / "core" / "analysis").rglob("*.py"))
    assert len(sources) >= 25
    for path in sources:
        source = path.read_text()
        assert "import streamlit" not in source and "from streamlit" not in source, path
        for unpickling in ("import pickle", "pickle.load", "torch.load(", "weights_only"):
            assert unpickling not in source, (path, unpickling)
