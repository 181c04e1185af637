"""Real tables: the ones that ship inside scikit-learn, and German credit (a CSV kept beside this
module; see README.md here for its source and licence). `nines` is scikit-learn's digits asked a
yes/no question, "is it a 9?": the same 1,797 images, nothing dropped, about 10 % of them nines.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..reading import read_csv_bytes

DATASETS_DIR = Path(__file__).resolve().parent
NINE_CLASSES = ("not 9", "9")       # the yes/no digits table: the rare class, 9, is the positive one


@lru_cache(maxsize=None)
def sklearn_table(name: str) -> tuple[pd.DataFrame, str, list[str] | None]:
    """A scikit-learn set's table, target name and class names (None for regression); cached, so copy
    the table before changing it."""
    from sklearn import datasets as skd

    if name == "diabetes":
        bunch = skd.load_diabetes(scaled=False)
        frame = pd.DataFrame(bunch.data, columns=[str(c) for c in bunch.feature_names])
        frame["progression"] = bunch.target.astype(np.float64)
        return frame, "progression", None
    if name in ("digits", "nines"):
        bunch = skd.load_digits()
        columns = [f"px_{r}_{c}" for r in range(8) for c in range(8)]
        frame = pd.DataFrame(bunch.data.astype(np.float64), columns=columns)
        if name == "nines":          # every digit kept, relabelled yes/no: about one image in ten is a 9
            frame["is_nine"] = pd.Series(np.where(bunch.target == 9, "9", "not 9"), dtype="str")
            return frame, "is_nine", list(NINE_CLASSES)
        frame["digit"] = bunch.target.astype(np.int64)
        return frame, "digit", [str(d) for d in range(10)]
    loader, target = {
        "iris": (skd.load_iris, "species"),
        "wine": (skd.load_wine, "cultivar"),
        "breast_cancer": (skd.load_breast_cancer, "diagnosis"),
    }[name]
    bunch = loader()
    frame = pd.DataFrame(bunch.data, columns=[str(c) for c in bunch.feature_names])
    class_names = [str(c) for c in bunch.target_names]
    frame[target] = pd.Series(np.asarray(class_names, dtype=object)[bunch.target], dtype="str")
    return frame, target, class_names


@lru_cache(maxsize=None)
def _german_credit_bytes() -> bytes:
    return (DATASETS_DIR / "german_credit.csv").read_bytes()


def german_credit_table() -> pd.DataFrame:
    """The German credit table as read from its CSV, with the label `risk` as the classes bad and good."""
    frame, _ = read_csv_bytes(_german_credit_bytes(), filename="german_credit.csv")
    frame["risk"] = frame["risk"].map({0: "bad", 1: "good", 0.0: "bad", 1.0: "good"}).astype("str")
    return frame
