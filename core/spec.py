"""Network and training specs: plain dataclasses that round-trip through JSON.

A NetworkSpec lists the hidden layers; the output layer is added by the model
builder from the dataset (one unit per class, or one for regression and binary
cross-entropy). A TrainSpec holds everything about how the network is trained.
Both validate at the boundary and raise SpecError naming the field and the fix.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields

LAYER_TYPES = ("dense", "conv2d", "maxpool2d", "flatten", "dropout", "batchnorm")
ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh", "gelu", "linear")
INITS = ("default", "uniform", "gaussian", "xavier", "he", "zeros")
OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam", "adamw")
LOSSES = ("auto", "cross_entropy", "bce", "mse", "mae", "huber")
DEVICES = ("auto", "cpu", "cuda", "mps")
CLASS_WEIGHTS = ("none", "balanced")
FAIRNESS_PENALTIES = ("none", "demographic_parity", "equalized_odds")

# The fields each layer type uses; everything else is left out of its JSON.
LAYER_FIELDS = {
    "dense": ("units", "activation", "init", "batch_norm", "dropout"),
    "conv2d": ("channels", "kernel", "padding", "activation", "init", "batch_norm"),
    "maxpool2d": ("kernel",),
    "flatten": (),
    "dropout": ("rate",),
    "batchnorm": (),
}

MAX_UNITS = 4096
MAX_LAYERS = 64


class SpecError(ValueError):
    """A spec field has a value Glassnet cannot use; the message names the field."""


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise SpecError(message)


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


@dataclass
class LayerSpec:
    """One hidden layer. Which fields matter depends on `type` (see LAYER_FIELDS)."""

    type: str = "dense"
    units: int = 8
    activation: str = "relu"
    init: str = "default"
    batch_norm: bool = False
    dropout: float = 0.0
    channels: int = 8
    kernel: int = 3
    padding: int = 1
    rate: float = 0.5

    def validate(self, where: str = "layer") -> "LayerSpec":
        _check(self.type in LAYER_TYPES,
               f"{where}.type: unknown layer type {self.type!r}; use one of {', '.join(LAYER_TYPES)}")
        used = LAYER_FIELDS[self.type]
        if "units" in used:
            _check(_is_int(self.units) and 1 <= self.units <= MAX_UNITS,
                   f"{where}.units must be a whole number from 1 to {MAX_UNITS} (got {self.units!r})")
        if "channels" in used:
            _check(_is_int(self.channels) and 1 <= self.channels <= 512,
                   f"{where}.channels must be a whole number from 1 to 512 (got {self.channels!r})")
        if "kernel" in used:
            _check(_is_int(self.kernel) and 1 <= self.kernel <= 11,
                   f"{where}.kernel must be a whole number from 1 to 11 (got {self.kernel!r})")
        if "padding" in used:
            _check(_is_int(self.padding) and 0 <= self.padding <= 5,
                   f"{where}.padding must be a whole number from 0 to 5 (got {self.padding!r})")
        if "activation" in used:
            _check(self.activation in ACTIVATIONS,
                   f"{where}.activation: unknown activation {self.activation!r}; use one of {', '.join(ACTIVATIONS)}")
        if "init" in used:
            _check(self.init in INITS,
                   f"{where}.init: unknown initialisation {self.init!r}; use one of {', '.join(INITS)}")
        if "batch_norm" in used:
            _check(isinstance(self.batch_norm, bool), f"{where}.batch_norm must be true or false")
        if "dropout" in used:
            _check(_is_num(self.dropout) and 0 <= self.dropout < 1,
                   f"{where}.dropout must be a fraction from 0 up to (not including) 1 (got {self.dropout!r})")
        if "rate" in used:
            _check(_is_num(self.rate) and 0 <= self.rate < 1,
                   f"{where}.rate must be a fraction from 0 up to (not including) 1 (got {self.rate!r})")
        return self

    def to_dict(self) -> dict:
        return {"type": self.type, **{k: getattr(self, k) for k in LAYER_FIELDS.get(self.type, ())}}

    @classmethod
    def from_dict(cls, d, where: str = "layer") -> "LayerSpec":
        _check(isinstance(d, dict), f"{where} must be an object like {{\"type\": \"dense\", \"units\": 8}}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        _check(not unknown, f"{where}: unknown field(s) {', '.join(unknown)}; known fields are {', '.join(sorted(known))}")
        return cls(**d).validate(where)

    def describe(self) -> str:
        """A short human label, e.g. 'dense 16 tanh'."""
        if self.type == "dense":
            extra = (" +BN" if self.batch_norm else "") + (f" +dropout {self.dropout:g}" if self.dropout else "")
            return f"dense {self.units} {self.activation}{extra}"
        if self.type == "conv2d":
            return f"conv {self.channels}×{self.kernel}×{self.kernel} {self.activation}" + (" +BN" if self.batch_norm else "")
        if self.type == "maxpool2d":
            return f"max-pool {self.kernel}×{self.kernel}"
        if self.type == "dropout":
            return f"dropout {self.rate:g}"
        return self.type


@dataclass
class NetworkSpec:
    """The hidden layers of a network; input and output sizes come from the dataset."""

    layers: list[LayerSpec] = field(default_factory=lambda: [LayerSpec(units=8), LayerSpec(units=8)])
    output_init: str = "default"

    def validate(self) -> "NetworkSpec":
        _check(isinstance(self.layers, list), "layers must be a list of layer objects")
        _check(len(self.layers) <= MAX_LAYERS, f"layers: at most {MAX_LAYERS} layers (got {len(self.layers)})")
        for i, layer in enumerate(self.layers):
            _check(isinstance(layer, LayerSpec), f"layers[{i}] must be a layer object")
            layer.validate(f"layers[{i}]")
        _check(self.output_init in INITS,
               f"output_init: unknown initialisation {self.output_init!r}; use one of {', '.join(INITS)}")
        return self

    @property
    def uses_images(self) -> bool:
        return any(l.type in ("conv2d", "maxpool2d") for l in self.layers)

    def to_dict(self) -> dict:
        return {"layers": [l.to_dict() for l in self.layers], "output_init": self.output_init}

    @classmethod
    def from_dict(cls, d) -> "NetworkSpec":
        _check(isinstance(d, dict), "a network spec must be a JSON object with a \"layers\" list")
        unknown = sorted(set(d) - {"layers", "output_init"})
        _check(not unknown, f"network spec: unknown field(s) {', '.join(unknown)}; known fields are layers, output_init")
        layers = d.get("layers", [])
        _check(isinstance(layers, list), "layers must be a list of layer objects")
        return cls(layers=[LayerSpec.from_dict(l, f"layers[{i}]") for i, l in enumerate(layers)],
                   output_init=d.get("output_init", "default")).validate()

    @classmethod
    def dense(cls, hidden, activation: str = "relu", init: str = "default") -> "NetworkSpec":
        """A multilayer perceptron with the given hidden sizes, e.g. dense([16, 16], 'tanh')."""
        return cls(layers=[LayerSpec(units=int(u), activation=activation, init=init) for u in hidden]).validate()


@dataclass
class TrainSpec:
    """How a network is trained. Defaults suit the 2-D toy sets."""

    optimizer: str = "adam"
    lr: float = 0.01
    momentum: float = 0.9          # for 'momentum' (SGD with momentum)
    nesterov: bool = False         # Nesterov momentum, for 'momentum'
    loss: str = "auto"             # auto: cross-entropy for classes, mse for regression
    l1: float = 0.0                # L1 penalty on weights
    l2: float = 0.0                # L2 penalty on weights (weight decay)
    class_weights: str = "none"    # 'balanced' weights classes by inverse frequency
    batch_size: int = 32
    epochs: int = 100
    grad_clip: float = 0.0         # max gradient norm; 0 = off
    early_stopping: int = 0        # patience in epochs on validation loss; 0 = off
    seed: int = 0
    device: str = "auto"
    checkpoint_every: int = 10     # keep a checkpoint every N epochs (plus best and last)
    sensitive: str = ""            # column whose groups are audited each epoch ("" = the data's first sensitive one)
    reweigh: bool = False          # weight training rows so that group and label are independent
    fairness_penalty: str = "none" # add λ × this gap between the groups (on the batch) to the loss
    fairness_lambda: float = 0.3
    sensitive_bands: dict = field(default_factory=dict)   # column → band edges for a numeric sensitive column
                                                          # (absent: cut at the training rows' quartiles)

    def validate(self) -> "TrainSpec":
        _check(self.optimizer in OPTIMIZERS,
               f"optimizer: unknown optimiser {self.optimizer!r}; use one of {', '.join(OPTIMIZERS)}")
        _check(_is_num(self.lr) and 0 < self.lr <= 10,
               f"lr: the learning rate must be a number above 0 and at most 10 (got {self.lr!r}); try 0.01")
        _check(_is_num(self.momentum) and 0 <= self.momentum < 1, f"momentum must be in [0, 1) (got {self.momentum!r})")
        _check(isinstance(self.nesterov, bool), "nesterov must be true or false")
        _check(not (self.nesterov and self.momentum == 0),
               "nesterov needs a momentum above 0; set momentum (e.g. 0.9) or turn nesterov off")
        _check(self.loss in LOSSES, f"loss: unknown loss {self.loss!r}; use one of {', '.join(LOSSES)}")
        _check(_is_num(self.l1) and 0 <= self.l1 <= 1, f"l1 must be a penalty from 0 to 1 (got {self.l1!r})")
        _check(_is_num(self.l2) and 0 <= self.l2 <= 1, f"l2 must be a penalty from 0 to 1 (got {self.l2!r})")
        _check(self.class_weights in CLASS_WEIGHTS,
               f"class_weights: use one of {', '.join(CLASS_WEIGHTS)} (got {self.class_weights!r})")
        _check(_is_int(self.batch_size) and 1 <= self.batch_size <= 65536,
               f"batch_size must be a whole number from 1 to 65536 (got {self.batch_size!r})")
        _check(_is_int(self.epochs) and 1 <= self.epochs <= 100000,
               f"epochs must be a whole number from 1 to 100000 (got {self.epochs!r})")
        _check(_is_num(self.grad_clip) and self.grad_clip >= 0, f"grad_clip must be 0 (off) or a positive number (got {self.grad_clip!r})")
        _check(_is_int(self.early_stopping) and self.early_stopping >= 0,
               f"early_stopping must be 0 (off) or a patience in epochs (got {self.early_stopping!r})")
        _check(_is_int(self.seed) and 0 <= self.seed < 2**32, f"seed must be a whole number from 0 to 2^32-1 (got {self.seed!r})")
        _check(self.device in DEVICES, f"device: unknown device {self.device!r}; use one of {', '.join(DEVICES)}")
        _check(isinstance(self.sensitive, str), "sensitive must be a column name (or empty)")
        _check(isinstance(self.reweigh, bool), "reweigh must be true or false")
        _check(self.fairness_penalty in FAIRNESS_PENALTIES,
               f"fairness_penalty: use one of {', '.join(FAIRNESS_PENALTIES)} (got {self.fairness_penalty!r})")
        _check(_is_num(self.fairness_lambda) and 0 <= self.fairness_lambda <= 100,
               f"fairness_lambda must be a weight from 0 to 100 (got {self.fairness_lambda!r}); try 0.3")
        _check(isinstance(self.sensitive_bands, dict) and all(
                   isinstance(c, str) and isinstance(e, list) and 1 <= len(e) <= 20
                   and all(_is_num(v) and math.isfinite(v) for v in e) for c, e in self.sensitive_bands.items()),
               "sensitive_bands must map a column name to a list of 1 to 20 band edges, e.g. {\"age\": [30, 50]}")
        _check(_is_int(self.checkpoint_every) and self.checkpoint_every >= 1,
               f"checkpoint_every must be a whole number of epochs, at least 1 (got {self.checkpoint_every!r})")
        return self

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d) -> "TrainSpec":
        _check(isinstance(d, dict), "a training spec must be a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        _check(not unknown, f"training spec: unknown field(s) {', '.join(unknown)}; known fields are {', '.join(sorted(known))}")
        spec = cls(**d)
        if _is_int(spec.lr):
            spec.lr = float(spec.lr)
        return spec.validate()


def dumps(obj) -> str:
    """JSON text of a NetworkSpec or TrainSpec."""
    return json.dumps(obj.to_dict(), indent=2)


def loads_network(text: str) -> NetworkSpec:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise SpecError(f"the network spec is not valid JSON ({e.msg} at line {e.lineno}); export a spec from Glassnet to see the format") from None
    if isinstance(data, dict) and "network" in data:   # a combined {network, train} file
        data = data["network"]
    return NetworkSpec.from_dict(data)


def loads_train(text: str) -> TrainSpec:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise SpecError(f"the training spec is not valid JSON ({e.msg} at line {e.lineno})") from None
    if isinstance(data, dict) and "train" in data:
        data = data["train"]
    return TrainSpec.from_dict(data)
