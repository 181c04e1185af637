"""core/analysis/evaluate.py: metrics on hand-made fixtures and on real trained runs."""
import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from core.analysis import (EvaluationError, Predictions, classification_report, mean_average_precision, pr_curves,
                           predict_split, least_sure_correct, mistake_count, regression_report, roc_curves, row_images,
                           threshold_point, worst_errors)
from core.runs import load_run
from core.runs import Store

from tests.helpers_runs import train_run


# ------------------------------------------------------------------ hand-made fixtures
Y_BIN = np.array([0, 0, 1, 1, 1, 0])
P_BIN = np.array([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.45, 0.55], [0.8, 0.2], [0.2, 0.8]])


def test_confusion_matrix_and_per_class_metrics_match_hand_counts():
    r = classification_report(Y_BIN, P_BIN, ["no", "yes"], threshold=0.5)
    # predicted: 0 0 1 1 0 1 → TN=2 FP=1 FN=1 TP=2
    assert r.confusion.tolist() == [[2, 1], [1, 2]]
    assert r.confusion.sum() == len(Y_BIN)
    assert r.accuracy == pytest.approx(4 / 6)
    yes = r.per_class.set_index("class").loc["yes"]
    assert yes["precision"] == pytest.approx(2 / 3) and yes["recall"] == pytest.approx(2 / 3)
    assert list(r.per_class["support"]) == [3, 3]
    assert threshold_point(r) == pytest.approx({"fpr": 1 / 3, "tpr": 2 / 3, "precision": 2 / 3, "recall": 2 / 3})


def test_threshold_zero_predicts_everything_positive_and_one_almost_nothing():
    r0 = classification_report(Y_BIN, P_BIN, ["no", "yes"], threshold=0.0)
    assert r0.confusion[:, 0].sum() == 0 and r0.confusion[:, 1].sum() == len(Y_BIN)
    assert r0.per_class.set_index("class").loc["yes", "recall"] == 1.0
    r1 = classification_report(Y_BIN, P_BIN, ["no", "yes"], threshold=1.0)
    assert r1.confusion[:, 1].sum() == 0


def test_threshold_is_ignored_for_more_than_two_classes():
    y = np.array([0, 1, 2])
    p = np.eye(3) * 0.8 + 0.2 / 3
    r = classification_report(y, p, ["a", "b", "c"], threshold=0.99)
    assert r.threshold is None and r.accuracy == 1.0


def test_perfect_ranking_has_auc_one_and_random_classes_are_explained():
    y = np.array([0, 0, 0, 1, 1])
    score = np.array([0.1, 0.2, 0.3, 0.8, 0.9])
    p = np.c_[1 - score, score]
    roc, pr = roc_curves(y, p, ["0", "1"]), pr_curves(y, p, ["0", "1"])
    assert len(roc.curves) == 1 and roc.curves[0].auc == 1.0 and roc.curves[0].label == "1"
    assert pr.curves[0].auc == 1.0 and pr.curves[0].baseline == pytest.approx(0.4)


def test_multiclass_curves_are_one_vs_rest_and_skip_absent_classes():
    y = np.array([0, 1, 0, 1])
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.5, 0.3, 0.2], [0.2, 0.5, 0.3]])
    roc = roc_curves(y, p, ["a", "b", "c"])
    assert [c.label for c in roc.curves] == ["a", "b"]
    assert roc.skipped == ["c"]
    assert roc.curves[0].auc == pytest.approx(skm.roc_auc_score(y == 0, p[:, 0]))


def test_bad_shapes_fail_with_a_clear_message():
    with pytest.raises(EvaluationError, match="one column per class"):
        classification_report([0, 1], [[0.5, 0.5]], ["a", "b"])
    with pytest.raises(EvaluationError, match="between 0 and 1"):
        classification_report(Y_BIN, P_BIN, ["no", "yes"], threshold=1.5)
    with pytest.raises(EvaluationError, match="same length"):
        regression_report([1, 2], [1])


def test_regression_metrics_match_sklearn():
    y = np.array([3.0, -0.5, 2.0, 7.0])
    p = np.array([2.5, 0.0, 2.0, 8.0])
    r = regression_report(y, p)
    assert r.mae == pytest.approx(skm.mean_absolute_error(y, p))
    assert r.rmse == pytest.approx(np.sqrt(skm.mean_squared_error(y, p)))
    assert r.r2 == pytest.approx(skm.r2_score(y, p))
    assert r.residuals.tolist() == pytest.approx([0.5, -0.5, 0.0, -1.0])


def binary_preds() -> Predictions:
    return Predictions("classification", "test", np.array([10, 11, 12, 13, 14, 15]), Y_BIN, P_BIN.argmax(1), P_BIN,
                       ["no", "yes"])


def test_worst_errors_are_the_mistakes_only_worst_first_with_original_columns():
    preds = binary_preds()
    original = pd.DataFrame({"age": np.arange(20), "label": ["x"] * 20})
    worst = worst_errors(preds, original, n=3)
    # two rows are predicted wrongly (P(true class) 0.2 each); row 13 (0.55) is right and is left out
    assert list(worst["row"]) == [14, 15]
    assert (worst["true"] != worst["predicted"]).all()
    assert list(worst["loss"]) == sorted(worst["loss"], reverse=True)
    assert list(worst["age"]) == [14, 15] and "label" in worst
    assert list(worst["true"]) == ["yes", "no"]
    assert worst["p_true"].tolist() == pytest.approx([0.2, 0.2])
    assert mistake_count(preds) == 2


