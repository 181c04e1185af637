"""Teaching sets for the bias audit: generated tables whose past decisions were unfair by an amount
the person sets (the bias knob, 0..1), with proxies that give the sensitive attribute away.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def two_groups(rng: np.random.Generator, n: int, noise: float, bias: float) -> pd.DataFrame:
    """Points of two groups on a plane, labelled by one rule, x1 + x2 above a bar, except that past
    decisions held group B to a bar raised by `bias`. A lives upper-left and B lower-right, overlapping,
    with the same spread of x1 + x2 (equal chances at bias 0): the network never sees the group, but
    where a point lies along the bar is a proxy for it."""
    in_b = np.arange(n) >= n - n // 2
    centre = np.where(in_b[:, None], [0.45, -0.45], [-0.45, 0.45])
    x = centre + rng.normal(0.0, 0.5, (n, 2))
    score = x.sum(axis=1) + rng.logistic(0.0, 0.05 + 0.4 * noise, n)
    label = (score > 1.2 * bias * in_b).astype(np.int64)
    frame = pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "group": np.where(in_b, "B", "A"), "label": label})
    return frame.iloc[rng.permutation(n)].reset_index(drop=True)


_OCCUPATIONS = ["care", "teaching", "retail", "office", "engineering", "construction"]
_OCCUPATION_SHARES = {
    "female": [0.28, 0.22, 0.18, 0.18, 0.08, 0.06],
    "male": [0.06, 0.10, 0.16, 0.18, 0.26, 0.24],
}


def biased_loans(rng: np.random.Generator, n: int, bias: float) -> pd.DataFrame:
    """Loan decisions where the legitimate features are independent of sex, and past decisions
    penalised women by an amount set by `bias`. part_time and occupation are proxies for sex."""
    female = rng.random(n) < 0.5
    income = np.round(rng.lognormal(np.log(45.0), 0.45, n), 1)  # thousands a year
    debt = np.round(rng.gamma(2.0, 6.0, n), 1)  # thousands
    years = np.floor(rng.gamma(2.0, 3.0, n)).astype(int)
    part_time = (rng.random(n) < np.where(female, 0.45, 0.12)).astype(int)
    u = rng.random(n)
    cum_f = np.cumsum(_OCCUPATION_SHARES["female"])
    cum_m = np.cumsum(_OCCUPATION_SHARES["male"])
    occ_index = np.where(female, np.searchsorted(cum_f, u * cum_f[-1]), np.searchsorted(cum_m, u * cum_m[-1]))
    occupation = np.asarray(_OCCUPATIONS)[np.minimum(occ_index, len(_OCCUPATIONS) - 1)]
    merit = (
        1.2 * (np.log(income) - np.log(45.0)) / 0.45
        - 1.0 * (debt - 12.0) / 8.5
        + 0.6 * (years - 6.0) / 4.2
        + rng.logistic(0.0, 0.6, n)
    )
    approved = merit - 2.0 * bias * female > 0
    return pd.DataFrame(
        {
            "sex": np.where(female, "female", "male"),
            "income": income,
            "debt": debt,
            "years_employed": years,
            "part_time": part_time,
            "occupation": occupation,
            "approved": np.where(approved, "yes", "no"),
        }
    )

