"""`python -m core predict`: a trained run's predictions on one of its splits or on a CSV file, as CSV."""
from __future__ import annotations

from .common import add_checkpoint, add_home, existing_file, note, out_path


def register(sub) -> None:
    pr = sub.add_parser("predict", help="predict with a trained run")
    pr.add_argument("--run", required=True)
    g = pr.add_mutually_exclusive_group(required=True)
    g.add_argument("--split", choices=["train", "val", "test"])
    g.add_argument("--csv")
    pr.add_argument("--out", required=True)
    add_checkpoint(pr)
    add_home(pr)
    pr.set_defaults(func=run)


def run(a) -> int:
    from ..runs import load_run, predictions_frame
    from ..runs import Store
    dest = out_path(a.out)
    loaded = load_run(Store(a.home), a.run, a.checkpoint)
    X, original = rows_from_csv(loaded.dataset, a.csv) if a.csv else rows_of_split(loaded.dataset, a.split)
    out = predictions_frame(loaded, X, original)
    out.to_csv(dest, index=False)
    note(f"wrote {len(out)} predictions to {a.out}")
    return 0


def rows_from_csv(dataset, text: str):
    """(the network's inputs, the original rows) of a CSV file with the run's columns."""
    from ..data import read_csv_bytes
    path = existing_file(text)
    frame, _ = read_csv_bytes(path.read_bytes(), filename=path.name)
    return dataset.encode(frame), frame


def rows_of_split(dataset, split: str):
    """(the network's inputs, the original rows) of one of the run's splits."""
    X, _ = dataset.split(split)
    return X, dataset.raw.iloc[getattr(dataset, f"idx_{split}")]