def test_least_sure_correct_lists_the_right_answers_nearest_to_a_mistake():
    preds = binary_preds()
    right = least_sure_correct(preds, None, n=3)
    assert list(right["row"]) == [13, 11, 12]            # P(true class) 0.55, 0.6, 0.7 (row 10: 0.9)
    assert (right["true"] == right["predicted"]).all()
    assert right["p_true"].tolist() == pytest.approx([0.55, 0.6, 0.7])
    # a lower threshold makes row 11 (P(yes) = 0.4) a mistake: it moves from one list to the other
    assert mistake_count(preds, threshold=0.3) == 3
    assert 11 in set(worst_errors(preds, None, 10, threshold=0.3)["row"])
    assert 11 not in set(least_sure_correct(preds, None, 10, threshold=0.3)["row"])


def test_worst_regression_errors_are_the_largest_first():
    reg = Predictions("regression", "test", np.arange(4), np.array([1.0, 2.0, 3.0, 4.0]),
                      np.array([1.1, 5.0, 2.0, 4.0]), None, None)
    w = worst_errors(reg, None, n=10)
    assert list(w["row"]) == [1, 2, 0, 3] and w["abs_error"].is_monotonic_decreasing
    assert mistake_count(reg) == 4 and least_sure_correct(reg).empty


# ------------------------------------------------------------------ trained runs
@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    home = tmp_path_factory.mktemp("eval-home")
    ids = {name: train_run(home, name, epochs=4) for name in ("spiral", "iris", "diabetes", "digits")}
    return home, ids


@pytest.mark.parametrize("split", ["test", "val", "train"])
def test_trained_classifier_confusion_matrix_sums_to_the_split_size(workspace, split):
    home, ids = workspace
    loaded = load_run(Store(home), ids["iris"], "best")
    preds = predict_split(loaded, split)
    report = classification_report(preds.y_true, preds.proba, preds.class_names)
    assert report.confusion.sum() == len(getattr(loaded.dataset, f"idx_{split}")) == preds.n
    assert report.accuracy == pytest.approx(skm.accuracy_score(preds.y_true, preds.y_pred))
    assert np.allclose(preds.proba.sum(axis=1), 1, atol=1e-5)


def test_trained_binary_run_threshold_moves_the_predictions(workspace):
    home, ids = workspace
    preds = predict_split(load_run(Store(home), ids["spiral"]), "test")
    assert preds.binary
    everything = classification_report(preds.y_true, preds.proba, preds.class_names, threshold=0.0)
    assert everything.confusion[:, 1].sum() == preds.n
    default = classification_report(preds.y_true, preds.proba, preds.class_names, threshold=0.5)
    assert default.accuracy == pytest.approx(skm.accuracy_score(preds.y_true, preds.y_pred))


@pytest.mark.parametrize("name", ["spiral", "iris", "digits"])
def test_mean_average_precision_of_a_trained_run_is_sklearns(workspace, name):
    from sklearn.preprocessing import label_binarize
    home, ids = workspace
    preds = predict_split(load_run(Store(home), ids[name]), "test")
    report = classification_report(preds.y_true, preds.proba, preds.class_names)
    if preds.binary:       # the positive class's area under the precision-recall curve
        want = skm.average_precision_score(preds.y_true, preds.proba[:, 1])
    else:                  # the macro average over the classes, each against the rest
        k = len(preds.class_names)
        want = skm.average_precision_score(label_binarize(preds.y_true, classes=range(k)), preds.proba,
                                           average="macro")
    assert report.mean_ap == pytest.approx(want)
    assert report.mean_ap == pytest.approx(mean_average_precision(preds.y_true, preds.proba, preds.class_names))
    assert 0 < report.mean_ap <= 1


def test_mean_average_precision_leaves_out_a_class_without_rows_and_is_nan_without_any():
    y = np.array([0, 0, 1, 1])
    p = np.array([[0.9, 0.1, 0.0], [0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.4, 0.5, 0.1]])
    assert mean_average_precision(y, p, ["a", "b", "c"]) == pytest.approx(1.0)      # 'c' has no rows
    assert np.isnan(mean_average_precision(np.array([1, 1]), np.array([[0.2, 0.8], [0.4, 0.6]]), ["a", "b"]))


def test_trained_regressor_metrics_match_sklearn(workspace):
    home, ids = workspace
    preds = predict_split(load_run(Store(home), ids["diabetes"]), "test")
    r = regression_report(preds.y_true, preds.y_pred)
    assert r.n == preds.n and r.r2 == pytest.approx(skm.r2_score(preds.y_true, preds.y_pred))
    worst = worst_errors(preds, load_run(Store(home), ids["diabetes"]).dataset.raw, n=5)
    assert worst["abs_error"].is_monotonic_decreasing and "bmi" in worst


def test_digit_worst_errors_come_with_their_images(workspace):
    home, ids = workspace
    loaded = load_run(Store(home), ids["digits"])
    preds = predict_split(loaded, "test")
    worst = worst_errors(preds, loaded.dataset.raw, n=4)
    images = row_images(loaded.dataset, worst["row"])
    assert images.shape == (4, 8, 8)
    assert images[0].ravel().tolist() == loaded.dataset.raw.iloc[worst["row"].iloc[0]][
        loaded.dataset.original_columns].tolist()
    assert row_images(load_run(Store(home), ids["iris"]).dataset, [0]) is None


def test_unknown_split_is_a_clear_error(workspace):
    home, ids = workspace
    loaded = load_run(Store(home), ids["iris"])
    with pytest.raises(EvaluationError, match="split must be"):
        predict_split(loaded, "holdout")
