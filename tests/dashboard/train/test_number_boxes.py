"""dashboard/train/number_boxes.py: what the Train page says about a number box outside its range."""
from __future__ import annotations

import pytest

from core.spec import SpecError, TrainSpec
from dashboard.train.number_boxes import BOXES, LIVE_LR, box_problem, box_problems


@pytest.mark.parametrize("field,value,said", [
    ("batch_size", 0, "**Batch size** is 0: it takes a whole number from 1 to 65,536. Type a number in that "
                      "range, e.g. 32."),
    ("epochs", 10**8, "**Epochs** is 100,000,000: it takes a whole number from 1 to 100,000."),
    ("lr", 0.0, "**Learning rate** is 0: it takes a number above 0 and at most 10."),
    ("lr", -1.0, "**Learning rate** is -1:"),
    ("momentum", 1.0, "**Momentum** is 1: it takes a number at least 0 and below 1."),
    ("seed", -3, "**Seed** is -3: it takes a whole number from 0 to 4,294,967,295."),
    ("l2", float("nan"), "**L2 penalty** is empty:"),
])
def test_a_value_outside_a_box_names_the_box_its_range_and_a_value_to_type(field, value, said):
    problem = box_problem(BOXES[field], value)
    assert problem is not None and problem.startswith(said) and "e.g." in problem


def spec_accepts(field: str, value) -> bool:
    extra = {"optimizer": "momentum"} if field == "momentum" else {}
    try:
        TrainSpec.from_dict({**TrainSpec().to_dict(), **extra, field: value})
    except SpecError:
        return False
    return True


def test_the_boxes_accept_what_the_training_spec_accepts():
    assert box_problems(TrainSpec().to_dict()) == []
    for field, box in BOXES.items():
        for value in (box.low, box.high, box.low - 1, box.high + 1):
            if field in ("grad_clip", "early_stopping") and value > box.high:   # no limit in the spec
                continue
            assert (box_problem(box, value) is None) == spec_accepts(field, value), (field, value)


def test_every_problem_is_listed_in_the_order_of_the_page():
    problems = box_problems({"lr": 100.0, "batch_size": 0, "epochs": 5})
    assert [p.split("**")[1] for p in problems] == ["Learning rate", "Batch size"]
    assert box_problem(LIVE_LR, 20.0).startswith("**Learning rate (live)** is 20")


def test_the_boxes_take_the_ranges_of_the_training_spec():
    """One table of ranges (core.spec.TRAIN_RANGES): the boxes say what the spec validates with; the two
    ranges the spec leaves open above get a ceiling for the box to name."""
    from core.spec import TRAIN_RANGES
    for field, box in BOXES.items():
        if field in ("grad_clip", "early_stopping"):
            assert box.low == TRAIN_RANGES[field].low and TRAIN_RANGES[field].high == float("inf")
        else:
            assert box.range == TRAIN_RANGES[field], field
    assert LIVE_LR.range == TRAIN_RANGES["lr"]
