"""`python -m core` run as a real subprocess, and reading its JSON."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 300


def cli(*args, home: Path | None = None, timeout: float = TIMEOUT, env: dict | None = None) -> subprocess.CompletedProcess:
    """`python -m core ARGS` on workspace `home`, with `env` added to the environment."""
    env = {**{k: v for k, v in os.environ.items() if k != "GLASSNET_HOME"}, **(env or {})}
    if home is not None:
        env["GLASSNET_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "core", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def last_json(proc: subprocess.CompletedProcess):
    lines = proc.stdout.strip().splitlines()
    assert lines, f"no stdout; stderr: {proc.stderr[-2000:]}"
    return json.loads(lines[-1])

