"""Data, network and training settings in one line of words, for the hand-out's notes. No streamlit."""
from __future__ import annotations

from core.classroom.results import activation_text, layers_text
from dashboard.text import md_plain as md
from dashboard.widgets import DATA_LABELS


def data_words(dataset: dict) -> str:
    name = str(dataset.get("name", "?"))
    title = DATA_LABELS.get(name, name) if dataset.get("kind") == "builtin" else name
    params = dataset.get("params") or {}
    extra = [f"{params['n']:,} points" if "n" in params else "", f"noise {params['noise']:g}" if "noise" in params else ""]
    extra = [e for e in extra if e]
    return md(title) + (f" ({', '.join(extra)})" if extra else "")


def settings_words(dataset: dict, network: dict, train: dict) -> str:
    """e.g. 'Spiral (400 points, noise 0.1) · hidden layers 8·8 (tanh) · adam, learning rate 0.01, batch 32,
    100 epochs' (Markdown-safe)."""
    layers = layers_text(network)
    net = "no hidden layer" if layers == "none" else f"hidden layers {layers} ({activation_text(network)})"
    return (f"{data_words(dataset)} · {net} · {md(train.get('optimizer', '?'))}, learning rate "
            f"{float(train.get('lr', 0)):g}, batch {train.get('batch_size', '?')}, {int(train.get('epochs', 0)):,} "
            "epochs")
