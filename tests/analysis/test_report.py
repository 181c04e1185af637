"""core/analysis/report: the self-contained HTML fairness audit of a stored run — its content, that it parses,
that it loads nothing from outside, that user strings are escaped, and how it looks in a real browser
(a screenshot in test-artifacts/audit-report.png and a printed A4 PDF)."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from core.analysis import fairness as F
from core.data import load_builtin, load_csv
from core.model import build_network, concrete_loss
from core.presets import get_preset
from core.analysis.fairness import four_fifths
from core.analysis.report import audit_report
from core.spec import NetworkSpec, TrainSpec
from core.runs import Store
from core.training import StoreRecorder, Trainer, seed_everything
from tests.helpers_runs import train_run

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
EVIL_GROUP = "<script>alert(1)</script>"
EVIL_COLUMN = "grp<img src=x onerror=alert(1)>"
MITIGATIONS = [
    {"name": "reweigh", "accuracy": 0.704, "demographic_parity_difference": 0.055, "equalized_odds_difference": 0.156},
    {"name": "ThresholdOptimizer <demographic parity>", "accuracy": 0.714,
     "demographic_parity_difference": 0.059, "equalized_odds_difference": None},
]


class Page(HTMLParser):
    """Parses the report: checks that every element is closed in order and collects what the tests read."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.tags = [], [], []
        self.title, self.text, self.rows, self._cell, self._row = "", [], {}, None, None
        self._table_class = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag in VOID:
            return
        self.stack.append(tag)
        if tag == "table":
            self._table_class.append(attrs.get("class", ""))
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()
        if tag in ("td", "th") and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.setdefault(self._table_class[-1], []).append(self._row)
            self._row = None
        elif tag == "table":
            self._table_class.pop()

    def handle_data(self, data):
        if self.stack[-2:] == ["head", "title"]:
            self.title += data
        if self._cell is not None:
            self._cell.append(data)
        self.text.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    assert page.errors == [] and page.stack == [], (page.errors, page.stack)
    return page


def assert_self_contained(html: str, page: Page):
    lowered = html.lower()
    assert "<script" not in lowered and "javascript:" not in lowered and "@import" not in lowered
    assert not re.search(r"url\(", lowered)
    for tag, attrs in page.tags:
        for key in ("src", "href", "srcset", "data"):
            value = (attrs.get(key) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//")), (tag, key, value)
        assert not (tag == "link" and attrs.get("rel") == "stylesheet"), attrs
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)       # no event handlers
    # every inline chart is well-formed XML on its own
    svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    for svg in svgs:
        ET.fromstring(svg)
    return svgs


def train_stored(store: Store, ds, network: NetworkSpec, spec: TrainSpec, name: str) -> str:
    seed_everything(spec.seed)
    net, _ = build_network(network, ds, concrete_loss(spec.loss, ds.task))
    run_id = store.create_run(name=name, dataset=ds.ref.to_dict(), network=network.to_dict(), train=spec.to_dict(),
                              status="queued")
    Trainer(net, ds, spec, callbacks=[StoreRecorder(store, run_id)]).fit()
    return run_id


@pytest.fixture(scope="module")
def german(tmp_path_factory):
    """A german_credit run with the regularised preset, its live fairness on 'sex' in the store."""
    store = Store(tmp_path_factory.mktemp("report-home"))
    preset = get_preset("regularised")
    spec = TrainSpec.from_dict({**preset.train, "epochs": 12, "device": "cpu", "sensitive": "sex"})
    run_id = train_stored(store, load_builtin("german_credit"), preset.network(), spec, "German credit, regularised")
    html = audit_report(store, run_id, "sex", favourable="good", mitigations=MITIGATIONS)
    yield store, run_id, html
    store.close()


