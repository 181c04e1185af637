"""What a class member may read of the server, and the `make class` launcher (dashboard/serve.py)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from core.runs.workspace import FULL, GONE, READ_ONLY
from dashboard.serve import server_env
from dashboard.text import md_plain, server_paths_hidden
from tests.helpers_runs import shown

ROOT = Path(__file__).resolve().parents[2]


def test_workspace_messages_name_no_server_path(tmp_path, monkeypatch):
    home = tmp_path / "glassnet home"
    monkeypatch.setenv("GLASSNET_HOME", str(home))
    for message in (FULL, READ_ONLY, GONE):
        text = server_paths_hidden(message.format(home=home))
        assert str(tmp_path) not in text and "/" not in text.replace("(or --home)", ""), text
        assert "workspace" in text
    assert server_paths_hidden(f"cannot read {home}/runs/ab/worker.log") == "cannot read …/worker.log"
    assert server_paths_hidden("[Errno 13] Permission denied: '/srv/data/x.csv'") == \
        "[Errno 13] Permission denied: '…/x.csv'"
    assert server_paths_hidden("income/month and a/b/c") == "income/month and a/b/c"   # not paths


def test_only_class_mode_hides_paths_in_page_text(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path))
    message = f"cannot read {tmp_path}/x.csv"
    monkeypatch.delenv("GLASSNET_MODE", raising=False)
    assert shown(md_plain(message)) == message                    # personal mode: the owner reads their own paths
    monkeypatch.setenv("GLASSNET_MODE", "class")
    assert shown(md_plain(message)) == "cannot read …/x.csv"


def launch(home: Path, *args: str) -> str:
    env = {"PATH": "/usr/bin:/bin", "GLASSNET_HOME": str(home)}
    done = subprocess.run([sys.executable, "-m", "dashboard.serve", *args, "--dry-run"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_class_launcher_prints_the_join_link_code_and_key_kept_in_the_workspace(tmp_path):
    out = launch(tmp_path, "--class", "--port", "8765")
    keys = json.loads((tmp_path / "class.json").read_text())
    link = re.search(r"Students open:\s+(http://\S+)", out).group(1)
    assert re.fullmatch(rf"http://[0-9.]+:8765/\?code={keys['code']}", link)
    assert f"Class code:     {keys['code']}" in out and f"Teacher key:    {keys['teacher_key']}" in out
    assert keys["secret"] not in out
    assert "--server.address 0.0.0.0 --server.port 8765" in out            # the machine's network by default
    again = launch(tmp_path, "--class", "--host", "10.1.2.3")
    assert f"http://10.1.2.3:8501/?code={keys['code']}" in again           # the same code next lesson
    assert "--server.address 10.1.2.3" in again and "--browser.serverAddress 10.1.2.3" in again


def test_personal_launch_stays_on_this_machine_and_makes_no_class(tmp_path):
    out = launch(tmp_path)
    assert "--server.address 127.0.0.1" in out and "Class code" not in out
    assert not (tmp_path / "class.json").exists()


def test_a_class_server_gets_no_development_switches():
    env = server_env(True, {"GLASSNET_RAISE_ERRORS": "1", "GLASSNET_HOME": "/x"})
    assert env == {"GLASSNET_MODE": "class", "GLASSNET_HOME": "/x"}
    assert server_env(False, {"GLASSNET_RAISE_ERRORS": "1"})["GLASSNET_RAISE_ERRORS"] == "1"
