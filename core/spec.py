"""Network and training specs: plain dataclasses that round-trip through JSON.

A NetworkSpec lists the hidden layers; the output layer is added by the model
builder from the dataset (one unit per class, or one for regression and binary
cross-entropy). A TrainSpec holds everything about how the network is trained.
Both validate at the boundary and raise SpecError naming the field and the fix; the
numbers each field takes are one table (TRAIN_RANGES, LAYER_RANGES) that the pages
read too, and check_lr is the learning-rate rule for new and running runs alike.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields

from . import limits
from .limits import exceeded, nesting_depth

LAYER_TYPES = ("dense", "conv2d", "maxpool2d", "flatten", "dropout", "batchnorm")
ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh", "gelu", "linear")
INITS = ("default", "uniform", "gaussian", "xavier", "he", "zeros")
OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam", "adamw")
LOSSES = ("auto", "cross_entropy", "bce", "mse", "mae", "huber")
DEVICES = ("auto", "cpu", "cuda", "mps")
CLASS_WEIGHTS = ("none", "balanced")
RESAMPLING = ("none", "over", "under")
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
    """A spec value Glassnet cannot use. The message names the field first and says the fix.

    `field` is the path of the field it is about ("lr", "batch_size", "layers[2].units"; None when no
    single field is to blame), `detail` what the message says after the field's name (all of it when
    it names none); for a field of a network's layer, `layer` is that layer's index and `layer_field`
    the field inside it ("units"; "" when the layer as a whole is wrong).
    """

    def __init__(self, message: str, field: str | None = None, *, detail: str | None = None,
                 layer: int | None = None, layer_field: str = ""):
        super().__init__(message)
        self.field = field
        self.detail = message if detail is None else detail
        self.layer = layer
        self.layer_field = layer_field

    @classmethod
    def about(cls, field: str, detail: str) -> "SpecError":
        """The error about one field: its message is the field's path, then `detail`."""
        return cls(field + detail, field, detail=detail)

    @classmethod
    def in_layer(cls, index: int, detail: str, name: str = "") -> "SpecError":
        """The error about the layer at `index` (layers[index]) or, with `name`, one of its fields."""
        field = f"layers[{index}]" + (f".{name}" if name else "")
        return cls(field + detail, field, detail=detail, layer=index, layer_field=name)


def _check(ok: bool, field: str, detail: str) -> None:
    """Raise the error about `field` unless `ok`."""
    if not ok:
        raise SpecError.about(field, detail)


def _require(ok: bool, message: str) -> None:
    """Raise an error that names no single field (the whole spec is wrong) unless `ok`."""
    if not ok:
        raise SpecError(message)


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


@dataclass(frozen=True)
class Range:
    """The numbers a field takes: from `low` to `high`, each end included unless said open; `whole`
    fields take whole numbers only (in a spec: JSON integers)."""

    low: float
    high: float = math.inf
    whole: bool = False
    low_open: bool = False         # the low end itself is not allowed (e.g. a learning rate of 0)
    high_open: bool = False        # the high end itself is not allowed (e.g. a momentum of 1)

    def contains(self, value: float) -> bool:
        """Whether a number lies in the range (NaN never does)."""
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return bool(above and below)

    def accepts(self, value) -> bool:
        """Whether a spec may hold `value`: a number of the right kind, in the range."""
        return (_is_int(value) if self.whole else _is_num(value)) and self.contains(value)


# The number fields of a TrainSpec and the values each takes: TrainSpec.validate checks with these,
# and the Train page's number boxes say them.
TRAIN_RANGES = {
    "lr": Range(0, 10, low_open=True),
    "momentum": Range(0, 1, high_open=True),
    "l1": Range(0, 1),
    "l2": Range(0, 1),
    "batch_size": Range(1, 65536, whole=True),
    "epochs": Range(1, 100000, whole=True),
    "grad_clip": Range(0),
    "early_stopping": Range(0, whole=True),
    "seed": Range(0, 2**32 - 1, whole=True),
    "fairness_lambda": Range(0, 100),
    "checkpoint_every": Range(1, whole=True),
}

# The number fields of a hidden layer and the values each takes.
LAYER_RANGES = {
    "units": Range(1, MAX_UNITS, whole=True),
    "channels": Range(1, 512, whole=True),
    "kernel": Range(1, 11, whole=True),
    "padding": Range(0, 5, whole=True),
    "dropout": Range(0, 1, high_open=True),
    "rate": Range(0, 1, high_open=True),
}