def test_the_report_of_a_german_credit_run(german):
    store, run_id, html = german
    page = parse(html)
    assert page.title == "Fairness audit: German credit, regularised"
    text = " ".join(" ".join(page.text).split())
    audit = F.audit_run(store, run_id, "sex", favourable="good")
    # data, model and metrics sections
    assert "german_credit" in text and "training 700, validation 150, test 150" in text
    assert "bad 30.0 %, good 70.0 %" in text and "male (690 rows), female (310 rows)" in text
    assert "dense 32 relu +BN +dropout 0.2" in text and "adamw, learning rate 0.003" in text
    assert "12 of 12" in text
    n_params = sum(int(p.numel()) for p in build_network(get_preset("regularised").network(),
                                                         load_builtin("german_credit"), "cross_entropy")[0].parameters())
    assert f"{n_params:,}" in text
    assert f"{audit.overall['accuracy'] * 100:.1f} %" in text
    from core.analysis import mean_average_precision, predict_split
    from core.runs import load_run
    preds = predict_split(load_run(store, run_id), "test")
    assert f"Mean average precision {mean_average_precision(preds.y_true, preds.proba, preds.class_names):.3f}" in text
    # one row per group in the group table, with its count and selection rate, plus the overall row
    rows = {r[0]: r for r in page.rows["groups"][1:]}
    assert set(rows) == {"female", "male", "all rows"}
    for group in ("female", "male"):
        assert rows[group][1] == str(int(audit.groups.loc[group, "count"]))
        assert rows[group][3].startswith(f"{audit.groups.loc[group, 'selection_rate'] * 100:.1f} %")
        assert re.search(r"\[\d+ %–\d+ %\]", rows[group][3])          # the bootstrap interval
    # the sentences, the disparities and the four-fifths verdict
    for sentence in audit.sentences:
        assert " ".join(sentence.split()) in text
    dpd = {r[0]: r[1] for r in page.rows["disparities"][1:]}
    assert dpd["Demographic parity difference"] == f"{audit.disparities['demographic_parity_difference']:.3f}"
    assert four_fifths(audit.disparities["demographic_parity_ratio"])[1] in text
    # charts: selection rate, TPR/FPR, fairness during training, SHAP importance
    svgs = assert_self_contained(html, page)
    assert len(svgs) == 4
    assert "Fairness during training (validation rows)" in text
    assert "Mean |SHAP| on the log-odds of 'good', top 8 columns" in text
    assert "'sex' is itself a model input" in text
    gaps = page.rows["gaps"]
    assert gaps[0] == ["Column", "female", "male", "Gap"] and len(gaps) == 1 + 5
    proxies = page.rows["proxies"]
    assert len(proxies) == 1 + 5 and "sex" not in [r[0] for r in proxies[1:]]
    # the mitigations: this run first, then each variant with its change; unknown numbers as a dash
    mitigations = page.rows["mitigations"]
    assert [r[0] for r in mitigations[1:]] == ["this run, as audited above", "reweigh",
                                               "ThresholdOptimizer <demographic parity>"]
    assert mitigations[2][2].startswith("0.055 (") and mitigations[3][3] == "—"
    assert "ThresholdOptimizer &lt;demographic parity&gt;" in html
    # printable: page rules for print
    assert "@media print" in html and "break-inside: avoid" in html


@pytest.fixture(scope="module")
def evil(tmp_path_factory):
    """A report of a CSV run whose sensitive column and one group are named like markup, and whose run
    kept no live fairness metrics (the column was not marked sensitive before training)."""
    home = tmp_path_factory.mktemp("evil-home")
    rng = np.random.default_rng(0)
    lines = [f'income,"{EVIL_COLUMN}",score,label']
    for i in range(200):
        group = EVIL_GROUP if i % 2 else "ok & fine"
        income, score = round(float(rng.normal(50, 10)), 1), round(float(rng.random()), 3)
        label = "yes" if income + 10 * score + (6 if i % 2 else 0) > 58 else "no"
        lines.append(f'{income},"{group}",{score},{label}')
    with Store(home) as store:
        ds = load_csv("\n".join(lines).encode(), target="label", filename="evil<b>.csv", home=home)
        run_id = train_stored(store, ds, NetworkSpec.dense([8], "relu"),
                              TrainSpec(epochs=4, batch_size=16, device="cpu"), f"run {EVIL_GROUP}")
        fair_metrics = [n for n in store.metric_names(run_id) if n.startswith("fair/")]
        html = audit_report(store, run_id, EVIL_COLUMN, favourable="yes",
                            mitigations=[{"name": EVIL_GROUP, "accuracy": 0.5}])
    return html, fair_metrics


