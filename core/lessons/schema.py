"""A lesson file, read and checked: every field's form, and a LessonError naming the file and the field.

A lesson is one JSON object (see README.md, "Lessons"):
  name, title, text, change, question   slug (the file's name without .json) and texts
  order                                 optional: where it comes in the list
  answer                                optional: what the learner should have seen, shown once the check passes
  setup                                 {dataset: DatasetRef dict, network: NetworkSpec dict, train: TrainSpec dict}
  check                                 {runs: [role…], compare: [comparison…], passed: sentence}
A role: {role, label, where, where_any, status, diagnoses, any_diagnosis, without, metrics};
a comparison: {metric, higher|lower, than, by}.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .measures import METRICS, is_setting

MAX_FILE_BYTES = 64_000
MAX_ROLES = 4
SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,47}")
ROLE_KEYS = {"role", "label", "where", "where_any", "status", "diagnoses", "any_diagnosis", "without", "metrics"}
STATUSES = ("finished", "stopped", "diverged", "interrupted", "failed")
DEFAULT_STATUSES = ("finished", "stopped", "diverged")
PLACEHOLDER = re.compile(r"\{([a-z0-9_-]+)\.([a-z0-9_]+)\}")


class LessonError(ValueError):
    """A lesson file Glassnet cannot use; the message names the file, the field and the fix."""

    def __init__(self, file: str, field: str, detail: str):
        where = f"lesson file {file}: " if file else ""
        super().__init__(f"{where}{field}: {detail}" if field else f"{where}{detail}")
        self.file, self.field, self.detail = file, field, detail


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    text: str
    change: str
    question: str
    answer: str
    setup: dict              # {"dataset", "network", "train"} in the forms the pages keep
    order: int               # where it comes in the list (then by name)
    check: dict              # as in the file, checked
    file: str

    @property
    def settings(self) -> tuple[dict, dict, dict]:
        return self.setup["dataset"], self.setup["network"], self.setup["train"]

    def to_dict(self) -> dict:
        return {"name": self.name, "order": self.order, "title": self.title, "text": self.text, "change": self.change,
                "question": self.question, "answer": self.answer, "setup": self.setup, "check": self.check}


class _Reader:
    """Checks one file's fields, raising the LessonError that names the file and the field."""

    def __init__(self, file: str):
        self.file = file

    def fail(self, field: str, detail: str):
        raise LessonError(self.file, field, detail)

    def text(self, data: dict, key: str, path: str, optional: bool = False) -> str:
        value = data.get(key, "" if optional else None)
        if not isinstance(value, str) or (not optional and not value.strip()):
            self.fail(path + key, "must be a text" + ("" if optional else " that is not empty"))
        return value.strip()

    def mapping(self, value, path: str) -> dict:
        if not isinstance(value, dict):
            self.fail(path, "must be an object {…}")
        return value

    def listing(self, value, path: str, most: int = 20) -> list:
        if not isinstance(value, list) or len(value) > most:
            self.fail(path, f"must be a list of at most {most} entries")
        return value

    def only(self, data: dict, allowed: set, path: str) -> None:
        unknown = sorted(set(data) - allowed)
        if unknown:
            self.fail(path + unknown[0], f"is not a field here; the fields are {', '.join(sorted(allowed))}")


def read_lesson(path: Path) -> Lesson:
    """The lesson in one file; LessonError naming the file and the field when it is malformed."""
    r = _Reader(path.name)
    if path.stat().st_size > MAX_FILE_BYTES:
        r.fail("", f"is larger than {MAX_FILE_BYTES:,} bytes; a lesson is a few short texts and settings")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        r.fail("", "is not UTF-8 text; save it as UTF-8")
    except json.JSONDecodeError as e:
        r.fail("", f"is not valid JSON ({e.msg} at line {e.lineno}, column {e.colno}); fix it there")
    return lesson_from_dict(data, path.name)