def check_lr(lr) -> None:
    """The learning-rate rule, for a new run's spec and for a change while a run trains alike."""
    rule = TRAIN_RANGES["lr"]
    _check(rule.accepts(lr), "lr", f": the learning rate must be a number above {rule.low} and at most "
                                   f"{rule.high} (got {lr!r}); try 0.01")


def _layer_fail(index: int | None):
    """fail(name, detail): raise the error about a field of the layer at `index` (name "" = the layer
    itself); a layer outside a network (index None) is called "layer"."""
    def fail(name: str, detail: str):
        if index is not None:
            raise SpecError.in_layer(index, detail, name)
        field = "layer" + (f".{name}" if name else "")
        raise SpecError(field + detail, field, detail=detail)
    return fail


_LAYER_CHOICES = {"activation": ("activation", ACTIVATIONS), "init": ("initialisation", INITS)}


def _layer_problem(name: str, value) -> str | None:
    """What is wrong with a layer field's value (the words after the field's name), or None."""
    rule = LAYER_RANGES.get(name)
    if rule is not None:
        if rule.accepts(value):
            return None
        kind = (f"a whole number from {rule.low} to {rule.high}" if rule.whole
                else f"a fraction from {rule.low} up to (not including) {rule.high}")
        return f" must be {kind} (got {value!r})"
    if name == "batch_norm":
        return None if isinstance(value, bool) else " must be true or false"
    what, options = _LAYER_CHOICES[name]
    return None if value in options else f": unknown {what} {value!r}; use one of {', '.join(options)}"


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

    def validate(self, index: int | None = None) -> "LayerSpec":
        """Check the fields this layer's type uses; errors name the layer as layers[index] (or "layer")."""
        fail = _layer_fail(index)
        if self.type not in LAYER_TYPES:
            fail("type", f": unknown layer type {self.type!r}; use one of {', '.join(LAYER_TYPES)}")
        for name in LAYER_FIELDS[self.type]:
            problem = _layer_problem(name, getattr(self, name))
            if problem is not None:
                fail(name, problem)
        return self

    def to_dict(self) -> dict:
        return {"type": self.type, **{k: getattr(self, k) for k in LAYER_FIELDS.get(self.type, ())}}

    @classmethod
    def from_dict(cls, d, index: int | None = None) -> "LayerSpec":
        """A layer from its JSON object; errors name it as layers[index] (or "layer")."""
        fail = _layer_fail(index)
        if not isinstance(d, dict):
            fail("", " must be an object like {\"type\": \"dense\", \"units\": 8}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            fail("", f": unknown field(s) {', '.join(unknown)}; known fields are {', '.join(sorted(known))}")
        return cls(**d).validate(index)

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
        _check(isinstance(self.layers, list), "layers", " must be a list of layer objects")
        _check(len(self.layers) <= MAX_LAYERS, "layers", f": at most {MAX_LAYERS} layers (got {len(self.layers)})")
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, LayerSpec):
                raise SpecError.in_layer(i, " must be a layer object")
            layer.validate(i)
        _check(self.output_init in INITS, "output_init",
               f": unknown initialisation {self.output_init!r}; use one of {', '.join(INITS)}")
        return self

    @property
    def uses_images(self) -> bool:
        return any(l.type in ("conv2d", "maxpool2d") for l in self.layers)

    def to_dict(self) -> dict:
        return {"layers": [l.to_dict() for l in self.layers], "output_init": self.output_init}

    @classmethod
    def from_dict(cls, d) -> "NetworkSpec":
        _require(isinstance(d, dict), "a network spec must be a JSON object with a \"layers\" list")
        unknown = sorted(set(d) - {"layers", "output_init"})
        _require(not unknown, f"network spec: unknown field(s) {', '.join(unknown)}; known fields are layers, output_init")
        layers = d.get("layers", [])
        _check(isinstance(layers, list), "layers", " must be a list of layer objects")
        return cls(layers=[LayerSpec.from_dict(l, i) for i, l in enumerate(layers)],
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
    resample: str = "none"         # training rows only: 'over' repeats minority rows, 'under' drops majority ones
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
        _check(self.optimizer in OPTIMIZERS, "optimizer",
               f": unknown optimiser {self.optimizer!r}; use one of {', '.join(OPTIMIZERS)}")
        check_lr(self.lr)
        self._number("momentum", "in [{low}, {high})")
        _check(isinstance(self.nesterov, bool), "nesterov", " must be true or false")
        _check(not (self.nesterov and self.momentum == 0), "nesterov",
               " needs a momentum above 0; set momentum (e.g. 0.9) or turn nesterov off")
        _check(self.loss in LOSSES, "loss", f": unknown loss {self.loss!r}; use one of {', '.join(LOSSES)}")
        self._number("l1", "a penalty from {low} to {high}")
        self._number("l2", "a penalty from {low} to {high}")
        _check(self.class_weights in CLASS_WEIGHTS, "class_weights",
               f": use one of {', '.join(CLASS_WEIGHTS)} (got {self.class_weights!r})")
        _check(self.resample in RESAMPLING, "resample", f": use one of {', '.join(RESAMPLING)} (got {self.resample!r})")
        self._number("batch_size", "a whole number from {low} to {high}")
        self._number("epochs", "a whole number from {low} to {high}")
        self._number("grad_clip", "{low} (off) or a positive number")
        self._number("early_stopping", "{low} (off) or a patience in epochs")
        self._number("seed", "a whole number from {low} to 2^32-1")
        _check(self.device in DEVICES, "device", f": unknown device {self.device!r}; use one of {', '.join(DEVICES)}")
        self._check_fairness()
        self._number("checkpoint_every", "a whole number of epochs, at least {low}")
        return self

    def _number(self, name: str, words: str, hint: str = "") -> None:
        """Check a number field against its range in TRAIN_RANGES; `words` says what it must be, with
        the range's {low} and {high}."""
        rule, value = TRAIN_RANGES[name], getattr(self, name)
        _check(rule.accepts(value), name,
               " must be " + words.format(low=rule.low, high=rule.high) + f" (got {value!r})" + hint)

    def _check_fairness(self) -> None:
        _check(isinstance(self.sensitive, str), "sensitive", " must be a column name (or empty)")
        _check(isinstance(self.reweigh, bool), "reweigh", " must be true or false")
        _check(self.fairness_penalty in FAIRNESS_PENALTIES, "fairness_penalty",
               f": use one of {', '.join(FAIRNESS_PENALTIES)} (got {self.fairness_penalty!r})")
        self._number("fairness_lambda", "a weight from {low} to {high}", "; try 0.3")
        _check(isinstance(self.sensitive_bands, dict) and all(
                   isinstance(c, str) and isinstance(e, list) and 1 <= len(e) <= 20
                   and all(_is_num(v) and math.isfinite(v) for v in e) for c, e in self.sensitive_bands.items()),
               "sensitive_bands",
               " must map a column name to a list of 1 to 20 band edges, e.g. {\"age\": [30, 50]}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d) -> "TrainSpec":
        _require(isinstance(d, dict), "a training spec must be a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        _require(not unknown, f"training spec: unknown field(s) {', '.join(unknown)}; known fields are {', '.join(sorted(known))}")
        spec = cls(**d)
        if _is_int(spec.lr):
            spec.lr = float(spec.lr)
        return spec.validate()


def dumps(obj) -> str:
    """JSON text of a NetworkSpec or TrainSpec."""
    return json.dumps(obj.to_dict(), indent=2)


def _parse(text: str, what: str, hint: str = ""):
    """A spec file's JSON, within the size and nesting limits; every problem a SpecError."""
    if len(text) > limits.current().max_spec_bytes:
        raise SpecError(exceeded("max_spec_bytes", f"the {what} is {len(text):,} characters",
                                 "export a spec from Glassnet to see the format"))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise SpecError(f"the {what} is not valid JSON ({e.msg} at line {e.lineno}){hint}") from None
    except RecursionError:
        data = None
    depth = nesting_depth(data) if data is not None else None
    if depth is None or depth > limits.current().max_spec_depth:
        nesting = "nests too deeply to read" if depth is None else f"nests {depth} levels deep"
        raise SpecError(exceeded("max_spec_depth", f"the {what} {nesting}",
                                 "a spec is an object with a list of flat layer objects"))
    return data


def loads_network(text: str) -> NetworkSpec:
    data = _parse(text, "network spec", "; export a spec from Glassnet to see the format")
    if isinstance(data, dict) and "network" in data:   # a combined {network, train} file
        data = data["network"]
    return NetworkSpec.from_dict(data)


def loads_train(text: str) -> TrainSpec:
    data = _parse(text, "training spec")
    if isinstance(data, dict) and "train" in data:
        data = data["train"]
    return TrainSpec.from_dict(data)
