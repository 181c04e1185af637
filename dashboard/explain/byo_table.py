"""An uploaded table made ready for an uploaded ONNX model (core.analysis.explain.byo_table: the page and the
workers use the same)."""
from core.analysis.explain.byo_table import ByoError, byo_classes, byo_default_target, byo_inputs, byo_table

__all__ = ["ByoError", "byo_classes", "byo_default_target", "byo_inputs", "byo_table"]
