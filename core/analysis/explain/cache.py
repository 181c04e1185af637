"""The names of cached explanations in a run's folder: everything that changes a result, and the version."""
from __future__ import annotations

import hashlib
import json

CACHE_VERSION = 2           # 2: classification in log-odds of each class (1 was raw logits); older files are not read


def cache_key(**settings) -> str:
    """The name of a cached result: everything that changes it, and the cache's version (a result of an
    older version, e.g. in another unit, is never found)."""
    text = json.dumps({**settings, "version": CACHE_VERSION}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]
