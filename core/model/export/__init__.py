"""Exports of a trained network that take the original columns of a table (text, numbers, gaps) and give
what `python -m core predict` gives: both carry the preprocessing the network was trained with.

  pytorch_source    a standalone PyTorch script with preprocess(rows)        script.py
  export_onnx       an ONNX model, one input per original column             onnx.py, onnx_graph.py
  MISSING_MARKERS   the text cells both read as a gap                        missing.py

The weights themselves (safetensors) are core.model's save_weights / load_weights.
"""
from .missing import MISSING_MARKERS
from .onnx import export_onnx
from .script import pytorch_source

__all__ = ["MISSING_MARKERS", "export_onnx", "pytorch_source"]
