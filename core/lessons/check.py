"""A lesson's check on a person's runs: the runs on the lesson's data that fill its roles and meet its
comparisons, and one sentence saying what was found — or what is still missing.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from .measures import METRICS, RunFacts, setting_words, show_metric, show_value
from .schema import DEFAULT_STATUSES, PLACEHOLDER, Lesson

MAX_PAIRINGS = 5000          # role assignments tried before the check gives up looking further


@dataclass
class Verdict:
    passed: bool
    sentence: str
    runs: dict = field(default_factory=dict)     # role -> run id (when passed)

    def to_dict(self) -> dict:
        return {"passed": self.passed, "sentence": self.sentence, "runs": dict(self.runs)}


# ------------------------------------------------------------------ conditions
def meets(value, condition) -> bool:
    """Whether a setting's or metric's value meets a condition: a value, {"in": [...]}, {"min", "max"}."""
    if not isinstance(condition, dict):
        return _same(value, condition)
    if "in" in condition and not any(_same(value, c) for c in condition["in"]):
        return False
    if "min" in condition or "max" in condition:
        if not _number(value):
            return False
        if "min" in condition and value < condition["min"] - 1e-12:
            return False
        if "max" in condition and value > condition["max"] + 1e-12:
            return False
    return True


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v)


def _same(a, b) -> bool:
    if _number(a) and _number(b):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return type(a) is type(b) and a == b


def describe(name: str, condition, metric: bool = False) -> str:
    words = METRICS[name][0] if metric else setting_words(name)
    shown = (lambda v: show_metric(name, v)) if metric else show_value
    if not isinstance(condition, dict):
        return f"{words} {shown(condition)}"
    parts = []
    if "in" in condition:
        parts.append(" or ".join(shown(v) for v in condition["in"]))
    if "min" in condition:
        parts.append(f"at least {shown(condition['min'])}")
    if "max" in condition:
        parts.append(f"at most {shown(condition['max'])}")
    return f"{words} " + " and ".join(parts)


def describe_where(role: dict) -> str:
    """A role's settings in words, e.g. 'initialisation zeros'."""
    parts = [describe(k, v) for k, v in role.get("where", {}).items()]
    alts = [" and ".join(describe(k, v) for k, v in alt.items()) for alt in role.get("where_any", [])]
    if alts:
        parts.append("either " + ", or ".join(alts) if len(alts) > 1 else alts[0])
    return " and ".join(parts) or "the lesson's settings"


def _where_ok(facts: RunFacts, role: dict) -> bool:
    if not all(meets(facts.setting(k), v) for k, v in role.get("where", {}).items()):
        return False
    alts = role.get("where_any", [])
    return not alts or any(all(meets(facts.setting(k), v) for k, v in alt.items()) for alt in alts)


def outcome_problem(facts: RunFacts, role: dict) -> str | None:
    """What keeps a run (already of the role's settings) from filling the role, in words; None when it does."""
    if facts.run.status not in role.get("status", DEFAULT_STATUSES):
        return f"is {facts.run.status}; let it finish"
    for name, condition in role.get("metrics", {}).items():
        value = facts.metric(name)
        if value is None or not meets(value, condition):
            return f"has {METRICS[name][0]} {show_metric(name, value)}; the lesson asks for {describe(name, condition, True)}"
    codes = None
    for key in ("diagnoses", "any_diagnosis", "without"):
        if role.get(key):
            codes = facts.diagnoses()
            break
    if codes is None:
        return None
    seen = ", ".join(codes) if codes else "none"
    missing = [c for c in role.get("diagnoses", []) if c not in codes]
    if missing:
        return f"shows no {missing[0].replace('_', ' ')} in its diagnosis (it shows: {seen})"
    anyof = role.get("any_diagnosis", [])
    if anyof and not any(c in codes for c in anyof):
        return f"shows none of {', '.join(c.replace('_', ' ') for c in anyof)} in its diagnosis (it shows: {seen})"
    unwanted = [c for c in role.get("without", []) if c in codes]
    if unwanted:
        return f"still shows {unwanted[0].replace('_', ' ')} in its diagnosis"
    return None