def lesson_from_dict(data, file: str) -> Lesson:
    r = _Reader(file)
    r.mapping(data, "the file")
    r.only(data, {"name", "order", "title", "text", "change", "question", "answer", "setup", "check"}, "")
    name = r.text(data, "name", "")
    if not SLUG.fullmatch(name):
        r.fail("name", f"{name!r} must be a slug: lowercase letters, digits, - and _ (e.g. zeros-vs-he)")
    if Path(file).suffix == ".json" and Path(file).stem != name:
        r.fail("name", f"{name!r} must be the file's name without .json ({Path(file).stem!r}); rename one of them")
    texts = {k: r.text(data, k, "") for k in ("title", "text", "change", "question")}
    order = data.get("order", 100)
    if isinstance(order, bool) or not isinstance(order, int):
        r.fail("order", "must be a whole number (lessons are listed by it, then by name)")
    setup = _setup(r, data.get("setup"))
    check = _check(r, data.get("check"))
    return Lesson(name=name, order=order, answer=r.text(data, "answer", "", optional=True), setup=setup, check=check,
                  file=file, **texts)


def _setup(r: _Reader, setup) -> dict:
    from core.data import DataError, DatasetRef
    from core.spec import NetworkSpec, SpecError, TrainSpec
    r.mapping(setup, "setup")
    r.only(setup, {"dataset", "network", "train"}, "setup.")
    out = {}
    for key, parse in (("dataset", DatasetRef.from_dict), ("network", NetworkSpec.from_dict),
                       ("train", lambda d: TrainSpec.from_dict({**TrainSpec().to_dict(), **r.mapping(d, "setup.train")}))):
        if key not in setup:
            r.fail(f"setup.{key}", "is missing; give the settings as the pages export them")
        try:
            out[key] = parse(setup[key]).to_dict()
        except (DataError, SpecError) as e:
            r.fail(f"setup.{key}", str(e))
    _builtin(r, out["dataset"])
    return out


def _builtin(r: _Reader, dataset: dict) -> None:
    """A lesson's data is a built-in set (so everyone has it) with parameters that set takes."""
    from core.data.builtin import BUILTIN
    if dataset["kind"] != "builtin":
        r.fail("setup.dataset.kind", "a lesson uses a built-in dataset (kind \"builtin\"), so everyone has it")
    if dataset["name"] not in BUILTIN:
        r.fail("setup.dataset.name", f"there is no built-in dataset {dataset['name']!r}; use one of {', '.join(BUILTIN)}")
    unknown = sorted(set(dataset["params"]) - set(BUILTIN[dataset["name"]]["params"]) - {"seed"})
    if unknown:
        r.fail(f"setup.dataset.params.{unknown[0]}", f"{dataset['name']} takes no such parameter; it takes "
               f"{', '.join([*BUILTIN[dataset['name']]['params'], 'seed'])}")


def _condition(r: _Reader, value, path: str) -> None:
    """A setting's or a metric's condition: a value, {"in": [values]} or {"min": x, "max": y}."""
    if isinstance(value, (str, bool, int, float)):
        return
    r.mapping(value, path)
    r.only(value, {"in", "min", "max"}, path + ".")
    if not value:
        r.fail(path, "must name a value, {\"in\": [...]} or {\"min\": …, \"max\": …}")
    if "in" in value and (not isinstance(value["in"], list) or not value["in"]):
        r.fail(path + ".in", "must be a list of values")
    for end in ("min", "max"):
        if end in value and (isinstance(value[end], bool) or not isinstance(value[end], (int, float))):
            r.fail(f"{path}.{end}", "must be a number")


def _where(r: _Reader, where, path: str) -> None:
    r.mapping(where, path)
    for name, value in where.items():
        if not is_setting(name):
            r.fail(f"{path}.{name}", "is not a setting a check can read; use a training setting (optimizer, lr, l2, "
                   "class_weights, …), init, activation, dropout, depth, conv or data.<parameter>")
        _condition(r, value, f"{path}.{name}")


