"""People: who is using a Glassnet workspace, and how a person is known again after a refresh.

Two modes. In personal mode (the default) one person uses the workspace and every run in it is theirs:
PERSONAL. In class mode a teacher shares one server with a class: a student joins with a display name and
the class code and gets a space of their own; the teacher joins with the teacher key and sees the whole
class. The runs of a person carry their id in runs.owner (see scope.py for what each person may reach).

A class workspace keeps, once made, `class.json` (readable by its owner only): the class code students
type, the teacher key, and the secret that signs tokens. A person's token is their id and an HMAC of it
under that secret; the page keeps it in its address (?who=...), so a refresh or a reconnect finds the
same person, and a token changed by hand is refused. The secret itself never leaves the workspace.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .db import integrity_errors
from .store import StoreError, new_run_id

ROLES = ("personal", "student", "teacher")
MAX_NAME = 40                            # characters of a display name
CLASS_FILE = "class.json"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"   # no 0/O or 1/I to misread on a projector
_TOKEN = re.compile(r"^([0-9a-f]{24})\.([0-9a-f]{32})$")
PEOPLE_SCHEMA = """
CREATE TABLE IF NOT EXISTS people (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, name_key TEXT NOT NULL UNIQUE, role TEXT NOT NULL, joined REAL NOT NULL
);
"""


class JoinError(ValueError):
    """A join that cannot be made (no name, a name too long or taken, a wrong code): one sentence with the fix."""


class TokenError(ValueError):
    """A token that is not one this workspace signed, or whose person is gone."""


@dataclass(frozen=True)
class Person:
    id: str | None                       # None: the one person of personal mode
    name: str
    role: str                            # personal | student | teacher

    @property
    def sees_all(self) -> bool:
        """True for whoever may reach every run of the workspace: its one person, or the class's teacher."""
        return self.role in ("personal", "teacher")


PERSONAL = Person(None, "you", "personal")


@dataclass(frozen=True)
class ClassKeys:
    code: str                            # what students type to join, e.g. "K7QM-X3PD"
    teacher_key: str                     # what the teacher types instead, e.g. "QW7R-M2KD-9XTP-HB4N"
    secret: bytes                        # signs tokens; never shown


def _new_code(groups: int) -> str:
    """Groups of four letters and digits, easy to read aloud and to type: 8 make a class code (40 bits),
    16 a teacher key (80 bits)."""
    return "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(groups))


def class_keys(home: Path | str) -> ClassKeys:
    """The class code, teacher key and secret of the workspace `home`, made on first use and kept in it.
    Two processes making them at once agree on one set (the file is created whole, once)."""
    path = Path(home) / CLASS_FILE
    if not path.exists():
        _create_keys(path)
    try:
        stamp = path.stat().st_mtime_ns
        if path not in _read or _read[path][0] != stamp:      # read once per version of the file
            d = json.loads(path.read_text(encoding="utf-8"))
            _read[path] = (stamp, ClassKeys(code=str(d["code"]), teacher_key=str(d["teacher_key"]),
                                            secret=bytes.fromhex(d["secret"])))
        return _read[path][1]
    except (OSError, ValueError, KeyError, TypeError):
        raise StoreError(f"the workspace's {CLASS_FILE} cannot be read; delete it to make a new class code and "
                         "teacher key (everyone then joins again)") from None


_read: dict[Path, tuple[int, ClassKeys]] = {}


def _create_keys(path: Path) -> None:
    body = json.dumps({"code": _new_code(2), "teacher_key": _new_code(4),
                       "secret": secrets.token_hex(32), "created": time.time()})
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".class-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:      # mkstemp makes it readable by its owner only
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)           # fails if another process made the keys first: theirs are kept
        except FileExistsError:
            pass
    finally:
        Path(tmp).unlink(missing_ok=True)


def clean_name(name) -> str:
    """A display name as it is kept: control characters dropped, spaces collapsed; JoinError when it is
    empty or longer than MAX_NAME characters."""
    text = "".join(c for c in str(name or "") if unicodedata.category(c)[0] != "C")
    text = " ".join(text.split())
    if not text:
        raise JoinError("Type your name (as your teacher will recognise it) to join the class.")
    if len(text) > MAX_NAME:
        raise JoinError(f"Your name has {len(text)} characters; names may have at most {MAX_NAME}: shorten it.")
    return text


def _code_key(code) -> str:
    return "".join(str(code or "").split()).upper().replace("-", "")


def role_for(keys: ClassKeys, code) -> str:
    """'teacher' for the teacher key, 'student' for the class code; JoinError for anything else."""
    if hmac.compare_digest(_code_key(code).encode(), _code_key(keys.teacher_key).encode()):
        return "teacher"
    if hmac.compare_digest(_code_key(code).encode(), _code_key(keys.code).encode()):
        return "student"
    raise JoinError("That is not this class's code: type the code your teacher shows (it is also in the join "
                    "link, after ?code=).")


def _people(store):
    store.ensure_tables(PEOPLE_SCHEMA, "people")
    return store.db


def join(store, name, code) -> Person:
    """A new person of the class in `store`'s workspace, as student or teacher by the code given.

    A display name is one person's: a student who gives a name already taken is told to pick another
    (their runs would otherwise be someone else's); the teacher, who proves who they are with the key,
    gets back the teacher of that name."""
    keys = class_keys(store.home)
    name = clean_name(name)
    role = role_for(keys, code)
    db, key = _people(store), name.casefold()
    person = Person(new_run_id(), name, role)
    try:
        db.execute("INSERT INTO people (id, name, name_key, role, joined) VALUES (?,?,?,?,?)",
                   (person.id, name, key, role, time.time()))
        return person
    except integrity_errors():
        row = db.execute("SELECT id, name, role FROM people WHERE name_key=?", (key,)).fetchone()
    if row is not None and role == "teacher" and row[2] == "teacher":
        return Person(row[0], row[1], row[2])
    raise JoinError(f"Someone called “{name}” has already joined this class. If that is you in another browser "
                    "or tab, go back there (its address keeps your place); otherwise add an initial, e.g. "
                    f"“{name[:MAX_NAME - 2]} B”.")


def _signature(keys: ClassKeys, person_id: str) -> str:
    return hmac.new(keys.secret, b"glassnet-person:" + person_id.encode(), hashlib.sha256).hexdigest()[:32]


def token_for(store, person: Person) -> str:
    """The token that names `person` in a page's address: their id and its signature."""
    return f"{person.id}.{_signature(class_keys(store.home), person.id)}"


def person_for(store, token) -> Person:
    """The person a token names; TokenError when the token was not signed by this workspace (changed by
    hand, from another class) or names nobody who joined."""
    m = _TOKEN.match(str(token or ""))
    if not m or not hmac.compare_digest(m.group(2), _signature(class_keys(store.home), m.group(1))):
        raise TokenError("this sign-in link is not one this class made; join the class again")
    row = _people(store).execute("SELECT id, name, role FROM people WHERE id=?", (m.group(1),)).fetchone()
    if row is None:
        raise TokenError("this sign-in link names nobody in this class; join the class again")
    return Person(row[0], row[1], row[2])


def class_members(store) -> list[Person]:
    """Everyone who joined the class, in the order they joined."""
    rows = _people(store).execute("SELECT id, name, role FROM people ORDER BY joined, rowid").fetchall()
    return [Person(*r) for r in rows]
