"""The settings a race can vary, how a value is read from text, and how it is applied to a run's specs.

Each setting is one field of the training spec (optimizer, lr, batch_size, l2) or of every hidden layer that
has it (dropout, init, activation). Values come as text ("0.001, 0.01, 0.1"); each is read, applied to the
base specs and the specs validated, so a bad value is refused with a sentence that names it and the fix.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..spec import ACTIVATIONS, INITS, OPTIMIZERS, NetworkSpec, SpecError, TrainSpec

MIN_VALUES, MAX_VALUES = 2, 8      # a race compares at least two runs; eight overlaid curves stay readable

OPTIMIZER_NAMES = {"sgd": "SGD", "momentum": "momentum", "adagrad": "AdaGrad", "rmsprop": "RMSprop",
                   "adam": "Adam", "adamw": "AdamW"}


class RaceError(SpecError):
    """A race that cannot start as asked: the message names what is wrong and the fix."""


@dataclass(frozen=True)
class Setting:
    """One setting a race can vary. `kind` is "choice", "number" or "whole"; `where` is "train" (a field of
    the TrainSpec) or "layers" (the field of every hidden layer that uses it)."""

    key: str
    title: str
    kind: str
    where: str
    defaults: tuple
    choices: tuple = ()
    example: str = ""
    start_note: str = ""          # how the runs' initial weights differ, when they may (else they are the same)

    def label(self, value) -> str:
        """How a run of the race is named: 'Adam', 'lr=0.01', 'init=he'."""
        if self.key == "optimizer":
            return OPTIMIZER_NAMES.get(value, str(value))
        return f"{self.key}={value:g}" if isinstance(value, (int, float)) else f"{self.key}={value}"


SETTINGS = {s.key: s for s in (
    Setting("optimizer", "Optimiser", "choice", "train", ("sgd", "momentum", "adagrad", "rmsprop", "adam"),
            OPTIMIZERS, "sgd, momentum, adam"),
    Setting("lr", "Learning rate", "number", "train", (0.001, 0.01, 0.1, 1.0), example="0.001, 0.01, 0.1, 1"),
    Setting("batch_size", "Batch size", "whole", "train", (8, 32, 128), example="8, 32, 128"),
    Setting("l2", "L2 penalty", "number", "train", (0.0, 0.001, 0.01, 0.1), example="0, 0.001, 0.01"),
    Setting("dropout", "Dropout", "number", "layers", (0.0, 0.2, 0.5), example="0, 0.2, 0.5"),
    Setting("init", "Initialisation", "choice", "layers", ("default", "xavier", "he", "zeros"), INITS,
            "default, xavier, he", "Their initial weights differ: drawing them is what this setting changes."),
    Setting("activation", "Activation", "choice", "layers", ("relu", "tanh", "sigmoid"), ACTIVATIONS,
            "relu, tanh, sigmoid", "They start from the same initial weights unless the layers use xavier "
            "initialisation (or he with leaky ReLU), which scales them to suit the activation."),
)}


def setting(key: str) -> Setting:
    """The setting called `key`; RaceError naming the ones there are otherwise."""
    if key not in SETTINGS:
        raise RaceError(f"a race cannot vary {key!r}; choose one of {', '.join(SETTINGS)}")
    return SETTINGS[key]


def parse_values(key: str, text, group: str = "a race") -> list:
    """The values of a race (or of one setting of a grid: `group` "a grid") from text such as "0.001, 0.01, 0.1"
    (or a list); RaceError naming a bad one."""
    s = setting(key)
    items = [t.strip() for t in text.split(",")] if isinstance(text, str) else list(text)
    items = [t for t in items if t != ""]
    values = [_read(s, item) for item in items]
    if len(values) < MIN_VALUES:
        raise RaceError(f"{s.title}: {group} needs at least {MIN_VALUES} values separated by commas (got "
                        f"{len(values)}), e.g. {s.example or ', '.join(map(str, s.defaults))}")
    if len(values) > MAX_VALUES:
        raise RaceError(f"{s.title}: {group} compares at most {MAX_VALUES} values (got {len(values)}); leave some out")
    repeated = sorted({str(v) for v in values if values.count(v) > 1})
    if repeated:
        raise RaceError(f"{s.title}: {', '.join(repeated)} is given twice; each value runs once, so list it once")
    return values


def _read(s: Setting, item):
    text = str(item).strip()
    if s.kind == "choice":
        value = text.lower()
        if value not in s.choices:
            raise RaceError(f"{s.title}: unknown value {text!r}; use some of {', '.join(s.choices)}")
        return value
    try:
        number = float(text)
    except ValueError:
        raise RaceError(f"{s.title}: {text!r} is not a number; write numbers separated by commas, e.g. "
                        f"{s.example}") from None
    if s.kind == "whole":
        if number != int(number):
            raise RaceError(f"{s.title}: {text!r} is not a whole number; write whole numbers, e.g. {s.example}")
        return int(number)
    return number


def apply(key: str, value, network: NetworkSpec, train: TrainSpec) -> tuple[NetworkSpec, TrainSpec]:
    """New specs: the base ones with `key` set to `value`, validated (RaceError naming the value and the fix)."""
    s = setting(key)
    net_d, train_d = network.to_dict(), train.to_dict()
    if s.where == "train":
        train_d[key] = value
    else:
        touched = [layer for layer in net_d["layers"] if key in layer]
        if not touched:
            raise RaceError(f"{s.title}: the network has no layer with a {key} setting; add a dense layer on the "
                            "Build page (or with --hidden) first")
        for layer in touched:
            layer[key] = value
    try:
        return NetworkSpec.from_dict(net_d), TrainSpec.from_dict(train_d)
    except SpecError as e:
        detail = e.detail.lstrip(": ")
        detail = "it " + detail if detail.startswith("must") else detail
        raise RaceError(f"{s.title} {value!r} cannot be used: {detail}") from None
