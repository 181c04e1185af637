"""The two lines over the settings: the data a run trains on and the network it trains."""
from __future__ import annotations

from core.spec import NetworkSpec, SpecError
from dashboard.text import md_plain as md
from dashboard.widgets import dataset_title


def dataset_line(ds) -> str:
    rows = f"{len(ds.X_train):,} training / {len(ds.X_val):,} validation / {len(ds.X_test):,} test rows"
    if ds.task == "classification":
        names = ", ".join(ds.class_names[:6]) + ("…" if ds.n_classes > 6 else "")
        what = f"{ds.n_classes} classes ({names})"
    else:
        what = f"predicts a number ({ds.target})"
    return f"**{dataset_title(ds)}** — {ds.n_features} inputs, {md(what)}; {rows}"


def resampled_words(before: dict, after: dict) -> str:
    """'malignant 148 → 251, benign 251 → 251' — the training rows per class before and after resampling."""
    pairs = [f"{md(str(name))} {int(n):,} → {int(after.get(name, 0)):,}" for name, n in before.items()]
    return ", ".join(pairs[:8]) + (", …" if len(pairs) > 8 else "")


def trained_rows(run, dataset) -> int:
    """How many training rows a run trains on: the rows after resampling, when its record says so."""
    after = ((run.summary or {}).get("resampled") or {}).get("after")
    if isinstance(after, dict) and all(isinstance(v, int) for v in after.values()):
        return sum(after.values())
    return len(dataset.X_train)


def network_line(network: dict, ds) -> tuple[str, str | None]:
    """('2 inputs → dense 8 relu → … → 2 outputs · 106 parameters', error or None)."""
    try:
        spec = NetworkSpec.from_dict(network)
        from core.model import check_size, output_units, plan
        n_out = output_units(ds.task, ds.n_classes, "auto")
        params = check_size(plan(spec, ds.n_features, n_out, ds.image_shape)).total
    except (SpecError, ValueError, TypeError) as e:
        return "", f"The network does not fit this data: {e}. Fix it on the Build page."
    hidden = [layer.describe() for layer in spec.layers] or ["no hidden layer (a linear model)"]
    outs = "1 output" if n_out == 1 else f"{n_out} outputs"
    return f"{ds.n_features} inputs → " + " → ".join(hidden) + f" → {outs} · **{params:,} parameters**", None
