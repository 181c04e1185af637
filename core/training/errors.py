"""The one error training raises for a person to fix: a run that cannot start as specified."""
from __future__ import annotations


class TrainingError(RuntimeError):
    """Training cannot start as specified (e.g. an unavailable device)."""
