"""Tables and checks the data tests share."""

from __future__ import annotations

import numpy as np

from core.data import Dataset

ARRAYS = ("X_train", "X_val", "X_test", "y_train", "y_val", "y_test", "idx_train", "idx_val", "idx_test")


def table(n: int = 40, seed: int = 0, sep: str = ",") -> str:
    """A small mixed table: two numeric columns, one text column and a yes/no label."""
    rng = np.random.default_rng(seed)
    lines = [sep.join(["age", "income", "city", "label"])]
    cities = ["Oslo", "Lima", "Pune"]
    for i in range(n):
        lines.append(
            sep.join([str(20 + i % 37), f"{rng.uniform(10, 90):.2f}", cities[i % 3], "yes" if i % 2 else "no"])
        )
    return "\n".join(lines) + "\n"


def assert_same_arrays(a: Dataset, b: Dataset) -> None:
    for name in ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype, name
        assert x.shape == y.shape, name
        assert x.tobytes() == y.tobytes(), name


def rows_with(header: str, row: str, n: int = 30) -> str:
    return header + "\n" + "\n".join(row.format(i=i, m=i % 2, k=i % 3) for i in range(n)) + "\n"


def hashlib_sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()
