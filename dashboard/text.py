"""User text (run names, file names, column names) shown through Streamlit's Markdown as plain text."""
from __future__ import annotations

import string

_PUNCT = set(string.punctuation)


def md_plain(text) -> str:
    """Escape every ASCII punctuation mark so Markdown and HTML in `text` show literally."""
    return "".join("\\" + c if c in _PUNCT else c for c in str(text)).replace("\n", " ")
