"""The HTML pieces the report is built of; every value that is not already built here is escaped."""
from __future__ import annotations

import math
from html import escape

import numpy as np


class Raw(str):
    """HTML already built (and escaped) here: put in a table cell as it is."""


def esc(value) -> str:
    return value if isinstance(value, Raw) else escape(str(value), quote=True)


def is_finite(x) -> bool:
    return x is not None and isinstance(x, (int, float, np.floating, np.integer)) and math.isfinite(float(x))


def pct(x, digits: int = 1) -> str:
    return f"{float(x) * 100:.{digits}f} %" if is_finite(x) else "—"


def num(x, digits: int = 3) -> str:
    return f"{float(x):.{digits}f}" if is_finite(x) else "—"


def html_table(headers: list[str], rows: list[list], cls: str = "", numeric_from: int = 1) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, v in enumerate(row):
            kind = ' class="num"' if i >= numeric_from else ""
            cells.append(f"<td{kind}>{esc(v)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    cls_attr = f' class="{cls}"' if cls else ""
    return f"<table{cls_attr}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def html_dl(items: list[tuple[str, object]]) -> str:
    return "<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items) + "</dl>"


def html_section(title: str, body: str, sid: str) -> str:
    return f'<section id="{sid}"><h2>{esc(title)}</h2>{body}</section>'


def html_figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>"