def test_a_malicious_column_and_group_name_are_escaped(evil):
    html, _ = evil
    page = parse(html)
    assert_self_contained(html, page)
    assert EVIL_GROUP not in html and EVIL_COLUMN not in html
    assert escape(EVIL_GROUP) in html and escape(EVIL_COLUMN) in html and "ok &amp; fine" in html
    assert page.title == f"Fairness audit: run {EVIL_GROUP}"            # parsed back: the text, not markup
    rows = {r[0] for r in page.rows["groups"][1:]}
    assert rows == {EVIL_GROUP, "ok & fine", "all rows"}
    assert [r[0] for r in page.rows["mitigations"][1:]] == ["this run, as audited above", EVIL_GROUP]
    assert "small group" in html                                       # 30 test rows: each group is small


def test_a_run_without_live_fairness_metrics_renders_without_the_training_curve(evil):
    html, fair_metrics = evil
    assert fair_metrics == []
    parse(html)
    assert "Fairness during training" not in html
    assert html.count("<svg") == 3                     # selection rate, TPR/FPR, SHAP


def test_a_regression_run_is_refused(tmp_path):
    run_id = train_run(tmp_path, "regression2d", epochs=1)
    with Store(tmp_path) as store, pytest.raises(F.FairnessError, match="regression"):
        audit_report(store, run_id, "x1")


def test_the_report_in_a_browser_screenshot_and_print(german, evil, browser):
    store, run_id, html = german
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "audit-report.html"
    path.write_text(html, encoding="utf-8")
    requested = []
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_viewport_size({"width": 1100, "height": 900})
        page.on("request", lambda r: requested.append(r.url))
        page.goto(path.as_uri())
        assert page.title() == "Fairness audit: German credit, regularised"
        table = page.locator("table.groups")
        assert table.is_visible()
        assert table.locator("tbody tr").count() == 3
        assert page.locator("figure svg").count() == 4
        first_svg = page.locator("figure svg").first.bounding_box()
        assert first_svg["width"] > 500 and first_svg["height"] > 80        # drawn, not collapsed
        assert page.locator(".verdict").is_visible()
        page.screenshot(path=str(ARTIFACTS / "audit-report.png"), full_page=True)
        pdf = page.pdf(format="A4", print_background=True)
        # printed on A4 (186 mm of text width = 703 CSS px), nothing sticks out to the right
        page.set_viewport_size({"width": 703, "height": 1000})
        page.emulate_media(media="print")
        assert page.evaluate("document.documentElement.scrollWidth") <= 703
        # the malicious report, opened the same way: its names are text, no script runs
        dialogs = []
        evil_page = context.new_page()
        evil_page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        evil_path = ARTIFACTS / "audit-report-escaped.html"
        evil_path.write_text(evil[0], encoding="utf-8")
        evil_page.goto(evil_path.as_uri())
        assert evil_page.title() == f"Fairness audit: run {EVIL_GROUP}"
        assert evil_page.locator("table.groups tbody tr td:first-child").all_inner_texts()[:2] == \
            sorted([EVIL_GROUP, "ok & fine"])
        assert evil_page.locator("script, img").count() == 0 and dialogs == []
    finally:
        context.close()
    assert requested == [path.as_uri()]                                 # nothing else was fetched
    assert pdf[:5] == b"%PDF-"
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 2 <= pages <= 8, pages
    assert (ARTIFACTS / "audit-report.png").stat().st_size > 50_000


def test_a_numeric_and_an_intersectional_grouping_use_the_training_rows_bands(german):
    store, run_id, _ = german
    html = audit_report(store, run_id, "age", favourable="good")
    page = parse(html)
    bands = [r[0] for r in page.rows["groups"][1:-1]]
    assert bands == ["< 27", "27–33", "33–42", "≥ 42"]          # quartiles of the training rows' ages, in order
    assert "cut into bands at 27, 33, 42 (quantiles of the training rows)" in " ".join(page.text)
    both = parse(audit_report(store, run_id, ["sex", "age"], favourable="good"))
    groups = [r[0] for r in both.rows["groups"][1:-1]]
    assert groups[:4] == ["female × < 27", "female × 27–33", "female × 33–42", "female × ≥ 42"]
    assert groups[4:] == ["male × < 27", "male × 27–33", "male × 33–42", "male × ≥ 42"]
    assert "Groups of sex × age" in " ".join(both.text)
