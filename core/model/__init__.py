"""The model: a NetworkSpec becomes a torch network, is counted before it exists, and leaves as weights or exports.

  plan, parameter_table, LayerInfo,         a spec's modules, output shapes and parameter
  output_units, concrete_loss, Part, Plan,  counts by arithmetic; the output layer a loss needs;
  check_size                                the parameter limit, checked before any weight exists architecture.py
  initial_weights, layer_initial_weights,   one layer's starting weights under each initialisation,
  weighted_layers, LayerInits, InitialWeights   side by side (only that layer is built)             initial.py
  network_for                               a run's network: a spec on a dataset, for a loss      network.py
  Network, build_network, build_body,       the torch modules of a plan, their starting weights,
  count_parameters                          and predict() in the target's own units               network.py
  forward_trace, dense_layers,              one input followed layer by layer (pre-activation and
  layer_outputs                             activation) through a dense network                   trace.py
  save_weights, load_weights, state_tensors,
  load_checkpoint, model_state              safetensors in and out (no pickle)                    weights.py
  pytorch_source, export_onnx,              the standalone script and the ONNX model, both taking
  MISSING_MARKERS                           the original columns                                  export/

Counting needs no torch: the names from network.py and export/ import torch the first time one of them is
used (onnx only when an ONNX model is written), so a page that only counts never waits for torch to load.
"""
from .architecture import LayerInfo, Part, Plan, check_size, concrete_loss, output_units, parameter_table, plan
from .initial import InitialWeights, LayerInits, initial_weights, layer_initial_weights, weighted_layers
from .weights import load_checkpoint, load_weights, model_state, save_weights, state_tensors

_TRACE = ("dense_layers", "forward_trace", "layer_outputs")
_NETWORK = ("Network", "build_body", "build_network", "count_parameters", "network_for")
_EXPORT = ("MISSING_MARKERS", "export_onnx", "pytorch_source")

__all__ = sorted(["LayerInfo", "Part", "Plan", "check_size", "concrete_loss", "output_units", "parameter_table", "plan",
                  "InitialWeights", "LayerInits", "initial_weights", "layer_initial_weights",
                  "weighted_layers",
                  "load_checkpoint", "load_weights", "model_state", "save_weights", "state_tensors",
                  *_NETWORK, *_EXPORT, *_TRACE])


def __getattr__(name: str):
    """The names that need torch, imported on first use."""
    if name in _NETWORK:
        from . import network as module
    elif name in _TRACE:
        from . import trace as module
    elif name in _EXPORT:
        from . import export as module
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(module, name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
