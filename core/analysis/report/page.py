"""The page: the sections in order inside one self-contained HTML document, with its style sheet."""
from __future__ import annotations

from .context import build_context
from .html import esc
from .sections import (charts_section, data_section, disparities_section, explanations_section, groups_section,
                       header, metrics_section, mitigations_section, model_section, proxies_section)

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #1d1d1f; background: #fff; margin: 0 auto; max-width: 980px; padding: 28px 32px 48px;
       line-height: 1.45; font-size: 15px; }
header { border-bottom: 3px solid #3566a8; margin-bottom: 8px; padding-bottom: 10px; }
h1 { font-size: 26px; margin: 0 0 6px; }
h2 { font-size: 19px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #ddd; color: #23467a; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.meta { color: #555; margin: 0; font-size: 13px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0 0 12px; }
dt { color: #555; } dd { margin: 0; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 13.5px; min-width: 55%; }
table.groups, table.disparities { width: 100%; }
th, td { padding: 5px 8px; border-bottom: 1px solid #e2e2e2; text-align: left; vertical-align: top; }
th { background: #f3f5f8; font-weight: 600; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
table.groups tbody tr:last-child td { border-top: 2px solid #ccc; background: #fafafa; }
.ci { color: #777; font-size: 12px; }
.delta { color: #777; font-size: 12px; }
.flag { background: #fff2cc; color: #7a5a00; border: 1px solid #e6c65c; border-radius: 3px; padding: 0 5px;
        font-size: 12px; white-space: nowrap; }
.verdict { padding: 8px 12px; border-radius: 4px; font-weight: 600; margin: 6px 0 10px; }
.verdict.pass { background: #e7f5ec; border-left: 5px solid #2e8b57; }
.verdict.fail { background: #fdecea; border-left: 5px solid #b03a48; }
.verdict.unknown { background: #f1f1f1; border-left: 5px solid #888; }
.note { color: #555; font-size: 13px; margin: 4px 0 10px; }
ul.sentences li { margin-bottom: 4px; }
figure { margin: 12px 0 18px; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: #555; font-size: 12.5px; margin-top: 2px; }
footer { margin-top: 36px; color: #777; font-size: 12px; border-top: 1px solid #ddd; padding-top: 8px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  table { font-size: 9pt; }
  td.num { white-space: normal; }
  .ci { display: block; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure, table, dl, .verdict, ul.sentences { break-inside: avoid; page-break-inside: avoid; }
  th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .verdict, .flag, svg { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
"""


def audit_report(store, run_id: str, sensitive, *, favourable: str | None = None, threshold: float | dict = 0.5,
                 bins: dict | None = None, mitigations: list[dict] | None = None) -> str:
    """The fairness audit of a stored classification run as one self-contained HTML page."""
    ctx = build_context(store, run_id, sensitive, favourable=favourable, threshold=threshold, bins=bins)
    sections = [data_section(ctx), model_section(ctx), metrics_section(ctx), groups_section(ctx),
                disparities_section(ctx), charts_section(ctx), explanations_section(ctx), proxies_section(ctx),
                mitigations_section(ctx, mitigations)]
    title = f"Fairness audit: {ctx.run.name}"
    footer = ("<footer>Made by Glassnet. Metrics and disparities as fairlearn defines them; intervals: 95 % "
              "bootstrap within each group; explanations: Shapley values of the log-odds of the favourable outcome, "
              "log(p / (1 − p)). A disparity is a signal to investigate, not by itself a proof of discrimination."
              "</footer>")
    return ("<!DOCTYPE html>\n"
            f'<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>{CSS}</style></head><body>{header(ctx)}<main>{''.join(sections)}</main>{footer}</body></html>\n")