def _codes(r: _Reader, value, path: str) -> None:
    from core.analysis.diagnose import CODES
    for code in r.listing(value, path):
        if code not in CODES:
            r.fail(path, f"{code!r} is not a diagnosis; use one of {', '.join(CODES)}")


def _role(r: _Reader, role, path: str) -> str:
    r.mapping(role, path)
    r.only(role, ROLE_KEYS, path + ".")
    name = r.text(role, "role", path + ".")
    if not SLUG.fullmatch(name):
        r.fail(path + ".role", f"{name!r} must be a short slug such as zeros or he")
    r.text(role, "label", path + ".")
    _where(r, role.get("where", {}), path + ".where")
    for i, alt in enumerate(r.listing(role.get("where_any", []), path + ".where_any", 6)):
        _where(r, alt, f"{path}.where_any[{i}]")
    for status in r.listing(role.get("status", list(DEFAULT_STATUSES)), path + ".status"):
        if status not in STATUSES:
            r.fail(path + ".status", f"{status!r} is not an ended run's status; use {', '.join(STATUSES)}")
    for key in ("diagnoses", "any_diagnosis", "without"):
        _codes(r, role.get(key, []), f"{path}.{key}")
    for metric, value in r.mapping(role.get("metrics", {}), path + ".metrics").items():
        if metric not in METRICS:
            r.fail(f"{path}.metrics.{metric}", f"is not a metric; use one of {', '.join(METRICS)}")
        _condition(r, value, f"{path}.metrics.{metric}")
    return name


def _comparison(r: _Reader, c, path: str, roles: list[str]) -> None:
    r.mapping(c, path)
    r.only(c, {"metric", "higher", "lower", "than", "by"}, path + ".")
    if c.get("metric") not in METRICS:
        r.fail(path + ".metric", f"must be one of {', '.join(METRICS)}")
    if ("higher" in c) == ("lower" in c):
        r.fail(path, "must name the run that should be \"higher\" or the one that should be \"lower\" (one of them)")
    for key in ("higher", "lower", "than"):
        if key in c and c[key] not in roles:
            r.fail(f"{path}.{key}", f"{c[key]!r} is not a role of check.runs ({', '.join(roles)})")
    if "than" not in c:
        r.fail(path + ".than", "is missing; name the role compared with")
    by = c.get("by", 0)
    if isinstance(by, bool) or not isinstance(by, (int, float)) or by < 0:
        r.fail(path + ".by", "must be a number ≥ 0 (the margin)")


def _check(r: _Reader, check) -> dict:
    r.mapping(check, "check")
    r.only(check, {"runs", "compare", "passed"}, "check.")
    roles = r.listing(check.get("runs"), "check.runs", MAX_ROLES)
    if not roles:
        r.fail("check.runs", "must list at least one run to look for")
    names = [_role(r, role, f"check.runs[{i}]") for i, role in enumerate(roles)]
    if len(set(names)) != len(names):
        r.fail("check.runs", "two roles share a name; give each its own")
    for i, c in enumerate(r.listing(check.get("compare", []), "check.compare", 8)):
        _comparison(r, c, f"check.compare[{i}]", names)
    passed = r.text(check, "passed", "check.")
    for role, metric in PLACEHOLDER.findall(passed):
        if role not in names or (metric not in METRICS and metric != "name"):
            r.fail("check.passed", f"{{{role}.{metric}}} names no role's metric; write {{role.metric}} or {{role.name}}")
    return check


def read_folder(folder: Path) -> tuple[list[Lesson], list[LessonError]]:
    """Every lesson in a folder's *.json files, by file name, and the problems of those that cannot be read."""
    lessons, problems = [], []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            lessons.append(read_lesson(path))
        except LessonError as e:
            problems.append(e)
    return lessons, problems
