"""User text (run names, file names, column names, group and class names, error messages that quote them)
made safe for the two places the pages show it: Streamlit's Markdown and plotly's chart text.

On a class server (GLASSNET_MODE=class) the people reading it are not the server's owner: a message that
quotes a path on the server (a workspace that is full, a file that cannot be read) shows it as "the
workspace" or "…/file name" instead."""
from __future__ import annotations

import html
import os
import re
import string

_PUNCT = set(string.punctuation)
_PATH = re.compile(r"(?<![\w.~\-/])(?:/[\w.@+~\-]+){2,}/?")


def server_paths_hidden(text: str) -> str:
    """`text` with the workspace's folder named "the workspace" and any other absolute path cut to its last
    part: what a person who does not run the server may read of it."""
    from core.runs.store import default_home
    home = str(default_home())
    for form in {home.rstrip("/"), os.path.realpath(home)}:
        text = re.sub(re.escape(form) + r"/([^\s'\"`]*)", lambda m: "…/" + _last(m.group(1)), text)
        bare = re.escape(form) + r"(?![\w.@+~\-/])"
        # "the workspace /srv/x" → "the workspace"; any other mention → "the workspace folder"
        text = re.sub(r"(?i)(workspace(?: folder)?) " + bare, r"\1", text)
        text = re.sub(bare, "the workspace folder", text)
    return _PATH.sub(lambda m: "…/" + _last(m.group(0)), text)


def _last(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def _shown(text) -> str:
    text = str(text)
    if os.environ.get("GLASSNET_MODE", "").strip().lower() == "class":
        text = server_paths_hidden(text)
    return text


def md_plain(text) -> str:
    """Escape every ASCII punctuation mark so Markdown and HTML in `text` show literally."""
    return "".join("\\" + c if c in _PUNCT else c for c in _shown(text)).replace("\n", " ")


def plot_plain(text) -> str:
    """`text` for a plotly label, name, title, tick, annotation or hover text, shown literally.

    Plotly draws a few HTML tags in its text (<a href>, <b>, <br>, <span style>…), so <, > and & become
    entities; and it reads '%{…}' in a hover or text template as a field to fill, so the '%' of a '%{'
    becomes the entity '&#37;', which plotly turns back into '%' after filling the fields: the person
    sees '%{x}' as they wrote it, never the value of x."""
    return html.escape(str(text), quote=False).replace("%{", "&#37;{")