# ------------------------------------------------------------------ the lesson's data
def data_keys(lesson: Lesson) -> set[str]:
    """The dataset parameters the lesson's roles tell apart (data.<param>): the rest must match the setup."""
    keys = set()
    for role in lesson.check["runs"]:
        for where in [role.get("where", {}), *role.get("where_any", [])]:
            keys |= {k[5:] for k in where if k.startswith("data.")}
    return keys


def on_lesson_data(lesson: Lesson, dataset: dict) -> bool:
    want = lesson.setup["dataset"]
    if dataset.get("kind") != want["kind"] or dataset.get("name") != want["name"]:
        return False
    free = data_keys(lesson)
    mine, theirs = dataset.get("params") or {}, want["params"]
    return all(_same(mine.get(k), v) for k, v in theirs.items() if k not in free)


def data_words(lesson: Lesson) -> str:
    ds = lesson.setup["dataset"]
    free = data_keys(lesson)
    params = ", ".join(f"{k} {show_value(v)}" for k, v in ds["params"].items() if k not in free)
    return f"{ds['name']}" + (f" with {params}" if params else "")


# ------------------------------------------------------------------ the check
def check_runs(lesson: Lesson, store, runs: list) -> Verdict:
    """Evaluate the lesson's check on `runs` (core.runs.Run, the person's own) read through `store`."""
    shared: dict = {}
    facts = [RunFacts(store, run, _datasets=shared) for run in runs if on_lesson_data(lesson, run.dataset)]
    if not facts:
        return Verdict(False, f"None of your runs is on this lesson's data ({data_words(lesson)}) yet: open the "
                              "setup, train it, and check again.")
    roles = lesson.check["runs"]
    candidates = []
    for role in roles:
        matching = [f for f in facts if _where_ok(f, role)]
        if not matching:
            return Verdict(False, f"Still missing: {role['label']} — a run on this lesson's data with "
                                  f"{describe_where(role)}. Change that, train it, and check again.")
        good = [f for f in matching if outcome_problem(f, role) is None]
        if not good:
            return Verdict(False, f"Not yet: your run “{matching[0].name}” ({role['label']}) "
                                  f"{outcome_problem(matching[0], role)}.")
        candidates.append(good)
    return _pairings(lesson, candidates)


def _pairings(lesson: Lesson, candidates: list[list[RunFacts]]) -> Verdict:
    roles = [r["role"] for r in lesson.check["runs"]]
    first_problem = None
    for tried, combo in enumerate(itertools.product(*candidates)):
        if tried >= MAX_PAIRINGS:
            break
        if len({f.run.id for f in combo}) < len(combo):
            continue
        chosen = dict(zip(roles, combo))
        problem = next((p for p in (_compare_problem(lesson, c, chosen) for c in lesson.check.get("compare", []))
                        if p), None)
        if problem is None:
            return Verdict(True, _fill(lesson.check["passed"], chosen), {r: f.run.id for r, f in chosen.items()})
        first_problem = first_problem or problem
    if first_problem is None:
        return Verdict(False, "Each role needs a run of its own: train one more run with the lesson's change.")
    return Verdict(False, f"Not yet: {first_problem}")


def _label(lesson: Lesson, role: str) -> str:
    return next(r["label"] for r in lesson.check["runs"] if r["role"] == role)


def _compare_problem(lesson: Lesson, c: dict, chosen: dict) -> str | None:
    metric, by = c["metric"], float(c.get("by", 0))
    first = c.get("higher") or c.get("lower")
    a, b = chosen[first].metric(metric), chosen[c["than"]].metric(metric)
    if a is not None and b is not None:
        if ("higher" in c and a >= b + by) or ("lower" in c and a <= b - by):
            return None
    words = METRICS[metric][0]
    margin = f" by at least {show_metric(metric, by)}" if by else ""
    return (f"{_label(lesson, first)} (“{chosen[first].name}”) has {words} {show_metric(metric, a)} and "
            f"{_label(lesson, c['than'])} (“{chosen[c['than']].name}”) {show_metric(metric, b)}; the lesson asks "
            f"for the first to be {'higher' if 'higher' in c else 'lower'}{margin}.")


def _fill(sentence: str, chosen: dict) -> str:
    """The `passed` sentence with {role.metric} and {role.name} filled in (no other formatting is done)."""
    def value(m):
        facts = chosen[m.group(1)]
        return facts.name if m.group(2) == "name" else show_metric(m.group(2), facts.metric(m.group(2)))
    return PLACEHOLDER.sub(value, sentence)
