"""Start Glassnet for a class: `python -m dashboard.serve --class` (what `make class` runs).

It makes the workspace's class code and teacher key on first use (kept in the workspace, so they stay the
same from one lesson to the next), prints the join link students open, the class code and the teacher key,
then becomes the Streamlit server with GLASSNET_MODE=class, serving the machine's network (0.0.0.0) unless
--host says otherwise. Without --class it starts personal mode on 127.0.0.1, as `make run` does.
"""
from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.runs import Store, StoreError, class_keys  # noqa: E402

DEV_ONLY = ("GLASSNET_RAISE_ERRORS",)   # shows tracebacks in the page: never on a server others use


def lan_address() -> str:
    """The address other machines on the network reach this one at (the interface of the default route;
    no packet is sent), or 127.0.0.1 when there is no network."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.254.254.254", 1))
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def link_host(host: str) -> str:
    """The host to put in the join link for a server listening on `host`."""
    return lan_address() if host in ("0.0.0.0", "::", "") else host


def announce(home: Path, host: str, port: int) -> str:
    """The lines printed at start: the join link, the class code, the teacher key and the workspace."""
    keys = class_keys(home)
    where = link_host(host)
    return "\n".join([
        "Glassnet is starting for a class.",
        f"  Students open:  http://{where}:{port}/?code={keys.code}",
        f"  Class code:     {keys.code}",
        f"  Teacher key:    {keys.teacher_key}   (keep it to yourself: with it you see every run of the class)",
        f"  Workspace:      {home}",
        "Everyone joins with a name; each sees only their own runs and uploads.",
    ])


def server_env(klass: bool, environ) -> dict:
    """The server's environment: the mode, and for a class none of the development switches."""
    env = {**environ, "GLASSNET_MODE": "class" if klass else "personal"}
    for name in DEV_ONLY if klass else ():
        env.pop(name, None)
    return env


def streamlit_command(host: str, port: int, browser_host: str) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(Path("dashboard") / "app.py"), "--server.address", host,
            "--server.port", str(port), "--browser.serverAddress", browser_host]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--class", dest="klass", action="store_true", help="share the server with a class")
    parser.add_argument("--host", help="address to listen on (class: 0.0.0.0, the whole network; else 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--dry-run", action="store_true", help="print what starting would print, start nothing")
    args = parser.parse_args(argv)
    host = args.host or ("0.0.0.0" if args.klass else "127.0.0.1")
    env = server_env(args.klass, os.environ)
    if args.klass:
        try:
            with Store() as store:
                print(announce(store.home, host, args.port), flush=True)
        except StoreError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    command = streamlit_command(host, args.port, link_host(host))
    if args.dry_run:
        print(" ".join(command[1:]))
        return 0
    os.chdir(ROOT)                        # Streamlit reads .streamlit/config.toml from where it starts
    os.execve(sys.executable, command, env)
    return 0                              # not reached: the process is the server now


if __name__ == "__main__":
    sys.exit(main())
