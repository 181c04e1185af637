"""User text (run names, file names, column names, group and class names, error messages that quote them)
made safe for the two places the pages show it: Streamlit's Markdown and plotly's chart text."""
from __future__ import annotations

import html
import string

_PUNCT = set(string.punctuation)


def md_plain(text) -> str:
    """Escape every ASCII punctuation mark so Markdown and HTML in `text` show literally."""
    return "".join("\\" + c if c in _PUNCT else c for c in str(text)).replace("\n", " ")


def plot_plain(text) -> str:
    """`text` for a plotly label, name, title, tick, annotation or hover text, shown literally.

    Plotly draws a few HTML tags in its text (<a href>, <b>, <br>, <span style>…), so <, > and & become
    entities; and it reads '%{…}' in a hover or text template as a field to fill, so the '%' of a '%{'
    becomes the entity '&#37;', which plotly turns back into '%' after filling the fields: the person
    sees '%{x}' as they wrote it, never the value of x."""
    return html.escape(str(text), quote=False).replace("%{", "&#37;{")
