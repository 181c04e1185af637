"""Ready-made networks to start from, each with the training settings that suit it.

A preset is plain data: a NetworkSpec, an optional recommended TrainSpec, and what
kind of data it is made for. ``fits`` says in words why a preset does not suit a
dataset, so the Build page can offer every preset and explain the ones it greys out.
"""
from __future__ import annotations

from dataclasses import dataclass

from .spec import LayerSpec, NetworkSpec, TrainSpec

__all__ = ["Preset", "PRESETS", "DEFAULT_PRESET", "get_preset", "default_network"]


@dataclass(frozen=True)
class Preset:
    """A named starting point. `needs` is "any", "binary", "regression" or "images"."""

    key: str
    title: str
    description: str
    layers: tuple[dict, ...]
    train: dict | None = None
    needs: str = "any"

    def network(self) -> NetworkSpec:
        """A fresh NetworkSpec (safe to edit)."""
        return NetworkSpec.from_dict({"layers": [dict(layer) for layer in self.layers]})

    def train_spec(self) -> TrainSpec | None:
        """The recommended training settings, or None when the defaults suit."""
        return TrainSpec.from_dict(dict(self.train)) if self.train is not None else None

    def fits(self, task: str, n_classes: int, has_images: bool) -> str | None:
        """None when the preset suits data of this kind, else a sentence saying why not."""
        if self.needs == "images" and not has_images:
            return "it needs image data such as digits (convolutions look at neighbouring pixels)"
        if self.needs == "binary" and not (task == "classification" and n_classes == 2):
            return "it needs a yes/no target with exactly two classes (its single output is a probability)"
        if self.needs == "regression" and task != "regression":
            return "it predicts a number, so it needs a regression target"
        return None


def _dense(units: int, activation: str, init: str = "default", **extra) -> dict:
    return LayerSpec(type="dense", units=units, activation=activation, init=init, **extra).to_dict()


PRESETS: tuple[Preset, ...] = (
    Preset(
        "playground",
        "Playground default",
        "Two hidden layers of 4 tanh neurons, as in TensorFlow Playground: small enough to watch every neuron, "
        "big enough for moons, circles and XOR. Try spiral to see it struggle, then add neurons.",
        (_dense(4, "tanh", "xavier"), _dense(4, "tanh", "xavier")),
        {"optimizer": "adam", "lr": 0.03, "batch_size": 10, "epochs": 200},
    ),
    Preset(
        "binary_sigmoid",
        "2-10-1 classifier with sigmoid",
        "One hidden layer of 10 sigmoid neurons and a single output trained with binary cross-entropy: "
        "the textbook yes/no classifier.",
        (_dense(10, "sigmoid", "xavier"),),
        {"optimizer": "adam", "lr": 0.05, "loss": "bce", "batch_size": 16, "epochs": 200},
        needs="binary",
    ),
    Preset(
        "regressor",
        "10-20-1 regressor",
        "One hidden layer of 20 ReLU neurons and one output for a number, trained on mean squared error "
        "(e.g. diabetes: 10 inputs → 20 → 1).",
        (_dense(20, "relu", "he"),),
        {"optimizer": "adam", "lr": 0.01, "loss": "mse", "batch_size": 32, "epochs": 300},
        needs="regression",
    ),
    Preset(
        "small_cnn",
        "Small CNN",
        "Convolution (8 filters) → max-pool → convolution (16 filters) → max-pool → dense 32: "
        "filters learn strokes and corners of the digits, pooling makes them robust to small shifts.",
        (
            LayerSpec(type="conv2d", channels=8, kernel=3, padding=1, activation="relu").to_dict(),
            LayerSpec(type="maxpool2d", kernel=2).to_dict(),
            LayerSpec(type="conv2d", channels=16, kernel=3, padding=1, activation="relu").to_dict(),
            LayerSpec(type="maxpool2d", kernel=2).to_dict(),
            _dense(32, "relu", "he"),
        ),
        {"optimizer": "adam", "lr": 0.005, "batch_size": 32, "epochs": 30},
        needs="images",
    ),
    Preset(
        "deep_relu",
        "Deep ReLU",
        "Five hidden layers of 16 ReLU neurons with He initialisation: depth lets a network build features "
        "of features; He initialisation keeps the signal from fading on the way through.",
        tuple(_dense(16, "relu", "he") for _ in range(5)),
        {"optimizer": "adam", "lr": 0.005, "batch_size": 32, "epochs": 200},
    ),
    Preset(
        "wide_tanh",
        "Wide tanh",
        "One hidden layer of 64 tanh neurons: a single wide layer can bend the decision boundary a lot, "
        "but uses many more weights than a deeper, narrower net.",
        (_dense(64, "tanh", "xavier"),),
        {"optimizer": "adam", "lr": 0.01, "batch_size": 32, "epochs": 200},
    ),
    Preset(
        "regularised",
        "Regularised MLP for tables",
        "Two hidden layers of 32 ReLU neurons with batch norm and 20 % dropout, plus a small L2 penalty: "
        "a sturdy start for real tables (breast cancer, German credit) that would otherwise overfit.",
        (_dense(32, "relu", "he", batch_norm=True, dropout=0.2), _dense(32, "relu", "he", batch_norm=True, dropout=0.2)),
        {"optimizer": "adamw", "lr": 0.003, "l2": 0.0001, "batch_size": 32, "epochs": 100, "early_stopping": 20},
    ),
)

DEFAULT_PRESET = "playground"


def get_preset(key: str) -> Preset:
    for preset in PRESETS:
        if preset.key == key:
            return preset
    raise KeyError(f"no preset {key!r}; choose one of {', '.join(p.key for p in PRESETS)}")


def default_network() -> NetworkSpec:
    """The network a new session starts with."""
    return get_preset(DEFAULT_PRESET).network()
