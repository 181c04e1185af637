"""What cannot be explained: one error type whose message says why and what to do."""
from __future__ import annotations


class ExplainError(ValueError):
    """A request that cannot be explained; the message says why and what to do."""
