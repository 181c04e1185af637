"""How much one explanation may ask for (core/limits.py): rows explained at once, SHAP background rows and
LIME's perturbed samples, each refused before the work starts with a message naming the limit and the fix."""
from __future__ import annotations

from ... import limits
from .errors import ExplainError

_ASKED = {   # limit → (what was asked for, the fix)
    "max_explain_rows": ("rows to explain", "explain fewer rows: a few hundred show the same picture"),
    "max_background": ("background rows", "use fewer background rows: 100 is usually enough"),
    "max_lime_samples": ("LIME samples", "use fewer samples: 5,000 is usually enough"),
}


def check_count(name: str, asked: int | None) -> None:
    """An ExplainError when `asked` is more than limit `name` allows (None: nothing asked)."""
    if asked is not None and int(asked) > limits.current()[name]:
        what, fix = _ASKED[name]
        raise ExplainError(limits.exceeded(name, f"Asked for {int(asked):,} {what}", fix))
